#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: nested PyGILState_Ensure()/PyGILState_Release() pairs released in
   LIFO order, in a C callback and in a Python entry point (where Ensure
   nests inside the already attached thread state). */

typedef struct {
    PyObject_HEAD
    PyObject *outer_cb;
    PyObject *inner_cb;
} PairObject;

static int
pair_cb(void *user, long value)
{
    PairObject *self = (PairObject *)user;
    PyGILState_STATE outer, inner;
    PyObject *r;
    int rc = 0;

    outer = PyGILState_Ensure();
    r = PyObject_CallFunction(self->outer_cb, "l", value);
    if (r == NULL)
        rc = -1;
    Py_XDECREF(r);

    inner = PyGILState_Ensure();
    r = PyObject_CallFunction(self->inner_cb, "l", value);
    if (r == NULL)
        rc = -1;
    Py_XDECREF(r);
    PyGILState_Release(inner);

    if (rc < 0)
        PyErr_Print();
    PyGILState_Release(outer);
    return rc;
}

static PyObject *
call_twice(PyObject *module, PyObject *cb)
{
    PyGILState_STATE a = PyGILState_Ensure();
    PyGILState_STATE b = PyGILState_Ensure();
    PyObject *r = PyObject_CallNoArgs(cb);

    PyGILState_Release(b);
    if (r == NULL) {
        PyGILState_Release(a);
        return NULL;
    }
    Py_DECREF(r);
    r = PyObject_CallNoArgs(cb);
    PyGILState_Release(a);
    return r;
}

typedef int (*pair_fn)(void *, long);
extern void lib_set_pair_callback(pair_fn fn, void *user);

static PyObject *
install(PyObject *module, PyObject *pair)
{
    lib_set_pair_callback(pair_cb, pair);
    Py_RETURN_NONE;
}

static PyMethodDef nested_methods[] = {
    {"call_twice", call_twice, METH_O, NULL},
    {"install", install, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static PyModuleDef_Slot nested_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef nestedmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "nested",
    .m_size = 0,
    .m_methods = nested_methods,
    .m_slots = nested_slots,
};

PyMODINIT_FUNC
PyInit_nested(void)
{
    return PyModuleDef_Init(&nestedmod);
}
