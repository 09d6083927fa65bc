#include <Python.h>

/* An unknown macro (a header is missing) swallows the next line, and with it
   the re-attach of Py_END_ALLOW_THREADS. The path after it is not known, so
   nothing on it is reported: no TS201 on the Py_INCREF, no TS101 at the
   return. The file itself is reported (TS003). */

static PyObject *
write_all(PyObject *self, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    Py_BEGIN_ALLOW_THREADS
    n = n * 2;
    _Py_END_SUPPRESS_IPH_UNKNOWN         /* expect: TS003 */
    Py_END_ALLOW_THREADS
    Py_INCREF(arg);
    return arg;
}

/* The same with a jump lost: `return` inside code that did not parse. */
static PyObject *
check_value(PyObject *self, PyObject *arg)
{
    Py_BEGIN_ALLOW_THREADS
    if (PyUnknownType_Check(arg)) {
        UNKNOWN_CLEANUP return NULL;
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"write_all", write_all, METH_O, NULL},
    {"check_value", check_value, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "writer", NULL, -1, methods};
PyMODINIT_FUNC PyInit_writer(void) { return PyModule_Create(&module); }
