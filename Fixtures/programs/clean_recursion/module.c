#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): Python methods calling the recursive helpers of
   tree.c with the thread state attached. */

#include "tree.h"

static PyObject *
flatten(PyObject *module, PyObject *arg)
{
    PyObject *out = PyList_New(0);

    if (out == NULL)
        return NULL;
    if (tree_flatten(arg, out, 0) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *
scan(PyObject *module, PyObject *args)
{
    PyObject *pathobj, *out;
    int rc;

    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &pathobj))
        return NULL;
    out = PyList_New(0);
    if (out == NULL) {
        Py_DECREF(pathobj);
        return NULL;
    }
    rc = scan_tree(PyBytes_AS_STRING(pathobj), out, 0);
    Py_DECREF(pathobj);
    if (rc < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyMethodDef treewalk_methods[] = {
    {"flatten", flatten, METH_O, NULL},
    {"scan", scan, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef treewalk = {
    PyModuleDef_HEAD_INIT,
    .m_name = "treewalk",
    .m_size = 0,
    .m_methods = treewalk_methods,
};

PyMODINIT_FUNC
PyInit_treewalk(void)
{
    return PyModuleDef_Init(&treewalk);
}
