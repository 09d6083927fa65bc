#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: Sub_exec() switches into the sub-interpreter with
   enter_sub() (subinterp.c) and returns NULL on the compile-error path
   without leave_sub(): the caller keeps running in the sub-interpreter
   (TS302 at the enter_sub() call). Sub_eval() in the same file always
   switches back. */

#include "subinterp.h"

typedef struct {
    PyObject_HEAD
    sub_ctx ctx;
} SubObject;

static PyObject *
Sub_exec(SubObject *self, PyObject *args)
{
    const char *src;
    PyThreadState *prev;
    PyObject *code, *res;

    if (!PyArg_ParseTuple(args, "s", &src))
        return NULL;
    prev = enter_sub(&self->ctx);   /* expect: TS302 */
    code = Py_CompileString(src, "<sub>", Py_file_input);
    if (code == NULL) {
        PyErr_Print();
        return NULL;
    }
    res = PyEval_EvalCode(code, self->ctx.globals, self->ctx.globals);
    Py_DECREF(code);
    if (res == NULL)
        PyErr_Print();
    Py_XDECREF(res);
    leave_sub(&self->ctx, prev);
    return PyBool_FromLong(res != NULL);
}

static PyObject *
Sub_eval(SubObject *self, PyObject *args)
{
    const char *src;
    PyThreadState *prev;
    PyObject *res;
    long value = 0;
    int ok;

    if (!PyArg_ParseTuple(args, "s", &src))
        return NULL;
    prev = enter_sub(&self->ctx);
    res = PyRun_String(src, Py_eval_input, self->ctx.globals, self->ctx.globals);
    ok = res != NULL;
    if (ok)
        value = PyLong_AsLong(res);
    else
        PyErr_Print();
    Py_XDECREF(res);
    leave_sub(&self->ctx, prev);
    if (!ok) {
        PyErr_SetString(PyExc_RuntimeError, "evaluation failed in sub-interpreter");
        return NULL;
    }
    return PyLong_FromLong(value);
}

static PyMethodDef Sub_methods[] = {
    {"exec", (PyCFunction)Sub_exec, METH_VARARGS, NULL},
    {"eval", (PyCFunction)Sub_eval, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Sub_slots[] = {
    {Py_tp_methods, Sub_methods},
    {0, NULL}
};

static PyType_Spec Sub_spec = {
    .name = "subrun.Sub",
    .basicsize = sizeof(SubObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Sub_slots,
};
