#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: enter_interp()/leave_interp() helpers around work in a
   sub-interpreter; every path after the enter reaches the leave at a
   single `done:` label (also from a switch statement and the error
   gotos), and the pre-enter validation returns before switching. */

typedef struct {
    PyThreadState *tstate;
    int kind;
} interp_ctx;

typedef struct {
    PyObject_HEAD
    interp_ctx ctx;
} RunnerObject;

static PyThreadState *
enter_interp(interp_ctx *ctx)
{
    return PyThreadState_Swap(ctx->tstate);
}

static void
leave_interp(interp_ctx *ctx, PyThreadState *prev)
{
    ctx->tstate = PyThreadState_Swap(prev);
}

static PyObject *
Runner_call(RunnerObject *self, PyObject *args)
{
    const char *modname, *attr;
    PyThreadState *prev;
    PyObject *mod = NULL, *fn = NULL, *res = NULL;
    long value = -1;

    if (!PyArg_ParseTuple(args, "ss", &modname, &attr))
        return NULL;
    if (self->ctx.tstate == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "runner is closed");
        return NULL;
    }
    prev = enter_interp(&self->ctx);
    mod = PyImport_ImportModule(modname);
    if (mod == NULL)
        goto done;
    fn = PyObject_GetAttrString(mod, attr);
    if (fn == NULL)
        goto done;
    switch (self->ctx.kind) {
    case 0:
        res = PyObject_CallNoArgs(fn);
        break;
    case 1:
        res = PyObject_CallFunction(fn, "i", 1);
        break;
    default:
        goto done;
    }
    if (res == NULL)
        goto done;
    value = PyLong_AsLong(res);
done:
    if (PyErr_Occurred())
        PyErr_Print();
    Py_XDECREF(res);
    Py_XDECREF(fn);
    Py_XDECREF(mod);
    leave_interp(&self->ctx, prev);
    return PyLong_FromLong(value);
}

static PyMethodDef Runner_methods[] = {
    {"call", (PyCFunction)Runner_call, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
