#include <Python.h>

/* Objects carried into and out of a sub-interpreter across PyThreadState_Swap. */
static PyThreadState *worker_ts;

static PyObject *
exchange(PyObject *self, PyObject *payload)
{
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return NULL;
    PyObject *sys_modules = PyImport_GetModuleDict();
    PyThreadState_Swap(main_ts);

    /* Back in the caller's interpreter with the sub-interpreter's dict. */
    PyObject *keys = PyDict_Keys(sys_modules); /* expect: TS401 */
    Py_XDECREF(keys);

    PyThreadState_Swap(sub);
    /* In the sub-interpreter with the caller's object. */
    if (PyDict_SetItemString(sys_modules, "payload", payload) < 0) /* expect: TS401 */
        PyErr_Clear();
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    Py_RETURN_NONE;
}

static PyObject *keep;

static PyObject *
stash(PyObject *self, PyObject *arg)
{
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return NULL;
    PyObject *made = PyList_New(0);
    PyThreadState_Swap(main_ts);
    keep = made; /* expect: TS401 */
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"exchange", exchange, METH_O, NULL},
    {"stash", stash, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};
