#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_NewInterpreter() used correctly (3.11 API):
   - run_in_subinterp: the NULL (creation failed) path still has the
     caller's thread state attached and raises there; the success path ends
     the interpreter (nothing attached afterwards) and swaps back;
   - run_in_subinterp_eval: same, going back with PyEval_RestoreThread();
   - Pool_spawn / Pool_close: create and keep sub-interpreters, swapping
     back to the caller's thread state each time. */

#define POOL_MAX 8

typedef struct {
    PyObject_HEAD
    PyThreadState *subs[POOL_MAX];
    int count;
} PoolObject;

static PyObject *
run_in_subinterp(PyObject *module, PyObject *args)
{
    const char *code;
    PyThreadState *mainstate, *substate;
    int r;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    mainstate = PyThreadState_Get();
    substate = Py_NewInterpreter();
    if (substate == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    r = PyRun_SimpleString(code);
    Py_EndInterpreter(substate);
    PyThreadState_Swap(mainstate);
    return PyLong_FromLong(r);
}

static PyObject *
run_in_subinterp_eval(PyObject *module, PyObject *args)
{
    const char *code;
    PyThreadState *mainstate, *substate;
    int r;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    mainstate = PyThreadState_Get();
    substate = Py_NewInterpreter();
    if (substate == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    r = PyRun_SimpleString(code);
    Py_EndInterpreter(substate);
    PyEval_RestoreThread(mainstate);
    return PyLong_FromLong(r);
}

static PyObject *
Pool_spawn(PoolObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *mainstate, *sub;

    if (self->count == POOL_MAX) {
        PyErr_SetString(PyExc_RuntimeError, "pool is full");
        return NULL;
    }
    mainstate = PyThreadState_Get();
    sub = Py_NewInterpreter();
    if (sub == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    if (PyRun_SimpleString("import sys; sys.dont_write_bytecode = True") < 0) {
        Py_EndInterpreter(sub);
        PyThreadState_Swap(mainstate);
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter setup failed");
        return NULL;
    }
    self->subs[self->count++] = sub;
    PyThreadState_Swap(mainstate);
    Py_RETURN_NONE;
}

static PyObject *
Pool_close(PoolObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *mainstate = PyThreadState_Get();
    int i;

    for (i = 0; i < self->count; i++) {
        PyThreadState_Swap(self->subs[i]);
        Py_EndInterpreter(self->subs[i]);
        self->subs[i] = NULL;
    }
    PyThreadState_Swap(mainstate);
    self->count = 0;
    Py_RETURN_NONE;
}

static PyMethodDef Pool_methods[] = {
    {"spawn", (PyCFunction)Pool_spawn, METH_NOARGS, NULL},
    {"close", (PyCFunction)Pool_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Pool_slots[] = {
    {Py_tp_methods, Pool_methods},
    {0, NULL}
};

static PyType_Spec Pool_spec = {
    .name = "subrun.Pool",
    .basicsize = sizeof(PoolObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Pool_slots,
};

static PyMethodDef subrun_methods[] = {
    {"run_in_subinterp", run_in_subinterp, METH_VARARGS, NULL},
    {"run_in_subinterp_eval", run_in_subinterp_eval, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
subrun_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Pool_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot subrun_slots[] = {
    {Py_mod_exec, subrun_exec},
    {0, NULL}
};

static struct PyModuleDef subrun = {
    PyModuleDef_HEAD_INIT,
    .m_name = "subrun",
    .m_size = 0,
    .m_methods = subrun_methods,
    .m_slots = subrun_slots,
};

PyMODINIT_FUNC
PyInit_subrun(void)
{
    return PyModuleDef_Init(&subrun);
}
