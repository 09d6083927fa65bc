#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS302 (mod_wsgi-style): wsgi_acquire_interpreter() switches the thread
   to the named sub-interpreter's thread state and returns the previous
   one; wsgi_release_interpreter() switches back. Dispatcher_handle()
   returns NULL on the import error path without switching back (reported
   at the acquire call). Dispatcher_handle_ok() leaves through `done:`. */

typedef struct {
    const char *name;
    PyThreadState *tstate;
} InterpreterObject;

typedef struct {
    PyObject_HEAD
    InterpreterObject *interp;
} DispatcherObject;

static PyThreadState *
wsgi_acquire_interpreter(InterpreterObject *interp)
{
    return PyThreadState_Swap(interp->tstate);
}

static void
wsgi_release_interpreter(InterpreterObject *interp, PyThreadState *previous)
{
    PyThreadState_Swap(previous);
}

static long
run_handler(const char *script)
{
    PyObject *mod, *res;
    long status;

    mod = PyImport_ImportModule(script);
    if (mod == NULL)
        return -1;
    res = PyObject_CallMethod(mod, "handle", NULL);
    Py_DECREF(mod);
    if (res == NULL)
        return -1;
    status = PyLong_AsLong(res);
    Py_DECREF(res);
    return status;
}

static PyObject *
Dispatcher_handle(DispatcherObject *self, PyObject *args)
{
    const char *script;
    PyThreadState *prev;
    PyObject *mod;
    long status = 0;

    if (!PyArg_ParseTuple(args, "s", &script))
        return NULL;
    prev = wsgi_acquire_interpreter(self->interp);   /* expect: TS302 */
    mod = PyImport_ImportModule(script);
    if (mod == NULL) {
        PyErr_Print();
        return NULL;
    }
    Py_DECREF(mod);
    status = run_handler(script);
    if (status < 0)
        PyErr_Print();
    wsgi_release_interpreter(self->interp, prev);
    return PyLong_FromLong(status);
}

static PyObject *
Dispatcher_handle_ok(DispatcherObject *self, PyObject *args)
{
    const char *script;
    PyThreadState *prev;
    long status;

    if (!PyArg_ParseTuple(args, "s", &script))
        return NULL;
    prev = wsgi_acquire_interpreter(self->interp);
    status = run_handler(script);
    if (status < 0) {
        PyErr_Print();
        goto done;
    }
done:
    wsgi_release_interpreter(self->interp, prev);
    if (status < 0) {
        PyErr_SetString(PyExc_RuntimeError, "handler failed");
        return NULL;
    }
    return PyLong_FromLong(status);
}

static PyMethodDef Dispatcher_methods[] = {
    {"handle", (PyCFunction)Dispatcher_handle, METH_VARARGS, NULL},
    {"handle_ok", (PyCFunction)Dispatcher_handle_ok, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
