#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: everything taken from Python objects (list items, bytes storage
   and size, tuple items) is copied into C variables while attached; the
   released region only touches C data; results are built after
   Py_END_ALLOW_THREADS. */

#include <stdlib.h>

extern double median_of(double *values, Py_ssize_t n);
extern unsigned long crc32_compute(const char *buf, Py_ssize_t len);

static PyObject *
median(PyObject *module, PyObject *list)
{
    Py_ssize_t i, n;
    double *values, result;

    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "expected a list");
        return NULL;
    }
    n = PyList_GET_SIZE(list);
    values = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(double));
    if (values == NULL)
        return PyErr_NoMemory();
    for (i = 0; i < n; i++) {
        values[i] = PyFloat_AsDouble(PyList_GET_ITEM(list, i));
        if (values[i] == -1.0 && PyErr_Occurred()) {
            PyMem_RawFree(values);
            return NULL;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    result = median_of(values, n);
    PyMem_RawFree(values);
    Py_END_ALLOW_THREADS
    return PyFloat_FromDouble(result);
}

static PyObject *
checksum(PyObject *module, PyObject *data)
{
    const char *buf;
    Py_ssize_t len;
    unsigned long crc;

    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "expected bytes");
        return NULL;
    }
    buf = PyBytes_AS_STRING(data);
    len = PyBytes_GET_SIZE(data);
    Py_BEGIN_ALLOW_THREADS
    crc = crc32_compute(buf, len);
    Py_END_ALLOW_THREADS
    return PyLong_FromUnsignedLong(crc);
}

static PyMethodDef statmod_methods[] = {
    {"median", median, METH_O, NULL},
    {"checksum", checksum, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef statmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "statmod",
    .m_size = 0,
    .m_methods = statmod_methods,
};

PyMODINIT_FUNC
PyInit_statmod(void)
{
    return PyModuleDef_Init(&statmod);
}
