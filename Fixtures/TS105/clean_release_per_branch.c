#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: exactly one PyGILState_Release() per path, placed in each branch
   of an if/else chain and of a switch, with returns in the branches. */

enum { ST_CONNECTED, ST_DATA, ST_CLOSED };

typedef struct {
    PyObject_HEAD
    PyObject *handler;
    Py_ssize_t received;
} ConnObject;

static int
status_cb(void *user, int status, const char *data, size_t len)
{
    ConnObject *self = (ConnObject *)user;
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *r;

    switch (status) {
    case ST_CONNECTED:
        r = PyObject_CallMethod(self->handler, "connected", NULL);
        if (r == NULL) {
            PyGILState_Release(st);
            return -1;
        }
        Py_DECREF(r);
        PyGILState_Release(st);
        return 0;
    case ST_DATA:
        self->received += (Py_ssize_t)len;
        r = PyObject_CallMethod(self->handler, "data", "y#", data, (Py_ssize_t)len);
        break;
    case ST_CLOSED:
        r = PyObject_CallMethod(self->handler, "closed", NULL);
        break;
    default:
        PyGILState_Release(st);
        return -1;
    }

    if (r == NULL) {
        PyErr_WriteUnraisable(self->handler);
        PyGILState_Release(st);
        return -1;
    }
    else if (r == Py_None) {
        Py_DECREF(r);
        PyGILState_Release(st);
        return 0;
    }
    else {
        int keep = PyObject_IsTrue(r);
        Py_DECREF(r);
        PyGILState_Release(st);
        return keep;
    }
}

typedef int (*status_fn)(void *, int, const char *, size_t);
extern void lib_set_status_callback(status_fn fn, void *user);

void
conn_install(ConnObject *self)
{
    lib_set_status_callback(status_cb, self);
}
