#include <Python.h>

/* Asking which interpreter runs the code is not a guard: nothing stops a second
   interpreter from importing the module and sharing its globals. */
static PyObject *last_caller; /* expect: TS402 */

static PyObject *
whoami(PyObject *module, PyObject *caller)
{
    PY_INT64_T id = PyInterpreterState_GetID(PyInterpreterState_Get());
    Py_XSETREF(last_caller, Py_NewRef(caller));
    return PyLong_FromLongLong(id);
}

static PyMethodDef methods[] = {
    {"whoami", whoami, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int
exec_module(PyObject *module)
{
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
    {0, NULL},
};

static struct PyModuleDef ids_module = {PyModuleDef_HEAD_INIT, "ids", NULL, 0, methods, slots};

PyMODINIT_FUNC
PyInit_ids(void)
{
    return PyModuleDef_Init(&ids_module);
}
