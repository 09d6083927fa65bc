#include <Python.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)
#endif

typedef struct {
    PyObject_HEAD
    long value;
} CounterObject;

typedef struct {
    PyTypeObject *CounterType;
} counters_state;

static PyType_Slot counter_slots[] = {
    {Py_tp_new, PyType_GenericNew},
    {0, NULL},
};

static PyType_Spec counter_spec = {
    "counters.Counter", sizeof(CounterObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HEAPTYPE, counter_slots,
};

static int
exec_module(PyObject *module)
{
    counters_state *state = PyModule_GetState(module);
    state->CounterType = (PyTypeObject *)PyType_FromModuleAndSpec(module, &counter_spec, NULL);
    return state->CounterType == NULL ? -1 : PyModule_AddType(module, state->CounterType);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {0, NULL},
};

static struct PyModuleDef counters_module = {PyModuleDef_HEAD_INIT, "counters", NULL, sizeof(counters_state), NULL, slots};

PyMODINIT_FUNC
PyInit_counters(void)
{
    return PyModuleDef_Init(&counters_module);
}
