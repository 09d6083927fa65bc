#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS502: a lock released twice on one path:
   - Pool_take: the slow path unlocks before calling the factory, then its
     error `goto error` reaches a label that unlocks again;
   - Journal_append: the error branch releases and falls through to the
     common release (missing return). */

#if PY_VERSION_HEX < 0x030D0000
typedef struct { unsigned char _bits; } PyMutex;
extern void PyMutex_Lock(PyMutex *m);
extern void PyMutex_Unlock(PyMutex *m);
#endif

#define POOL_MAX 16

extern int journal_write(void *j, const char *line);

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    PyObject *factory;
    PyObject *idle[POOL_MAX];
    int n_idle;
    int closed;
} PoolObject;

typedef struct {
    PyObject_HEAD
    void *journal;
    PyThread_type_lock lock;
} JournalObject;

static PyObject *
Pool_take(PoolObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *conn;

    PyMutex_Lock(&self->mutex);
    if (self->closed) {
        PyErr_SetString(PyExc_RuntimeError, "pool is closed");
        goto error;
    }
    if (self->n_idle == 0) {
        PyMutex_Unlock(&self->mutex);
        conn = PyObject_CallNoArgs(self->factory);
        if (conn == NULL)
            goto error;
        return conn;
    }
    conn = self->idle[--self->n_idle];
    PyMutex_Unlock(&self->mutex);
    return conn;

error:
    PyMutex_Unlock(&self->mutex);   /* expect: TS502 */
    return NULL;
}

static PyObject *
Journal_append(JournalObject *self, PyObject *arg)
{
    const char *line = PyUnicode_AsUTF8(arg);
    int rc;

    if (line == NULL)
        return NULL;
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    rc = journal_write(self->journal, line);
    if (rc < 0) {
        PyThread_release_lock(self->lock);
        PyErr_SetString(PyExc_OSError, "journal write failed");
    }
    PyThread_release_lock(self->lock);   /* expect: TS502 */
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Pool_methods[] = {
    {"take", (PyCFunction)Pool_take, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyMethodDef Journal_methods[] = {
    {"append", (PyCFunction)Journal_append, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Pool_slots[] = {
    {Py_tp_methods, Pool_methods},
    {0, NULL}
};

static PyType_Slot Journal_slots[] = {
    {Py_tp_methods, Journal_methods},
    {0, NULL}
};

static PyType_Spec Pool_spec = {
    .name = "poolmod.Pool",
    .basicsize = sizeof(PoolObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Pool_slots,
};

static PyType_Spec Journal_spec = {
    .name = "poolmod.Journal",
    .basicsize = sizeof(JournalObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Journal_slots,
};

static int
poolmod_exec(PyObject *m)
{
    PyType_Spec *specs[] = {&Pool_spec, &Journal_spec};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        PyObject *tp = PyType_FromModuleAndSpec(m, specs[i], NULL);
        if (tp == NULL)
            return -1;
        int rc = PyModule_AddType(m, (PyTypeObject *)tp);
        Py_DECREF(tp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static PyModuleDef_Slot poolmod_slots[] = {
    {Py_mod_exec, poolmod_exec},
    {0, NULL}
};

static struct PyModuleDef poolmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "poolmod",
    .m_size = 0,
    .m_slots = poolmod_slots,
};

PyMODINIT_FUNC
PyInit_poolmod(void)
{
    return PyModuleDef_Init(&poolmod);
}
