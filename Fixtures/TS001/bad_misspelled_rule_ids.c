#include <Python.h>

static PyObject *
compute(PyObject *self, PyObject *args)
{
    long n = 0;
    Py_BEGIN_ALLOW_THREADS
    n = 42;  // tstate-lint: ignore[TS1O1] /* expect: TS001 */
    Py_END_ALLOW_THREADS
    /* NOLINTNEXTLINE(TS999, bugprone-branch-clone) */ /* expect: TS001 */
    return PyLong_FromLong(n);
}

/* tstate-lint: ignore-file[TS5O2] */ /* expect: TS001 */

static PyMethodDef methods[] = {
    {"compute", compute, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
