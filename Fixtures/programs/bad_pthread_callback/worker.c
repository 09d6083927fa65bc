#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The thread start routine (passed to pthread_create() in module.c):
   after the blocking transfer it builds the result and calls the Python
   callback without attaching a thread state first (TS204 at the first
   C-API call). */

#include <stdlib.h>
#include <string.h>
#include "worker.h"

extern int http_get(const char *url, char **body, size_t *len);

void *
download_thread(void *arg)
{
    download_job *job = (download_job *)arg;
    PyObject *body, *r;

    job->status = http_get(job->url, &job->body, &job->body_len);
    body = PyBytes_FromStringAndSize(job->body, (Py_ssize_t)job->body_len);   /* expect: TS204 */
    if (body == NULL) {
        PyErr_Print();
        return NULL;
    }
    r = PyObject_CallFunction(job->on_done, "iO", job->status, body);
    Py_XDECREF(r);
    Py_DECREF(body);
    Py_DECREF(job->on_done);
    free(job->body);
    PyMem_RawFree(job);
    return NULL;
}
