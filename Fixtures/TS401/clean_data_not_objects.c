#include <Python.h>
#include <string.h>

/* Only C data crosses: the result is read as a C long inside the sub-interpreter, and the
   caller's objects are used only while the caller's interpreter is attached. */
static PyObject *
count_modules(PyObject *self, PyObject *name)
{
    const char *text = PyUnicode_AsUTF8(name);
    if (text == NULL)
        return NULL;
    PyThreadState *main_ts = PyThreadState_Get();
    PyThreadState *sub = Py_NewInterpreter();
    if (sub == NULL)
        return NULL;
    Py_ssize_t count = -1;
    PyObject *modules = PyImport_GetModuleDict();
    if (modules != NULL)
        count = PyDict_Size(modules);
    PyObject *module = PyImport_ImportModule(text);
    Py_XDECREF(module);
    PyErr_Clear();
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    Py_INCREF(name);
    Py_DECREF(name);
    return PyLong_FromSsize_t(count);
}

/* Two objects of the same (caller's) interpreter after a round trip. */
static PyObject *
round_trip(PyObject *self, PyObject *arg)
{
    PyThreadState *save = PyEval_SaveThread();
    PyEval_RestoreThread(save);
    return PyObject_Repr(arg);
}

static PyMethodDef methods[] = {
    {"count_modules", count_modules, METH_O, NULL},
    {"round_trip", round_trip, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};
