#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS105: two nested PyGILState_Ensure() calls released in the wrong order
   (the outer token first). Reported on the first, out-of-order release;
   the inner token's release afterwards is then the last outstanding one. */

static PyObject *
relay(PyObject *module, PyObject *args)
{
    PyObject *src, *dst, *item, *r;
    PyGILState_STATE outer, inner;

    if (!PyArg_ParseTuple(args, "OO", &src, &dst))
        return NULL;
    outer = PyGILState_Ensure();
    item = PyObject_CallNoArgs(src);
    inner = PyGILState_Ensure();
    r = item ? PyObject_CallOneArg(dst, item) : NULL;
    Py_XDECREF(item);
    PyGILState_Release(outer);   /* expect: TS105 */
    PyGILState_Release(inner);
    return r;
}

static PyMethodDef relay_methods[] = {
    {"relay", relay, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static PyModuleDef_Slot relay_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef relaymod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "relay",
    .m_size = 0,
    .m_methods = relay_methods,
    .m_slots = relay_slots,
};

PyMODINIT_FUNC
PyInit_relay(void)
{
    return PyModuleDef_Init(&relaymod);
}
