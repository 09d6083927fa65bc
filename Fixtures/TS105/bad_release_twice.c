#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS105: PyGILState_Release() twice with the same token. notify() is a
   Python entry point written to be callable from any thread, so its Ensure
   is nested inside an attached thread state: the error branch releases and
   then falls through to the common release. */

static PyObject *
notify(PyObject *module, PyObject *args)
{
    PyObject *cb, *r;
    long code;
    PyGILState_STATE st;
    int ok = 0;

    if (!PyArg_ParseTuple(args, "Ol", &cb, &code))
        return NULL;
    st = PyGILState_Ensure();
    r = PyObject_CallFunction(cb, "l", code);
    if (r == NULL) {
        PyErr_WriteUnraisable(cb);
        PyGILState_Release(st);
    }
    else {
        ok = PyObject_IsTrue(r) > 0;
        Py_DECREF(r);
    }
    PyGILState_Release(st);   /* expect: TS105 */
    return PyBool_FromLong(ok);
}

static PyObject *
notify_ok(PyObject *module, PyObject *args)
{
    PyObject *cb, *r;
    long code;
    PyGILState_STATE st;

    if (!PyArg_ParseTuple(args, "Ol", &cb, &code))
        return NULL;
    st = PyGILState_Ensure();
    r = PyObject_CallFunction(cb, "l", code);
    if (r == NULL)
        PyErr_WriteUnraisable(cb);
    else
        Py_DECREF(r);
    PyGILState_Release(st);
    Py_RETURN_NONE;
}

static PyMethodDef notifier_methods[] = {
    {"notify", notify, METH_VARARGS, NULL},
    {"notify_ok", notify_ok, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static PyModuleDef_Slot notifier_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef notifier = {
    PyModuleDef_HEAD_INIT,
    .m_name = "notifier",
    .m_size = 0,
    .m_methods = notifier_methods,
    .m_slots = notifier_slots,
};

PyMODINIT_FUNC
PyInit_notifier(void)
{
    return PyModuleDef_Init(&notifier);
}
