#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS301: Py_NewInterpreter() attaches the new sub-interpreter's thread
   state; these entry points return with it still attached:
   - run_isolated: the error path returns before Py_EndInterpreter and the
     swap back to the caller's thread state;
   - Pool_spawn: keeps the new interpreter for later but never swaps back.
   The NULL (creation failed) paths keep the caller's state and are fine. */

#define POOL_MAX 8

typedef struct {
    PyObject_HEAD
    PyThreadState *subs[POOL_MAX];
    int count;
} PoolObject;

static PyObject *
run_isolated(PyObject *module, PyObject *args)
{
    const char *code;
    PyThreadState *main_ts, *sub;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    main_ts = PyThreadState_Get();
    sub = Py_NewInterpreter();
    if (sub == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    rc = PyRun_SimpleString(code);
    if (rc < 0)
        return NULL;   /* expect: TS301 */
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    return PyLong_FromLong(rc);
}

static PyObject *
Pool_spawn(PoolObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *sub;

    if (self->count == POOL_MAX) {
        PyErr_SetString(PyExc_RuntimeError, "pool is full");
        return NULL;
    }
    sub = Py_NewInterpreter();
    if (sub == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    self->subs[self->count++] = sub;
    Py_RETURN_NONE;   /* expect: TS301 */
}

static PyMethodDef Pool_methods[] = {
    {"spawn", (PyCFunction)Pool_spawn, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Pool_slots[] = {
    {Py_tp_methods, Pool_methods},
    {0, NULL}
};

static PyType_Spec Pool_spec = {
    .name = "interppool.Pool",
    .basicsize = sizeof(PoolObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Pool_slots,
};

static PyMethodDef interppool_methods[] = {
    {"run_isolated", run_isolated, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
interppool_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Pool_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot interppool_slots[] = {
    {Py_mod_exec, interppool_exec},
    {0, NULL}
};

static struct PyModuleDef interppool = {
    PyModuleDef_HEAD_INIT,
    .m_name = "interppool",
    .m_size = 0,
    .m_methods = interppool_methods,
    .m_slots = interppool_slots,
};

PyMODINIT_FUNC
PyInit_interppool(void)
{
    return PyModuleDef_Init(&interppool);
}
