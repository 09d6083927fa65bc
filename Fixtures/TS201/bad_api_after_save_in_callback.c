#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS201: a C-library callback (entered detached: it starts with
   PyEval_RestoreThread) detaches again with PyEval_SaveThread() and only
   then drops its references. chunk_cb_ok is the correct order. */

typedef struct {
    PyObject_HEAD
    PyObject *on_chunk;
    PyThreadState *ts;
} DownloadObject;

static int
chunk_cb(void *user, const char *data, size_t len)
{
    DownloadObject *self = (DownloadObject *)user;
    PyObject *chunk, *r;

    PyEval_RestoreThread(self->ts);
    chunk = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
    r = chunk ? PyObject_CallOneArg(self->on_chunk, chunk) : NULL;
    self->ts = PyEval_SaveThread();
    Py_XDECREF(chunk);   /* expect: TS201 */
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static int
chunk_cb_ok(void *user, const char *data, size_t len)
{
    DownloadObject *self = (DownloadObject *)user;
    PyObject *chunk, *r;
    int rc = 0;

    PyEval_RestoreThread(self->ts);
    chunk = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
    r = chunk ? PyObject_CallOneArg(self->on_chunk, chunk) : NULL;
    Py_XDECREF(chunk);
    if (r == NULL)
        rc = -1;
    Py_XDECREF(r);
    self->ts = PyEval_SaveThread();
    return rc;
}

typedef int (*chunk_fn)(void *, const char *, size_t);
extern void http_set_chunk_callback(void *req, chunk_fn fn, void *user);

void
download_install(DownloadObject *self, void *req, int checked)
{
    http_set_chunk_callback(req, checked ? chunk_cb_ok : chunk_cb, self);
}
