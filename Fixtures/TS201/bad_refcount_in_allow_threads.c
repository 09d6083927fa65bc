#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS201: reference counting (Py_INCREF, Py_XDECREF, Py_CLEAR, all calls to
   static inline functions in 3.11) while the thread state is detached:
   a cache protected by its own pthread mutex, and a tp_dealloc. */

#include <pthread.h>

typedef struct table table;
extern PyObject *table_lookup(table *t, Py_hash_t h);
extern PyObject *table_pop(table *t);
extern void conn_close(void *c);

typedef struct {
    PyObject_HEAD
    table *tab;
    pthread_mutex_t lock;
} CacheObject;

typedef struct {
    PyObject_HEAD
    void *c;
    PyObject *on_close;
} ConnObject;

static PyObject *
Cache_get(CacheObject *self, PyObject *key)
{
    Py_hash_t h = PyObject_Hash(key);
    PyObject *v;

    if (h == -1)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&self->lock);
    v = table_lookup(self->tab, h);
    if (v != NULL)
        Py_INCREF(v);   /* expect: TS201 */
    pthread_mutex_unlock(&self->lock);
    Py_END_ALLOW_THREADS
    if (v == NULL)
        Py_RETURN_NONE;
    return v;
}

static PyObject *
Cache_clear(CacheObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *v;

    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&self->lock);
    while ((v = table_pop(self->tab)) != NULL)
        Py_XDECREF(v);   /* expect: TS201 */
    pthread_mutex_unlock(&self->lock);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static void
Conn_dealloc(ConnObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    Py_BEGIN_ALLOW_THREADS
    conn_close(self->c);
    Py_CLEAR(self->on_close);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef Cache_methods[] = {
    {"get", (PyCFunction)Cache_get, METH_O, NULL},
    {"clear", (PyCFunction)Cache_clear, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Cache_slots[] = {
    {Py_tp_methods, Cache_methods},
    {0, NULL}
};

static PyType_Slot Conn_slots[] = {
    {Py_tp_dealloc, Conn_dealloc},
    {0, NULL}
};

static PyType_Spec Cache_spec = {
    .name = "cachemod.Cache",
    .basicsize = sizeof(CacheObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Cache_slots,
};

static PyType_Spec Conn_spec = {
    .name = "cachemod.Conn",
    .basicsize = sizeof(ConnObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Conn_slots,
};

static int
cachemod_exec(PyObject *m)
{
    PyType_Spec *specs[] = {&Cache_spec, &Conn_spec};
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

static PyModuleDef_Slot cachemod_slots[] = {
    {Py_mod_exec, cachemod_exec},
    {0, NULL}
};

static struct PyModuleDef cachemod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cachemod",
    .m_size = 0,
    .m_slots = cachemod_slots,
};

PyMODINIT_FUNC
PyInit_cachemod(void)
{
    return PyModuleDef_Init(&cachemod);
}
