#include <Python.h>

/* The code was fixed; the suppressions stayed. */
static PyObject *
read_all(PyObject *self, PyObject *args)
{
    long n = 0;
    Py_BEGIN_ALLOW_THREADS
    n = 1;
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(n);  // tstate-lint: ignore[TS101] /* expect: TS002 */
}

static PyObject *
touch(PyObject *self, PyObject *arg)
{
    // NOLINTNEXTLINE(TS201) /* expect: TS002 */
    Py_INCREF(arg);
    return arg;
}

static PyMethodDef methods[] = {
    {"read_all", read_all, METH_NOARGS, NULL},
    {"touch", touch, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};
