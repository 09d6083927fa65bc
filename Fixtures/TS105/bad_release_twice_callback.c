#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS105: a C callback releases its PyGILState token on the error branch
   and again on the common exit path (one diagnostic, on the second
   release; no separate "no thread state" report for that same call). */

typedef struct {
    PyObject_HEAD
    PyObject *filter;
} FilterObject;

static int
filter_cb(void *user, const char *name)
{
    FilterObject *self = (FilterObject *)user;
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(self->filter, "s", name);
    int keep = 1;

    if (r == NULL) {
        PyErr_WriteUnraisable(self->filter);
        PyGILState_Release(st);
    }
    else {
        keep = PyObject_IsTrue(r);
        Py_DECREF(r);
    }
    PyGILState_Release(st);   /* expect: TS105 */
    return keep;
}

typedef int (*filter_fn)(void *, const char *);
extern void lib_set_filter(filter_fn fn, void *user);

void
filter_install(FilterObject *self)
{
    lib_set_filter(filter_cb, self);
}
