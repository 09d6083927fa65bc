#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: PyThread_acquire_lock(lock, NOWAIT_LOCK) returns 1 only if the
   lock was acquired: the failure path returns without releasing, the
   success path releases on every exit. */

extern int cache_refresh(void *cache);
extern int cache_valid(void *cache);

typedef struct {
    PyObject_HEAD
    void *cache;
    PyThread_type_lock lock;
} CacheObject;

static PyObject *
Cache_try_refresh(CacheObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        PyErr_SetString(PyExc_BlockingIOError, "cache is being refreshed");
        return NULL;
    }
    if (cache_valid(self->cache)) {
        PyThread_release_lock(self->lock);
        Py_RETURN_FALSE;
    }
    rc = cache_refresh(self->cache);
    PyThread_release_lock(self->lock);
    if (rc < 0) {
        PyErr_SetString(PyExc_RuntimeError, "refresh failed");
        return NULL;
    }
    Py_RETURN_TRUE;
}

static PyObject *
Cache_refresh_if_idle(CacheObject *self, PyObject *Py_UNUSED(ignored))
{
    int acquired = PyThread_acquire_lock(self->lock, NOWAIT_LOCK);
    int rc = -1;

    if (acquired) {
        rc = cache_refresh(self->cache);
        PyThread_release_lock(self->lock);
    }
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef Cache_methods[] = {
    {"try_refresh", (PyCFunction)Cache_try_refresh, METH_NOARGS, NULL},
    {"refresh_if_idle", (PyCFunction)Cache_refresh_if_idle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Cache_slots[] = {
    {Py_tp_methods, Cache_methods},
    {0, NULL}
};

static PyType_Spec Cache_spec = {
    .name = "refresh2.Cache",
    .basicsize = sizeof(CacheObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Cache_slots,
};

static int
refresh2_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Cache_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot refresh2_slots[] = {
    {Py_mod_exec, refresh2_exec},
    {0, NULL}
};

static struct PyModuleDef refresh2 = {
    PyModuleDef_HEAD_INIT,
    .m_name = "refresh2",
    .m_size = 0,
    .m_slots = refresh2_slots,
};

PyMODINIT_FUNC
PyInit_refresh2(void)
{
    return PyModuleDef_Init(&refresh2);
}
