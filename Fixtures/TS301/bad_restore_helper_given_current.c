#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The restore helper skips the swap when it is handed the thread state that
   is already current. A caller that hands it the child it switched to (not the
   one it had) takes that way out: it returns with the child attached. */

typedef struct {
    PyThreadState *child;
} Pair;

static Pair the_pair;

static void
leave_child(PyThreadState *prior)
{
    if (prior == NULL)
        return;
    if (prior != PyThreadState_Get())
        PyThreadState_Swap(prior);
}

static PyObject *
run_in_child(PyObject *self, PyObject *arg)
{
    PyThreadState *prior = PyThreadState_Get();
    PyThreadState *child = the_pair.child;
    PyObject *r;
    (void)prior;
    PyThreadState_Swap(child);
    r = PyObject_Repr(arg);
    leave_child(child);       /* the wrong one: already current */
    return r;                 /* expect: TS301 */
}

static PyMethodDef methods[] = {
    {"run", run_in_child, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "restore_given_current", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_restore_given_current(void)
{
    return PyModule_Create(&moddef);
}
