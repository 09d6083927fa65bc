#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: start a download on a new pthread running
   download_thread() from worker.c, which starts with no thread state. */

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include "worker.h"

static PyObject *
fetch_async(PyObject *module, PyObject *args)
{
    const char *url;
    PyObject *cb;
    download_job *job;
    pthread_t tid;
    int rc;

    if (!PyArg_ParseTuple(args, "sO", &url, &cb))
        return NULL;
    if (!PyCallable_Check(cb)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable");
        return NULL;
    }
    job = PyMem_RawCalloc(1, sizeof *job);
    if (job == NULL)
        return PyErr_NoMemory();
    strncpy(job->url, url, sizeof job->url - 1);
    job->on_done = Py_NewRef(cb);
    rc = pthread_create(&tid, NULL, download_thread, job);
    if (rc != 0) {
        Py_DECREF(job->on_done);
        PyMem_RawFree(job);
        errno = rc;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyMethodDef fetch_methods[] = {
    {"fetch_async", fetch_async, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fetchmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "fetch",
    .m_size = 0,
    .m_methods = fetch_methods,
};

PyMODINIT_FUNC
PyInit_fetch(void)
{
    return PyModuleDef_Init(&fetchmod);
}
