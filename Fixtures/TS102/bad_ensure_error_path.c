#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS102: error paths that skip PyGILState_Release():
   - trace_cb (C callback): the `error:` label forgets the release;
   - emit (a Python entry point written to be callable from any thread):
     nested Ensure while attached, early return without release. */

typedef struct {
    PyObject_HEAD
    PyObject *callback;
} TracerObject;

static int
trace_cb(void *user, const char *event, long arg)
{
    TracerObject *self = (TracerObject *)user;
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *name, *r;
    int rc = -1;

    name = PyUnicode_FromString(event);
    if (name == NULL)
        goto error;
    r = PyObject_CallFunction(self->callback, "Ol", name, arg);
    Py_DECREF(name);
    if (r == NULL)
        goto error;
    Py_DECREF(r);
    rc = 0;
    PyGILState_Release(st);
    return rc;

error:
    PyErr_WriteUnraisable(self->callback);
    return rc;   /* expect: TS102 */
}

typedef int (*trace_fn)(void *, const char *, long);
extern void lib_set_tracer(trace_fn fn, void *user);

static PyObject *
emit(PyObject *module, PyObject *args)
{
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *cb, *r;
    const char *msg;

    if (!PyArg_ParseTuple(args, "Os", &cb, &msg))
        return NULL;   /* expect: TS102 */
    r = PyObject_CallFunction(cb, "s", msg);
    PyGILState_Release(st);
    return r;
}

static PyObject *
install(PyObject *module, PyObject *tracer)
{
    lib_set_tracer(trace_cb, tracer);
    Py_RETURN_NONE;
}

static PyMethodDef tracer_methods[] = {
    {"emit", emit, METH_VARARGS, NULL},
    {"install", install, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static PyModuleDef_Slot tracer_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef tracermod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "tracer",
    .m_size = 0,
    .m_methods = tracer_methods,
    .m_slots = tracer_slots,
};

PyMODINIT_FUNC
PyInit_tracer(void)
{
    return PyModuleDef_Init(&tracermod);
}
