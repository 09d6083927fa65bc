#include <Python.h>
#include <string.h>

/* Static data that looks like state but is not: a template whose object fields are NULL and
   that is only copied into module state (as _decimal's signal maps), a pointer to the
   module's definition, and immutable tables. */
typedef struct {
    const char *name;
    const char *qualname;
    long flag;
    PyObject *exception;
} condition_map;

static condition_map condition_template[] = {
    {"Overflow", "numbers.Overflow", 1, NULL},
    {"Underflow", "numbers.Underflow", 2, NULL},
    {NULL},
};

typedef struct {
    condition_map *conditions;
} numbers_state;

static struct PyModuleDef numbers_module;
static struct PyModuleDef *const self_definition = &numbers_module;

static int
exec_module(PyObject *module)
{
    numbers_state *state = PyModule_GetState(module);
    state->conditions = PyMem_Malloc(sizeof(condition_template));
    if (state->conditions == NULL)
        return -1;
    memcpy(state->conditions, condition_template, sizeof(condition_template));
    for (condition_map *entry = state->conditions; entry->name != NULL; entry++) {
        entry->exception = PyErr_NewException(entry->qualname, NULL, NULL);
        if (entry->exception == NULL)
            return -1;
    }
    return PyModule_GetDef(module) == self_definition ? 0 : -1;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef numbers_module = {PyModuleDef_HEAD_INIT, "numbers", NULL, sizeof(numbers_state), NULL, slots};

PyMODINIT_FUNC
PyInit_numbers(void)
{
    return PyModuleDef_Init(&numbers_module);
}
