#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* pycurl's leave wrapper: a callback re-attached with the thread state its
   handle's slot holds; leaving, it checks that the attached thread state is
   the one in the slot and drops PyEval_SaveThread()'s result, because the
   slot already holds it. Nothing is lost. */

typedef struct {
    PyObject_HEAD
    PyThreadState *state;
} Handle;

static int
python_enter(PyThreadState **slot)
{
    if (slot == NULL || *slot == NULL)
        return 0;
    PyEval_RestoreThread(*slot);
    return 1;
}

static void
python_leave(PyThreadState **slot)
{
    if (slot == NULL || *slot == NULL)
        Py_FatalError("python_leave: NULL thread state slot");
    if (PyThreadState_Get() != *slot)
        Py_FatalError("python_leave: attached thread state differs from slot");
    (void)PyEval_SaveThread();
}

int
progress_callback(void *arg, double done)
{
    Handle *self = arg;
    PyObject *r;
    if (!python_enter(&self->state))
        return 0;
    r = PyFloat_FromDouble(done);
    Py_XDECREF(r);
    python_leave(&self->state);
    return 0;
}
