#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: helpers that switch interpreters on every path on purpose, and
   are not Python entry points: request_begin() (wraps switch_in(), always
   leaves the request's interpreter current) is paired with request_end();
   a server hook on_request() (called by the C server, not by Python)
   brackets the work with them on every path, and the Python method
   Server_handle() does the same through handle_one(). */

typedef struct {
    PyThreadState *interp_ts;
    PyObject *app;
    PyThreadState *saved;
} request;

static PyThreadState *
switch_in(PyThreadState *ts)
{
    return PyThreadState_Swap(ts);
}

void
request_begin(request *r)
{
    r->saved = switch_in(r->interp_ts);
}

void
request_end(request *r)
{
    PyThreadState_Swap(r->saved);
    r->saved = NULL;
}

static int
handle_one(request *r, const char *path)
{
    PyObject *res;
    int status = -1;

    request_begin(r);
    res = PyObject_CallFunction(r->app, "s", path);
    if (res == NULL) {
        PyErr_Print();
        goto out;
    }
    status = PyLong_Check(res) ? (int)PyLong_AsLong(res) : 200;
    Py_DECREF(res);
out:
    request_end(r);
    return status;
}

int
on_request(void *server_data, const char *path)
{
    request *r = (request *)server_data;
    PyGILState_STATE st = PyGILState_Ensure();
    int status = handle_one(r, path);
    PyGILState_Release(st);
    return status;
}

typedef struct {
    PyObject_HEAD
    request req;
} ServerObject;

static PyObject *
Server_handle(ServerObject *self, PyObject *args)
{
    const char *path;
    int status;

    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    status = handle_one(&self->req, path);
    return PyLong_FromLong(status);
}

static PyMethodDef Server_methods[] = {
    {"handle", (PyCFunction)Server_handle, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
