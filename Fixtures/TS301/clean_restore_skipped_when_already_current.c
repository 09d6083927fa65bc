#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A restore helper that skips the swap when the thread state to restore is
   already the current one. Its "nothing to do" way out is only possible when
   `prior` is the thread state attached at the call (the summary says so), so a
   caller that swapped away and hands back the one it had is restored on every
   path. The same holds for a helper that compares the other way round. */

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

static void
switch_back(PyThreadState *prior)
{
    PyThreadState *current = PyThreadState_Get();
    if (current == prior)
        return;
    PyThreadState_Swap(prior);
}

static PyObject *
run_in_child(PyObject *self, PyObject *arg)
{
    PyThreadState *prior = PyThreadState_Get();
    PyObject *r;
    PyThreadState_Swap(the_pair.child);
    r = PyObject_Repr(arg);
    leave_child(prior);
    return r;
}

static PyObject *
run_in_child_again(PyObject *self, PyObject *arg)
{
    PyThreadState *prior = PyThreadState_Get();
    PyObject *r;
    PyThreadState_Swap(the_pair.child);
    r = PyObject_Str(arg);
    switch_back(prior);
    return r;
}

static PyMethodDef methods[] = {
    {"run", run_in_child, METH_O, NULL},
    {"run_again", run_in_child_again, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "restore_skipped", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_restore_skipped(void)
{
    return PyModule_Create(&moddef);
}
