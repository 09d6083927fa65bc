#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: project helpers called inside released regions that only use
   functions documented to work without a thread state: PyMem_Raw*,
   PyThread locks, PyOS_snprintf (CPython _queue/_hashlib style buffer
   management under a PyThread lock). They do not need the caller's
   thread state, so their detached calls are not TS203. */

#include <string.h>

extern int hash_update(void *ctx, const void *data, size_t len);

typedef struct {
    PyObject_HEAD
    PyThread_type_lock lock;
    void *ctx;
    char *scratch;
    size_t scratch_len;
    char status[64];
} HashObject;

static int
ensure_scratch(HashObject *self, size_t need)
{
    char *p;

    if (self->scratch_len >= need)
        return 0;
    p = PyMem_RawRealloc(self->scratch, need);
    if (p == NULL)
        return -1;
    self->scratch = p;
    self->scratch_len = need;
    return 0;
}

static int
locked_update(HashObject *self, const char *data, size_t len)
{
    int rc;

    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    rc = ensure_scratch(self, len);
    if (rc == 0) {
        memcpy(self->scratch, data, len);
        rc = hash_update(self->ctx, self->scratch, len);
    }
    PyOS_snprintf(self->status, sizeof self->status, "last update: %zu bytes, rc=%d", len, rc);
    PyThread_release_lock(self->lock);
    return rc;
}

static PyObject *
Hash_update(HashObject *self, PyObject *args)
{
    Py_buffer view;
    int rc;

    if (!PyArg_ParseTuple(args, "y*", &view))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = locked_update(self, view.buf, (size_t)view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (rc != 0) {
        PyErr_SetString(PyExc_ValueError, self->status);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Hash_reserve(HashObject *self, PyObject *arg)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    int rc;

    if (n < 0 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    rc = ensure_scratch(self, (size_t)n);
    PyThread_release_lock(self->lock);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyMethodDef Hash_methods[] = {
    {"update", (PyCFunction)Hash_update, METH_VARARGS, NULL},
    {"reserve", (PyCFunction)Hash_reserve, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
