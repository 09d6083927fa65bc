#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

/* The module declares it cannot be loaded in sub-interpreters: PyGILState is right here. */
static void
on_event(void *data)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *result = PyObject_CallNoArgs((PyObject *)data);
    Py_XDECREF(result);
    PyGILState_Release(gil);
}

static PyObject *
fire(PyObject *module, PyObject *callback)
{
    Py_BEGIN_ALLOW_THREADS
    on_event(callback);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"fire", fire, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL},
};

static struct PyModuleDef events_module = {
    PyModuleDef_HEAD_INIT, .m_name = "events", .m_size = 0, .m_methods = methods, .m_slots = slots,
};

PyMODINIT_FUNC
PyInit_events(void)
{
    return PyModuleDef_Init(&events_module);
}
