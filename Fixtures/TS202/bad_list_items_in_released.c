#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS202: reading and writing the item arrays of list and tuple objects
   (ob_item, declared in Python's headers) while the thread state is
   detached. One diagnostic per path: the first access stops the path. */

#include <stdlib.h>

extern double weight_of(const void *key);

static int
cmp_address(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return (x > y) - (x < y);
}

static PyObject *
sort_by_identity(PyObject *module, PyObject *list)
{
    Py_ssize_t n;

    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    n = PyList_GET_SIZE(list);
    Py_BEGIN_ALLOW_THREADS
    qsort(((PyListObject *)list)->ob_item, (size_t)n, sizeof(PyObject *), cmp_address);   /* expect: TS202 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
total_weight(PyObject *module, PyObject *args)
{
    Py_ssize_t i, n = PyTuple_GET_SIZE(args);
    double total = 0.0;

    Py_BEGIN_ALLOW_THREADS
    for (i = 0; i < n; i++)
        total += weight_of(((PyTupleObject *)args)->ob_item[i]);   /* expect: TS202 */
    Py_END_ALLOW_THREADS
    return PyFloat_FromDouble(total);
}

static PyMethodDef listops_methods[] = {
    {"sort_by_identity", sort_by_identity, METH_O, NULL},
    {"total_weight", total_weight, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef listops = {
    PyModuleDef_HEAD_INIT,
    .m_name = "listops",
    .m_size = 0,
    .m_methods = listops_methods,
};

PyMODINIT_FUNC
PyInit_listops(void)
{
    return PyModuleDef_Init(&listops);
}
