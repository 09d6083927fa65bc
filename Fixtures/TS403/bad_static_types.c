#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)
#endif

typedef struct {
    PyObject_HEAD
    long value;
} CounterObject;

static PyTypeObject CounterType = { /* expect: TS403 */
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "counters.Counter",
    .tp_basicsize = sizeof(CounterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject variant_types[2]; /* expect: TS403 */

static int
exec_module(PyObject *module)
{
    if (PyType_Ready(&CounterType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "Counter", (PyObject *)&CounterType);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {0, NULL},
};

static struct PyModuleDef counters_module = {PyModuleDef_HEAD_INIT, "counters", NULL, 0, NULL, slots};

PyMODINIT_FUNC
PyInit_counters(void)
{
    return PyModuleDef_Init(&counters_module);
}
