#include <Python.h>

/* Suppressions that name real rules, or only other tools' checks, are not reported. */
static PyObject *
leak_on_error(PyObject *self, PyObject *args)
{
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    failed = args == NULL;
    if (failed)
        return NULL;  // tstate-lint: ignore[TS101] deliberately left for the test harness
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(failed);  // NOLINT(readability-magic-numbers)
}

static PyMethodDef methods[] = {
    {"leak_on_error", leak_on_error, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
