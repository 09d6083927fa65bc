#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: PyGILState_Ensure() taken only when needed, and released under
   the same condition (a flag that does not change in between), so the
   literal initial value of the token is never passed to
   PyGILState_Release(). */

void
log_message(int have_gil, const char *msg)
{
    PyGILState_STATE st = PyGILState_UNLOCKED;

    if (!have_gil)
        st = PyGILState_Ensure();
    PySys_WriteStderr("%s\n", msg);
    if (!have_gil)
        PyGILState_Release(st);
}

int
report_error(PyObject *handler, const char *what)
{
    PyGILState_STATE st = PyGILState_LOCKED;
    int need_gil = !PyGILState_Check();
    PyObject *r;
    int rc;

    if (need_gil)
        st = PyGILState_Ensure();
    r = PyObject_CallFunction(handler, "s", what);
    rc = r ? 0 : -1;
    Py_XDECREF(r);
    if (need_gil)
        PyGILState_Release(st);
    return rc;
}
