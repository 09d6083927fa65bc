#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): the slow schema lookup runs detached, and the
   checks of ops.c's table are called through `table[i].run(obj)` only
   after Py_END_ALLOW_THREADS, attached. */

#include "ops.h"

extern int schema_lookup(const char *schema, unsigned *mask);

static PyObject *
validate(PyObject *module, PyObject *args)
{
    const char *schema;
    PyObject *obj;
    unsigned mask = 0;
    size_t i;
    int rc, r, failed = 0;

    if (!PyArg_ParseTuple(args, "sO", &schema, &obj))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = schema_lookup(schema, &mask);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_Format(PyExc_KeyError, "unknown schema %s", schema);
        return NULL;
    }
    for (i = 0; i < table_len; i++) {
        if (!(mask & (1u << i)))
            continue;
        r = table[i].run(obj);
        if (r < 0)
            return NULL;
        if (r == 0)
            failed++;
    }
    return PyLong_FromLong(failed);
}

static PyMethodDef validator_methods[] = {
    {"validate", validate, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
