#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Helpers that switch to a new sub-interpreter unless asked for the main one.
   The first tests its parameter and then gives it a default: what the test
   found is still what the caller passed (the summary's way out that switches
   needs a non-NULL name). The second asks for the main interpreter's state,
   which is never NULL while Python runs. A caller passing NULL stays. */

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
stay_in_main(PyObject *self, PyObject *arg)
{
    enter_interpreter(NULL, 0);
    enter_unless_main(NULL, 1);
    return PyObject_Repr(arg);
}

static PyMethodDef methods[] = {
    {"stay", stay_in_main, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "stay_in_main", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_stay_in_main(void)
{
    return PyModule_Create(&moddef);
}
