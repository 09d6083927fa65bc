#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: PyMutex (3.13+, compat prototypes for the 3.11 headers) with a
   single unlock at a `done:` label reached by every path after the lock,
   early returns before the lock, and a loop that locks and unlocks per
   iteration with `continue` after the unlock. */

#if PY_VERSION_HEX < 0x030D0000
typedef struct { unsigned char _bits; } PyMutex;
extern void PyMutex_Lock(PyMutex *m);
extern void PyMutex_Unlock(PyMutex *m);
#endif

#define POOL_MAX 16

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    PyObject *idle[POOL_MAX];
    int n_idle;
    int closed;
} PoolObject;

static PyObject *
Pool_put(PoolObject *self, PyObject *conn)
{
    PyObject *result = NULL;

    if (conn == Py_None) {
        PyErr_SetString(PyExc_TypeError, "None is not a connection");
        return NULL;
    }
    PyMutex_Lock(&self->mutex);
    if (self->closed) {
        PyErr_SetString(PyExc_RuntimeError, "pool is closed");
        goto done;
    }
    if (self->n_idle == POOL_MAX) {
        result = Py_NewRef(Py_False);
        goto done;
    }
    self->idle[self->n_idle++] = Py_NewRef(conn);
    result = Py_NewRef(Py_True);
done:
    PyMutex_Unlock(&self->mutex);
    return result;
}

static PyObject *
Pool_drain(PoolObject *self, PyObject *Py_UNUSED(ignored))
{
    int drained = 0;

    for (;;) {
        PyObject *conn = NULL;

        PyMutex_Lock(&self->mutex);
        if (self->n_idle > 0)
            conn = self->idle[--self->n_idle];
        PyMutex_Unlock(&self->mutex);
        if (conn == NULL)
            break;
        if (PyObject_HasAttrString(conn, "close") == 0) {
            Py_DECREF(conn);
            continue;
        }
        PyObject *r = PyObject_CallMethod(conn, "close", NULL);
        Py_DECREF(conn);
        if (r == NULL)
            return NULL;
        Py_DECREF(r);
        drained++;
    }
    return PyLong_FromLong(drained);
}

static PyMethodDef Pool_methods[] = {
    {"put", (PyCFunction)Pool_put, METH_O, NULL},
    {"drain", (PyCFunction)Pool_drain, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Pool_slots[] = {
    {Py_tp_methods, Pool_methods},
    {0, NULL}
};

static PyType_Spec Pool_spec = {
    .name = "poolmod2.Pool",
    .basicsize = sizeof(PoolObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Pool_slots,
};

static int
poolmod2_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Pool_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot poolmod2_slots[] = {
    {Py_mod_exec, poolmod2_exec},
    {0, NULL}
};

static struct PyModuleDef poolmod2 = {
    PyModuleDef_HEAD_INIT,
    .m_name = "poolmod2",
    .m_size = 0,
    .m_slots = poolmod2_slots,
};

PyMODINIT_FUNC
PyInit_poolmod2(void)
{
    return PyModuleDef_Init(&poolmod2);
}
