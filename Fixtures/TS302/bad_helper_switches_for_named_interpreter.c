#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The same helpers as clean_parameter_tested_then_reassigned.c, called with a
   name: they switch to a new sub-interpreter and the callers return in it. */

static PyThreadState *children[4];

/* NULL: the main interpreter, and `name` is given a default after the test. */
static int
enter_interpreter(const char *name, int slot)
{
    int use_main = 0;
    if (name == NULL) {
        use_main = 1;
        name = "main";
    }
    if (use_main)
        return 0;
    children[slot] = Py_NewInterpreter();
    return children[slot] != NULL;
}

/* The main interpreter's state is never NULL while Python runs. */
static int
enter_unless_main(const char *name, int slot)
{
    PyInterpreterState *interp = NULL;
    if (name == NULL)
        interp = PyInterpreterState_Main();
    if (interp != NULL)
        return 0;
    children[slot] = Py_NewInterpreter();
    return children[slot] != NULL;
}

static PyObject *
enter_named(PyObject *self, PyObject *arg)
{
    enter_interpreter("child", 2);    /* expect: TS302 */
    return PyObject_Repr(arg);
}

static PyObject *
enter_named_too(PyObject *self, PyObject *arg)
{
    enter_unless_main("child", 3);    /* expect: TS302 */
    return PyObject_Repr(arg);
}

static PyMethodDef methods[] = {
    {"named", enter_named, METH_O, NULL},
    {"named_too", enter_named_too, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "enter_named", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_enter_named(void)
{
    return PyModule_Create(&moddef);
}
