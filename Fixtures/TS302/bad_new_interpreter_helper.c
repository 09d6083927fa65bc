#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS302 with Py_NewInterpreter() in a helper (mod_wsgi newInterpreterObject
   style): sub_create() creates a sub-interpreter, which leaves its thread
   state current, and returns the thread state that was current before (or
   NULL when creation failed, in which case nothing was switched).
   sub_destroy() ends the sub-interpreter and switches back.
   Sandbox_run() returns on a failed PyRun_SimpleString() while still in
   the sub-interpreter; Sandbox_run_ok() destroys it first. */

typedef struct {
    PyObject_HEAD
    PyThreadState *sub;
    int runs;
} SandboxObject;

static PyThreadState *
sub_create(SandboxObject *self)
{
    PyThreadState *prev = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();

    if (sub == NULL)
        return NULL;
    self->sub = sub;
    return prev;
}

static void
sub_destroy(SandboxObject *self, PyThreadState *prev)
{
    Py_EndInterpreter(self->sub);
    self->sub = NULL;
    PyThreadState_Swap(prev);
}

static PyObject *
Sandbox_run(SandboxObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *prev;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    prev = sub_create(self);   /* expect: TS302 */
    if (prev == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    if (PyRun_SimpleString(code) < 0)
        return NULL;
    sub_destroy(self, prev);
    self->runs++;
    Py_RETURN_NONE;
}

static PyObject *
Sandbox_run_ok(SandboxObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *prev;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    prev = sub_create(self);
    if (prev == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "sub-interpreter creation failed");
        return NULL;
    }
    rc = PyRun_SimpleString(code);
    sub_destroy(self, prev);
    if (rc < 0) {
        PyErr_SetString(PyExc_RuntimeError, "code raised an exception");
        return NULL;
    }
    self->runs++;
    Py_RETURN_NONE;
}

static PyMethodDef Sandbox_methods[] = {
    {"run", (PyCFunction)Sandbox_run, METH_VARARGS, NULL},
    {"run_ok", (PyCFunction)Sandbox_run_ok, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
