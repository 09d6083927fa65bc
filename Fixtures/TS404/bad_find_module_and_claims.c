#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED ((void *)1)
#  define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)
#endif

static struct PyModuleDef modern_module;

static PyObject *
get_state_module(PyObject *self, PyObject *args)
{
    PyObject *module = PyState_FindModule(&modern_module); /* expect: TS404 */
    if (module == NULL)
        PyErr_SetString(PyExc_RuntimeError, "module not found");
    return Py_XNewRef(module);
}

static PyMethodDef modern_methods[] = {
    {"get_state_module", get_state_module, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef modern_module = {PyModuleDef_HEAD_INIT, "modern", NULL, 0, modern_methods};

PyMODINIT_FUNC
PyInit_modern(void)
{
    return PyModuleDef_Init(&modern_module);
}

/* Claims per-interpreter GIL support but keeps its state in globals. */
static PyModuleDef_Slot globals_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}, /* expect: TS404 */
    {0, NULL},
};

static struct PyModuleDef globals_module = {PyModuleDef_HEAD_INIT, "globals", NULL, -1, NULL, globals_slots};

PyMODINIT_FUNC
PyInit_globals(void)
{
    return PyModuleDef_Init(&globals_module);
}

/* Claims support but is created with single-phase init. */
static PyModuleDef_Slot legacy_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED}, /* expect: TS404 */
    {0, NULL},
};

static struct PyModuleDef legacy_module = {PyModuleDef_HEAD_INIT, "legacy", NULL, 0, NULL, legacy_slots};

PyMODINIT_FUNC
PyInit_legacy(void)
{
    return PyModule_Create(&legacy_module);
}
