#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS102: C-library callbacks that take the GIL with PyGILState_Ensure()
   and return on an early path without PyGILState_Release(). */

typedef enum {
    CAIRO_STATUS_SUCCESS = 0,
    CAIRO_STATUS_WRITE_ERROR = 11
} cairo_status_t;

typedef struct {
    PyObject_HEAD
    PyObject *callback;
    int min_level;
} ProgressObject;

/* Called by the compression library from its worker threads. */
static int
progress_cb(void *user, long done, long total)
{
    ProgressObject *self = (ProgressObject *)user;
    PyGILState_STATE gstate;
    PyObject *res;
    int rc;

    gstate = PyGILState_Ensure();
    if (self->callback == NULL)
        return 0;   /* expect: TS102 */
    res = PyObject_CallFunction(self->callback, "ll", done, total);
    if (res == NULL) {
        PyErr_WriteUnraisable(self->callback);
        PyGILState_Release(gstate);
        return -1;
    }
    rc = PyObject_IsTrue(res);
    Py_DECREF(res);
    PyGILState_Release(gstate);
    return rc;
}

/* pycairo-style write function handed to cairo_surface_write_to_png_stream. */
static cairo_status_t
write_func(void *closure, const unsigned char *data, unsigned int length)
{
    PyGILState_STATE gstate = PyGILState_Ensure();
    PyObject *res = PyObject_CallMethod((PyObject *)closure, "write", "(y#)",
                                        data, (Py_ssize_t)length);
    if (res == NULL)
        return CAIRO_STATUS_WRITE_ERROR;   /* expect: TS102 */
    Py_DECREF(res);
    PyGILState_Release(gstate);
    return CAIRO_STATUS_SUCCESS;
}

typedef int (*progress_fn)(void *, long, long);
typedef cairo_status_t (*write_fn)(void *, const unsigned char *, unsigned int);
extern void lib_set_progress(progress_fn fn, void *user);
extern void lib_set_writer(write_fn fn, void *closure);

void
install_callbacks(ProgressObject *self, PyObject *file)
{
    lib_set_progress(progress_cb, self);
    lib_set_writer(write_func, file);
}
