#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: callbacks with several early returns, each preceded by its own
   PyGILState_Release(); a switch where every case releases; and the
   pycairo write function in its correct form. */

typedef enum {
    CAIRO_STATUS_SUCCESS = 0,
    CAIRO_STATUS_WRITE_ERROR = 11
} cairo_status_t;

enum { EV_OPEN, EV_DATA, EV_CLOSE };

typedef struct {
    PyObject_HEAD
    PyObject *handler;
    PyObject *buffer;
} StreamObject;

static cairo_status_t
write_func(void *closure, const unsigned char *data, unsigned int length)
{
    PyGILState_STATE gstate = PyGILState_Ensure();
    PyObject *res = PyObject_CallMethod((PyObject *)closure, "write", "(y#)",
                                        data, (Py_ssize_t)length);
    if (res == NULL) {
        PyGILState_Release(gstate);
        return CAIRO_STATUS_WRITE_ERROR;
    }
    Py_DECREF(res);
    PyGILState_Release(gstate);
    return CAIRO_STATUS_SUCCESS;
}

static int
stream_event(void *user, int kind, const char *data, size_t len)
{
    StreamObject *self = (StreamObject *)user;
    PyGILState_STATE gstate = PyGILState_Ensure();
    PyObject *r;

    switch (kind) {
    case EV_OPEN:
        r = PyObject_CallMethod(self->handler, "opened", NULL);
        break;
    case EV_DATA:
        if (len == 0) {
            PyGILState_Release(gstate);
            return 0;
        }
        r = PyObject_CallMethod(self->handler, "data", "y#", data, (Py_ssize_t)len);
        break;
    case EV_CLOSE:
        Py_CLEAR(self->buffer);
        PyGILState_Release(gstate);
        return 0;
    default:
        PyGILState_Release(gstate);
        return -1;
    }
    if (r == NULL) {
        PyErr_WriteUnraisable(self->handler);
        PyGILState_Release(gstate);
        return -1;
    }
    Py_DECREF(r);
    PyGILState_Release(gstate);
    return 0;
}

typedef cairo_status_t (*write_fn)(void *, const unsigned char *, unsigned int);
typedef int (*event_fn)(void *, int, const char *, size_t);
extern void lib_set_writer(write_fn fn, void *closure);
extern void lib_set_event_handler(event_fn fn, void *user);

void
stream_install(StreamObject *self, PyObject *file)
{
    lib_set_writer(write_func, file);
    lib_set_event_handler(stream_event, self);
}
