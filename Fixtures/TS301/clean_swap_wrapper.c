#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: interpreter switches that are undone on every path:
   - switch_to(): a wrapper returning PyThreadState_Swap()'s result
     (changes the state on all paths on purpose, not reported);
   - Ctx_call: swaps into the context's interpreter and swaps back at a
     single `done:` label reached by every path (the discarded result of
     the second swap is not a lost thread state);
   - Ctx_eval: mod_wsgi-style switch through the PyEval API, keeping the
     other thread state in a field. */

typedef struct {
    PyObject_HEAD
    PyThreadState *sub_ts;
} CtxObject;

PyThreadState *
switch_to(PyThreadState *ts)
{
    return PyThreadState_Swap(ts);
}

static PyObject *
Ctx_call(CtxObject *self, PyObject *args)
{
    const char *module_name, *func_name;
    PyThreadState *prev;
    PyObject *mod = NULL, *res = NULL;
    long value = -1;

    if (!PyArg_ParseTuple(args, "ss", &module_name, &func_name))
        return NULL;
    prev = PyThreadState_Swap(self->sub_ts);
    mod = PyImport_ImportModule(module_name);
    if (mod == NULL)
        goto done;
    res = PyObject_CallMethod(mod, func_name, NULL);
    if (res == NULL)
        goto done;
    value = PyLong_AsLong(res);
done:
    if (value == -1 && PyErr_Occurred())
        PyErr_Print();
    Py_XDECREF(res);
    Py_XDECREF(mod);
    PyThreadState_Swap(prev);
    return PyLong_FromLong(value);
}

static PyObject *
Ctx_eval(CtxObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *mine;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    mine = PyEval_SaveThread();
    PyEval_RestoreThread(self->sub_ts);
    rc = PyRun_SimpleString(code);
    self->sub_ts = PyEval_SaveThread();
    PyEval_RestoreThread(mine);
    if (rc < 0) {
        PyErr_SetString(PyExc_RuntimeError, "evaluation failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Ctx_methods[] = {
    {"call", (PyCFunction)Ctx_call, METH_VARARGS, NULL},
    {"eval", (PyCFunction)Ctx_eval, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Ctx_slots[] = {
    {Py_tp_methods, Ctx_methods},
    {0, NULL}
};

static PyType_Spec Ctx_spec = {
    .name = "interpctx.Context",
    .basicsize = sizeof(CtxObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Ctx_slots,
};

static int
interpctx_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Ctx_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot interpctx_slots[] = {
    {Py_mod_exec, interpctx_exec},
    {0, NULL}
};

static struct PyModuleDef interpctx = {
    PyModuleDef_HEAD_INIT,
    .m_name = "interpctx",
    .m_size = 0,
    .m_slots = interpctx_slots,
};

PyMODINIT_FUNC
PyInit_interpctx(void)
{
    return PyModuleDef_Init(&interpctx);
}
