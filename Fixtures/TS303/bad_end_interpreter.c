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
    if (rc < 0)
        PyErr_SetString(PyExc_RuntimeError, "script failed"); /* expect: TS303 */
    PyThreadState_Swap(main_ts);
    return rc;
}

static int
end_from_main(const char *code)
{
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return -1;
    PyRun_SimpleString(code);
    PyThreadState_Swap(main_ts);
    Py_EndInterpreter(sub); /* expect: TS303 */
    return 0;
}

static PyObject *
run(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(run_and_report("x = 1") + end_from_main("y = 2"));
}

static PyMethodDef methods[] = {{"run", run, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
