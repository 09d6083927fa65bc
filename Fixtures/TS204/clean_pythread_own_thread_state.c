#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: the method creates a thread state for the new thread with
   PyThreadState_New(); the thread (PyThread_start_new_thread) attaches it
   with PyEval_AcquireThread() before any C-API use, and ends with
   PyThreadState_Clear() + PyThreadState_DeleteCurrent(), which detaches
   and frees it (CPython's own thread bootstrap does the same). */

typedef struct {
    PyThreadState *tstate;
    PyObject *func;
    PyObject *args;
} boot;

static void
boot_entry(void *arg)
{
    boot *b = (boot *)arg;
    PyObject *r;

    PyEval_AcquireThread(b->tstate);
    r = PyObject_Call(b->func, b->args, NULL);
    if (r == NULL) {
        if (PyErr_ExceptionMatches(PyExc_SystemExit))
            PyErr_Clear();
        else
            PyErr_Print();
    }
    else {
        Py_DECREF(r);
    }
    Py_DECREF(b->func);
    Py_DECREF(b->args);
    PyMem_RawFree(b);
    PyThreadState_Clear(PyThreadState_Get());
    PyThreadState_DeleteCurrent();
}

static PyObject *
start_thread(PyObject *module, PyObject *args)
{
    PyObject *func, *fargs;
    boot *b;

    if (!PyArg_ParseTuple(args, "OO!", &func, &PyTuple_Type, &fargs))
        return NULL;
    b = PyMem_RawMalloc(sizeof *b);
    if (b == NULL)
        return PyErr_NoMemory();
    b->tstate = PyThreadState_New(PyInterpreterState_Get());
    if (b->tstate == NULL) {
        PyMem_RawFree(b);
        return PyErr_NoMemory();
    }
    b->func = Py_NewRef(func);
    b->args = Py_NewRef(fargs);
    if (PyThread_start_new_thread(boot_entry, b) == PYTHREAD_INVALID_THREAD_ID) {
        PyThreadState_Clear(b->tstate);
        PyThreadState_Delete(b->tstate);
        Py_DECREF(b->func);
        Py_DECREF(b->args);
        PyMem_RawFree(b);
        PyErr_SetString(PyExc_RuntimeError, "can't start new thread");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef bootmod_methods[] = {
    {"start_thread", start_thread, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
