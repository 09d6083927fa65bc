#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS102: a void logging callback releases the GIL only on the success
   branch; the error branch falls off the end of the function with the
   PyGILState token still held (reported on the closing brace). */

typedef struct {
    PyObject_HEAD
    PyObject *callback;
    int min_level;
} LoggerObject;

typedef void (*log_fn)(int level, const char *msg, void *user);
extern void lib_set_log_handler(log_fn fn, void *user);

static void
log_handler(int level, const char *msg, void *user)
{
    LoggerObject *self = (LoggerObject *)user;
    PyGILState_STATE st;
    PyObject *r;

    if (level < self->min_level)
        return;
    st = PyGILState_Ensure();
    r = PyObject_CallFunction(self->callback, "is", level, msg);
    if (r != NULL) {
        Py_DECREF(r);
        PyGILState_Release(st);
    }
    else {
        PyErr_WriteUnraisable(self->callback);
    }
}   /* expect: TS102 */

void
logger_install(LoggerObject *self)
{
    lib_set_log_handler(log_handler, self);
}
