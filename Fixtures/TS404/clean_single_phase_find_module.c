#include <Python.h>

/* PyState_FindModule is what single-phase modules are for. */
static struct PyModuleDef legacy_module;

static PyObject *
get_module(PyObject *self, PyObject *args)
{
    PyObject *module = PyState_FindModule(&legacy_module);
    return Py_XNewRef(module);
}

static PyMethodDef methods[] = {
    {"get_module", get_module, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef legacy_module = {PyModuleDef_HEAD_INIT, "legacy", NULL, 0, methods};

PyMODINIT_FUNC
PyInit_legacy(void)
{
    PyObject *module = PyModule_Create(&legacy_module);
    if (module != NULL && PyState_AddModule(module, &legacy_module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
