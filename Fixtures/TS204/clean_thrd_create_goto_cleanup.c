#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a C11 thrd_create() resolver thread does its blocking lookup
   detached, then attaches with PyGILState_Ensure() and leaves through a
   single `done:` label that releases; the detached error path before the
   Ensure uses only PyMem_RawFree(). */

#include <stdio.h>
#include <string.h>
#include <threads.h>

extern int dns_lookup(const char *host, char *out, size_t outlen);

typedef struct {
    char host[256];
    PyObject *callback;
} lookup_job;

static int
resolver_main(void *arg)
{
    lookup_job *job = (lookup_job *)arg;
    PyGILState_STATE st;
    PyObject *addr = NULL, *r = NULL;
    char buf[64];
    int rc, status = -1;

    rc = dns_lookup(job->host, buf, sizeof buf);
    if (job->callback == NULL) {
        PyMem_RawFree(job);
        return -1;
    }

    st = PyGILState_Ensure();
    if (rc != 0) {
        PyErr_Format(PyExc_OSError, "cannot resolve %s", job->host);
        goto done;
    }
    addr = PyUnicode_FromString(buf);
    if (addr == NULL)
        goto done;
    r = PyObject_CallOneArg(job->callback, addr);
    if (r == NULL)
        goto done;
    status = 0;
done:
    if (status < 0)
        PyErr_WriteUnraisable(job->callback);
    Py_XDECREF(r);
    Py_XDECREF(addr);
    Py_DECREF(job->callback);
    PyGILState_Release(st);
    PyMem_RawFree(job);
    return status;
}

static PyObject *
resolve_async(PyObject *module, PyObject *args)
{
    const char *host;
    PyObject *cb;
    lookup_job *job;
    thrd_t thr;

    if (!PyArg_ParseTuple(args, "sO", &host, &cb))
        return NULL;
    job = PyMem_RawCalloc(1, sizeof *job);
    if (job == NULL)
        return PyErr_NoMemory();
    strncpy(job->host, host, sizeof job->host - 1);
    job->callback = Py_NewRef(cb);
    if (thrd_create(&thr, resolver_main, job) != thrd_success) {
        Py_DECREF(job->callback);
        PyMem_RawFree(job);
        PyErr_SetString(PyExc_RuntimeError, "cannot start resolver");
        return NULL;
    }
    thrd_detach(thr);
    Py_RETURN_NONE;
}

static PyMethodDef resolver_methods[] = {
    {"resolve_async", resolve_async, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
