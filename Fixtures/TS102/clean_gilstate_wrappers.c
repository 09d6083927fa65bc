#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: wrappers around PyGILState_*: a helper that returns the token,
   helpers that keep the token in an object field, a release helper taking
   the token as a parameter, and their use in a callback (the callback is
   balanced without looking inside the helpers: they are unknown calls). */

typedef struct {
    PyObject_HEAD
    PyObject *callback;
    PyGILState_STATE gstate;
} SinkObject;

PyGILState_STATE
sink_acquire_gil(void)
{
    return PyGILState_Ensure();
}

void
sink_release_gil(PyGILState_STATE st)
{
    PyGILState_Release(st);
}

void
sink_lock(SinkObject *self)
{
    self->gstate = PyGILState_Ensure();
}

void
sink_unlock(SinkObject *self)
{
    PyGILState_Release(self->gstate);
}

int
sink_notify(SinkObject *self, long value)
{
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(self->callback, "l", value);
    int rc = 0;

    if (r == NULL) {
        PyErr_WriteUnraisable(self->callback);
        rc = -1;
    }
    else {
        Py_DECREF(r);
    }
    PyGILState_Release(st);
    return rc;
}
