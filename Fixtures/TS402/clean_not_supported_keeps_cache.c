#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#endif

/* Declares it cannot be loaded in several interpreters, with the slot spelled by value
   (a compat define for old headers): its caches are its own business. */
static PyObject *cache;
static PyTypeObject LegacyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cached.Legacy",
    .tp_basicsize = sizeof(PyObject),
};

static PyObject *
lookup(PyObject *module, PyObject *key)
{
    if (cache == NULL && (cache = PyDict_New()) == NULL)
        return NULL;
    return Py_XNewRef(PyDict_GetItemWithError(cache, key));
}

static PyMethodDef methods[] = {
    {"lookup", lookup, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int
exec_module(PyObject *module)
{
    return PyModule_AddType(module, &LegacyType);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, (void *)0},
    {0, NULL},
};

static struct PyModuleDef cached_module = {PyModuleDef_HEAD_INIT, "cached", NULL, 0, methods, slots};

PyMODINIT_FUNC
PyInit_cached(void)
{
    return PyModuleDef_Init(&cached_module);
}
