#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS502: PyMutex_Lock() (3.13+, compat prototypes for the 3.11 headers)
   not unlocked on an error path, while the normal path through the same
   lock call unlocks. */

#if PY_VERSION_HEX < 0x030D0000
typedef struct { unsigned char _bits; } PyMutex;
extern void PyMutex_Lock(PyMutex *m);
extern void PyMutex_Unlock(PyMutex *m);
#endif

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    PyObject *cache;   /* dict */
    Py_ssize_t hits;
} MemoObject;

static PyObject *
Memo_get(MemoObject *self, PyObject *key)
{
    PyObject *v;

    PyMutex_Lock(&self->mutex);
    v = PyDict_GetItemWithError(self->cache, key);
    if (v == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, key);
        return NULL;   /* expect: TS502 */
    }
    self->hits++;
    Py_INCREF(v);
    PyMutex_Unlock(&self->mutex);
    return v;
}

static PyObject *
Memo_put(MemoObject *self, PyObject *args)
{
    PyObject *key, *value;
    int rc;

    if (!PyArg_ParseTuple(args, "OO", &key, &value))
        return NULL;
    PyMutex_Lock(&self->mutex);
    rc = PyDict_SetItem(self->cache, key, value);
    PyMutex_Unlock(&self->mutex);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Memo_methods[] = {
    {"get", (PyCFunction)Memo_get, METH_O, NULL},
    {"put", (PyCFunction)Memo_put, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Memo_slots[] = {
    {Py_tp_methods, Memo_methods},
    {0, NULL}
};

static PyType_Spec Memo_spec = {
    .name = "memomod.Memo",
    .basicsize = sizeof(MemoObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Memo_slots,
};

static int
memomod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Memo_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot memomod_slots[] = {
    {Py_mod_exec, memomod_exec},
    {0, NULL}
};

static struct PyModuleDef memomod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "memomod",
    .m_size = 0,
    .m_slots = memomod_slots,
};

PyMODINIT_FUNC
PyInit_memomod(void)
{
    return PyModuleDef_Init(&memomod);
}
