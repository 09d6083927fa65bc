#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS301: swapping into each sub-interpreter of a pool in turn; the error
   path `continue`s without swapping back, so the next PyThreadState_Swap()
   returns the previous sub-interpreter's thread state instead of the
   caller's, and the function returns with a sub-interpreter attached. */

#define POOL_MAX 8

typedef struct {
    PyObject_HEAD
    PyThreadState *subs[POOL_MAX];
    int count;
} PoolObject;

static PyObject *
Pool_broadcast(PoolObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *prev;
    int i, failures = 0;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    for (i = 0; i < self->count; i++) {
        prev = PyThreadState_Swap(self->subs[i]);
        if (PyRun_SimpleString(code) < 0) {
            failures++;
            continue;
        }
        PyThreadState_Swap(prev);
    }
    return PyLong_FromLong(failures);   /* expect: TS301 */
}

static PyMethodDef Pool_methods[] = {
    {"broadcast", (PyCFunction)Pool_broadcast, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Pool_slots[] = {
    {Py_tp_methods, Pool_methods},
    {0, NULL}
};

static PyType_Spec Pool_spec = {
    .name = "bcast.Pool",
    .basicsize = sizeof(PoolObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Pool_slots,
};

static int
bcast_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Pool_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot bcast_slots[] = {
    {Py_mod_exec, bcast_exec},
    {0, NULL}
};

static struct PyModuleDef bcast = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bcast",
    .m_size = 0,
    .m_slots = bcast_slots,
};

PyMODINIT_FUNC
PyInit_bcast(void)
{
    return PyModuleDef_Init(&bcast);
}
