#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A leave wrapper that drops PyEval_SaveThread()'s result without checking
   that the slot holds the attached thread state: if it does not, the state
   is lost. */

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
    (void)PyEval_SaveThread();
}     /* expect: TS101 */

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
