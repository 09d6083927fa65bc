#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The thread start routine (passed to pthread_create() in module.c): the
   blocking transfer runs detached; then PyGILState_Ensure() attaches a
   thread state, every failure jumps to `done:` which drops the references
   and calls PyGILState_Release() before the raw memory is freed. */

#include <stdlib.h>
#include <string.h>
#include "worker.h"

extern int http_get(const char *url, char **body, size_t *len);

void *
download_thread(void *arg)
{
    download_job *job = (download_job *)arg;
    PyGILState_STATE st;
    PyObject *body = NULL, *r = NULL;

    job->status = http_get(job->url, &job->body, &job->body_len);

    st = PyGILState_Ensure();
    body = PyBytes_FromStringAndSize(job->body, (Py_ssize_t)job->body_len);
    if (body == NULL)
        goto done;
    r = PyObject_CallFunction(job->on_done, "iO", job->status, body);
    if (r == NULL)
        goto done;
done:
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(job->on_done);
    Py_XDECREF(r);
    Py_XDECREF(body);
    Py_DECREF(job->on_done);
    PyGILState_Release(st);
    free(job->body);
    PyMem_RawFree(job);
    return NULL;
}
