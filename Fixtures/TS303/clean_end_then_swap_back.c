#include <Python.h>

static int
run_and_report(const char *code)
{
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return -1;
    int rc = PyRun_SimpleString(code);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    if (rc < 0)
        PyErr_SetString(PyExc_RuntimeError, "script failed");
    return rc;
}

/* Swap to the sub-interpreter again before ending it. */
static int
end_later(const char *code)
{
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return -1;
    PyThreadState_Swap(main_ts);
    PyThreadState_Swap(sub);
    PyRun_SimpleString(code);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    return 0;
}

static PyObject *
run(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(run_and_report("x = 1") + end_later("y = 2"));
}

static PyMethodDef methods[] = {{"run", run, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
