#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Helpers of an image codec module (Pillow-decoder style). Each uses the
   C-API, so each needs an attached thread state; they are not static,
   so they are reported at detached call sites in module.c (TS203). */

#include "util.h"

int
img_set_error(int code, const char *where)
{
    if (code == -2)
        PyErr_NoMemory();
    else
        PyErr_Format(PyExc_OSError, "decoder error %d in %s", code, where);
    return -1;
}

void
img_drop_ref(PyObject **slot)
{
    Py_CLEAR(*slot);
}

int
img_notify(PyObject *callback, Py_ssize_t done, Py_ssize_t total)
{
    PyObject *r;

    if (callback == NULL || callback == Py_None)
        return 0;
    r = PyObject_CallFunction(callback, "nn", done, total);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}
