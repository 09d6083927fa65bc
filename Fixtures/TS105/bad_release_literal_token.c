#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS105: PyGILState_Release() with a token that did not come from
   PyGILState_Ensure() on that path: the variable still holds the literal
   it was initialised with when the Ensure was skipped. The correct
   version of this idiom keeps a separate flag (see TS105/clean_conditional_ensure.c). */

void
log_message(int have_gil, const char *msg)
{
    PyGILState_STATE st = PyGILState_UNLOCKED;

    if (!have_gil)
        st = PyGILState_Ensure();
    PySys_WriteStderr("%s\n", msg);
    PyGILState_Release(st);   /* expect: TS105 */
}

int
report_error(PyObject *handler, const char *what)
{
    PyGILState_STATE st = PyGILState_LOCKED;
    PyObject *r;
    int rc;

    if (!PyGILState_Check())
        st = PyGILState_Ensure();
    r = PyObject_CallFunction(handler, "s", what);
    rc = r ? 0 : -1;
    Py_XDECREF(r);
    PyGILState_Release(st);   /* expect: TS105 */
    return rc;
}
