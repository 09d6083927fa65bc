#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS502: the result of PyThread_acquire_lock(lock, NOWAIT_LOCK) is ignored;
   on the path where it returned 0 the lock is not held by this thread,
   and the later PyThread_release_lock() releases a lock this path never
   acquired. */

extern int cache_refresh(void *cache);

typedef struct {
    PyObject_HEAD
    void *cache;
    PyThread_type_lock lock;
} CacheObject;

static PyObject *
Cache_try_refresh(CacheObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    PyThread_acquire_lock(self->lock, NOWAIT_LOCK);
    rc = cache_refresh(self->cache);
    PyThread_release_lock(self->lock);   /* expect: TS502 */
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef Cache_methods[] = {
    {"try_refresh", (PyCFunction)Cache_try_refresh, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Cache_slots[] = {
    {Py_tp_methods, Cache_methods},
    {0, NULL}
};

static PyType_Spec Cache_spec = {
    .name = "refresh.Cache",
    .basicsize = sizeof(CacheObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Cache_slots,
};

static int
refresh_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Cache_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot refresh_slots[] = {
    {Py_mod_exec, refresh_exec},
    {0, NULL}
};

static struct PyModuleDef refresh = {
    PyModuleDef_HEAD_INIT,
    .m_name = "refresh",
    .m_size = 0,
    .m_slots = refresh_slots,
};

PyMODINIT_FUNC
PyInit_refresh(void)
{
    return PyModuleDef_Init(&refresh);
}
