#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: pycurl-style try-acquire helpers. acquire()/pycurl_acquire_thread()
   attach the object's saved thread state only if there is one and report
   it through the return value and an out-parameter; the path that returns
   0 never attached anything, so it is consistent with entry. The
   write callback uses them (as unknown calls) and releases on the paths
   where it acquired. */

#include <string.h>

typedef struct {
    PyObject_HEAD
    PyThreadState *ts;
    PyObject *w_cb;
} CurlObject;

int
acquire(CurlObject *o, PyThreadState **out)
{
    PyThreadState *ts = o->ts;

    if (ts == NULL)
        return 0;
    PyEval_AcquireThread(ts);
    *out = ts;
    return 1;
}

int
pycurl_acquire_thread(const CurlObject *self, PyThreadState **state)
{
    *state = self->ts;
    if (*state == NULL)
        return 0;
    PyEval_AcquireThread(*state);
    return 1;
}

void
pycurl_release_thread(PyThreadState *state)
{
    PyEval_ReleaseThread(state);
}

static size_t
write_callback(char *ptr, size_t size, size_t nmemb, void *stream)
{
    CurlObject *self = (CurlObject *)stream;
    PyThreadState *tmp_state;
    PyObject *arglist, *result;
    size_t ret = 0;
    size_t total = size * nmemb;

    if (!pycurl_acquire_thread(self, &tmp_state))
        return ret;
    if (self->w_cb == NULL)
        goto silent_error;
    arglist = Py_BuildValue("(y#)", ptr, (Py_ssize_t)total);
    if (arglist == NULL)
        goto verbose_error;
    result = PyObject_Call(self->w_cb, arglist, NULL);
    Py_DECREF(arglist);
    if (result == NULL)
        goto verbose_error;
    if (result == Py_None)
        ret = total;
    else if (PyLong_Check(result))
        ret = (size_t)PyLong_AsLong(result);
    Py_DECREF(result);
silent_error:
    pycurl_release_thread(tmp_state);
    return ret;
verbose_error:
    PyErr_Print();
    goto silent_error;
}

typedef size_t (*curl_write_fn)(char *, size_t, size_t, void *);
extern void curl_set_write_function(void *handle, curl_write_fn fn, void *userdata);

void
curl_install(CurlObject *self, void *handle)
{
    curl_set_write_function(handle, write_callback, self);
}
