#include <Python.h>

/* Cython's guard: the first interpreter that imports the module is remembered and any other
   gets ImportError, so the module's globals are never shared between interpreters. */
static PyObject *__pyx_m = NULL;
static PyObject *__pyx_n_s_name;
static PyTypeObject __pyx_type_Node = {PyVarObject_HEAD_INIT(NULL, 0) "cyext.Node"};

static int
__Pyx_check_single_interpreter(void)
{
    static PY_INT64_T main_interpreter_id = -1;
    PY_INT64_T current_id = PyInterpreterState_GetID(PyThreadState_Get()->interp);
    if (main_interpreter_id == -1) {
        main_interpreter_id = current_id;
        return (current_id == -1) ? -1 : 0;
    } else if (main_interpreter_id != current_id) {
        PyErr_SetString(PyExc_ImportError,
                        "Interpreter change detected - this module can only be loaded into one interpreter per process.");
        return -1;
    }
    return 0;
}

static PyObject *
__pyx_pymod_create(PyObject *spec, PyModuleDef *def)
{
    if (__Pyx_check_single_interpreter())
        return NULL;
    if (__pyx_m)
        return Py_NewRef(__pyx_m);
    __pyx_m = PyModule_NewObject(PyUnicode_FromString("cyext"));
    return __pyx_m;
}

static int
__pyx_pymod_exec_cyext(PyObject *module)
{
    __pyx_n_s_name = PyUnicode_InternFromString("name");
    if (PyType_Ready(&__pyx_type_Node) < 0)
        return -1;
    return __pyx_n_s_name == NULL ? -1 : 0;
}

static PyModuleDef_Slot __pyx_moduledef_slots[] = {
    {Py_mod_create, (void *)__pyx_pymod_create},
    {Py_mod_exec, (void *)__pyx_pymod_exec_cyext},
    {0, NULL},
};

static struct PyModuleDef __pyx_moduledef = {PyModuleDef_HEAD_INIT, "cyext", NULL, 0, NULL, __pyx_moduledef_slots};

PyMODINIT_FUNC
PyInit_cyext(void)
{
    return PyModuleDef_Init(&__pyx_moduledef);
}
