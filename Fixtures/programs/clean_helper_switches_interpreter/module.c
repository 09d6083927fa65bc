#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): Sub_exec() switches into the sub-interpreter with
   enter_sub() (subinterp.c) and every path, including the compile-error
   path, goes through leave_sub() before returning; Sub_get_name (a
   getter) does the same with an early exit that happens before the
   switch. */

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
    PyObject *code, *res = NULL;

    if (!PyArg_ParseTuple(args, "s", &src))
        return NULL;
    prev = enter_sub(&self->ctx);
    code = Py_CompileString(src, "<sub>", Py_file_input);
    if (code == NULL)
        goto leave;
    res = PyEval_EvalCode(code, self->ctx.globals, self->ctx.globals);
    Py_DECREF(code);
leave:
    if (res == NULL)
        PyErr_Print();
    Py_XDECREF(res);
    leave_sub(&self->ctx, prev);
    return PyBool_FromLong(res != NULL);
}

static PyObject *
Sub_get_name(SubObject *self, void *closure)
{
    PyThreadState *prev;
    PyObject *name;
    char buf[128];

    if (self->ctx.tstate == NULL)
        Py_RETURN_NONE;
    prev = enter_sub(&self->ctx);
    name = PyDict_GetItemString(self->ctx.globals, "__name__");
    if (name != NULL && PyUnicode_Check(name))
        PyOS_snprintf(buf, sizeof buf, "%s", PyUnicode_AsUTF8(name));
    else
        PyOS_snprintf(buf, sizeof buf, "%s", "?");
    if (PyErr_Occurred())
        PyErr_Clear();
    leave_sub(&self->ctx, prev);
    return PyUnicode_FromString(buf);
}

static PyMethodDef Sub_methods[] = {
    {"exec", (PyCFunction)Sub_exec, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Sub_getset[] = {
    {"name", (getter)Sub_get_name, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Sub_slots[] = {
    {Py_tp_methods, Sub_methods},
    {Py_tp_getset, Sub_getset},
    {0, NULL}
};

static PyType_Spec Sub_spec = {
    .name = "subrun.Sub",
    .basicsize = sizeof(SubObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Sub_slots,
};
