#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED ((void *)1)
#endif

typedef void (*event_callback)(void *);
extern void library_subscribe(event_callback callback, void *data);

static void
on_event(void *data)
{
    PyGILState_STATE gil = PyGILState_Ensure(); /* expect: TS304 */
    PyObject *callback = data;
    PyObject *result = PyObject_CallNoArgs(callback);
    Py_XDECREF(result);
    PyGILState_Release(gil);
}

static PyObject *
subscribe(PyObject *module, PyObject *callback)
{
    library_subscribe(on_event, Py_NewRef(callback));
    Py_RETURN_NONE;
}

static PyThreadState *
current_for_debugging(void)
{
    return PyGILState_GetThisThreadState(); /* expect: TS304 */
}

static PyMethodDef methods[] = {
    {"subscribe", subscribe, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
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
