#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS204 with C11 thrd_create(): a background loader thread reads a file
   and hands the bytes to a Python callback. Its success path attaches with
   PyGILState_Ensure() first, but the early error path drops the callback
   reference with Py_DECREF() before attaching anything. */

#include <stdio.h>
#include <threads.h>

typedef struct {
    char path[256];
    PyObject *callback;
} load_job;

static int
loader_main(void *arg)
{
    load_job *job = (load_job *)arg;
    PyGILState_STATE st;
    PyObject *data, *r;
    char *buf;
    long size;
    FILE *f = fopen(job->path, "rb");

    if (f == NULL) {
        Py_DECREF(job->callback);   /* expect: TS204 */
        PyMem_RawFree(job);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = PyMem_RawMalloc(size > 0 ? (size_t)size : 1);
    if (buf != NULL && size > 0)
        size = (long)fread(buf, 1, (size_t)size, f);
    fclose(f);

    st = PyGILState_Ensure();
    if (buf == NULL)
        data = PyErr_NoMemory();
    else
        data = PyBytes_FromStringAndSize(buf, size > 0 ? size : 0);
    if (data != NULL) {
        r = PyObject_CallOneArg(job->callback, data);
        Py_XDECREF(r);
        Py_DECREF(data);
    }
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(job->callback);
    Py_DECREF(job->callback);
    PyGILState_Release(st);
    PyMem_RawFree(buf);
    PyMem_RawFree(job);
    return 0;
}

static PyObject *
load_async(PyObject *module, PyObject *args)
{
    const char *path;
    PyObject *callback;
    load_job *job;
    thrd_t thr;

    if (!PyArg_ParseTuple(args, "sO", &path, &callback))
        return NULL;
    job = PyMem_RawCalloc(1, sizeof *job);
    if (job == NULL)
        return PyErr_NoMemory();
    PyOS_snprintf(job->path, sizeof job->path, "%s", path);
    job->callback = Py_NewRef(callback);
    if (thrd_create(&thr, loader_main, job) != thrd_success) {
        Py_DECREF(job->callback);
        PyMem_RawFree(job);
        PyErr_SetString(PyExc_RuntimeError, "thrd_create failed");
        return NULL;
    }
    thrd_detach(thr);
    Py_RETURN_NONE;
}

static PyMethodDef loader_methods[] = {
    {"load_async", load_async, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
