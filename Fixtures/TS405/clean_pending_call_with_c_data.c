#include <Python.h>

struct request {
    long code;
};

static struct request pending_request;

static int
handle(void *arg)
{
    struct request *request = arg;
    return request->code == 0 ? 0 : -1;
}

static PyObject *
schedule(PyObject *module, PyObject *code)
{
    pending_request.code = PyLong_AsLong(code);
    if (pending_request.code == -1 && PyErr_Occurred())
        return NULL;
    if (Py_AddPendingCall(handle, &pending_request) < 0)
        return NULL;
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
