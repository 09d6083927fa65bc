#include <Python.h>

/* Single-phase: legacy sub-interpreters (mod_wsgi, uWSGI) share the module's globals. */
static PyObject *default_handler; /* expect: TS402 */

static PyObject *
set_handler(PyObject *module, PyObject *handler)
{
    Py_XSETREF(default_handler, Py_NewRef(handler));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"set_handler", set_handler, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef legacy_module = {PyModuleDef_HEAD_INIT, "legacy", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_legacy(void)
{
    return PyModule_Create(&legacy_module);
}
