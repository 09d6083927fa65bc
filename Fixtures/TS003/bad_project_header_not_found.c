#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "psycopg/psycopg.h"   /* expect: TS003 */

/* A newcomer's run without the project's include directory: the header is
   not found, so what depends on it did not parse. The file is a finding of
   its own, not "no problems found", and the run exits 1. (This fixture does
   not compile, on purpose.) */

static PyObject *
conn_close(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_BEGIN_ALLOW_THREADS
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"close", conn_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
