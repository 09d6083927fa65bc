#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The callbacks of the check table: every entry uses the C-API, so a
   call through the table needs an attached thread state. */

#include "ops.h"

static int
run_nonempty(PyObject *obj)
{
    Py_ssize_t n = PyObject_Length(obj);
    if (n < 0)
        return -1;
    return n > 0;
}

static int
run_hashable(PyObject *obj)
{
    if (PyObject_Hash(obj) == -1) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static int
run_truthy(PyObject *obj)
{
    return PyObject_IsTrue(obj);
}

const struct ops table[] = {
    {"nonempty", run_nonempty},
    {"hashable", run_hashable},
    {"truthy", run_truthy},
};

const size_t table_len = sizeof table / sizeof table[0];
