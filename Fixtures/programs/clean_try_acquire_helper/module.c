#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): the transfer runs with the object's thread state
   saved in o->ts (perform()); the C library calls on_data() during the
   transfer, which attaches through acquire_thread() (threads.c), returns
   -1 without touching Python when that fails, and detaches with
   release_thread() before every other return. */

#include "threads.h"

typedef int (*data_cb)(void *ctx, const char *buf, size_t len);
extern int xfer_run(void *handle, data_cb cb, void *ctx);

int
on_data(void *ctx, const char *buf, size_t len)
{
    Obj *o = (Obj *)ctx;
    PyThreadState *ts;
    PyObject *chunk;
    int rc = 0;

    if (!acquire_thread(o, &ts))
        return -1;
    chunk = PyBytes_FromStringAndSize(buf, (Py_ssize_t)len);
    if (chunk == NULL) {
        PyErr_Print();
        release_thread(ts);
        return -1;
    }
    if (PyList_Append(o->chunks, chunk) < 0) {
        PyErr_Print();
        rc = -1;
    }
    Py_DECREF(chunk);
    release_thread(ts);
    return rc;
}

static PyObject *
Obj_perform(Obj *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    if (self->ts != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "perform() already running");
        return NULL;
    }
    self->ts = PyEval_SaveThread();
    rc = xfer_run(self->handle, on_data, self);
    PyEval_RestoreThread(self->ts);
    self->ts = NULL;
    if (rc != 0) {
        PyErr_Format(PyExc_RuntimeError, "transfer failed (%d)", rc);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Obj_methods[] = {
    {"perform", (PyCFunction)Obj_perform, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Obj_slots[] = {
    {Py_tp_methods, Obj_methods},
    {0, NULL}
};

static PyType_Spec Obj_spec = {
    .name = "minicurl.Obj",
    .basicsize = sizeof(Obj),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Obj_slots,
};
