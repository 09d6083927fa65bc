#include <Python.h>

static int
call_later(void *arg)
{
    PyObject *callback = arg;
    PyObject *result = PyObject_CallNoArgs(callback);
    Py_DECREF(callback);
    Py_XDECREF(result);
    return result == NULL ? -1 : 0;
}

static PyObject *
schedule(PyObject *module, PyObject *callback)
{
    Py_INCREF(callback);
    if (Py_AddPendingCall(call_later, (void *)callback) < 0) { /* expect: TS405 */
        Py_DECREF(callback);
        PyErr_SetString(PyExc_RuntimeError, "pending call queue full");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"schedule", schedule, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef scheduler_module = {PyModuleDef_HEAD_INIT, "scheduler", NULL, 0, methods};

PyMODINIT_FUNC
PyInit_scheduler(void)
{
    return PyModuleDef_Init(&scheduler_module);
}
