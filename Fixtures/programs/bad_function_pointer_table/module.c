#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: validate() runs every check of ops.c's table through
   `table[i].run(obj)` inside a released region (it wanted to overlap the
   checks with a slow C lookup): TS203 at the indirect call. The attached
   call in check_one() is fine. */

#include "ops.h"

extern int schema_lookup(const char *schema, unsigned *mask);

static PyObject *
validate(PyObject *module, PyObject *args)
{
    const char *schema;
    PyObject *obj;
    unsigned mask = 0;
    size_t i;
    int rc = 0, failed = 0;

    if (!PyArg_ParseTuple(args, "sO", &schema, &obj))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = schema_lookup(schema, &mask);
    for (i = 0; rc == 0 && i < table_len; i++) {
        if (!(mask & (1u << i)))
            continue;
        if (table[i].run(obj) <= 0)   /* expect: TS203 */
            failed++;
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_Format(PyExc_KeyError, "unknown schema %s", schema);
        return NULL;
    }
    return PyLong_FromLong(failed);
}

static PyObject *
check_one(PyObject *module, PyObject *args)
{
    Py_ssize_t i;
    PyObject *obj;
    int r;

    if (!PyArg_ParseTuple(args, "nO", &i, &obj))
        return NULL;
    if (i < 0 || (size_t)i >= table_len) {
        PyErr_SetString(PyExc_IndexError, "no such check");
        return NULL;
    }
    r = table[i].run(obj);
    if (r < 0)
        return NULL;
    return PyBool_FromLong(r);
}

static PyMethodDef validator_methods[] = {
    {"validate", validate, METH_VARARGS, NULL},
    {"check_one", check_one, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
