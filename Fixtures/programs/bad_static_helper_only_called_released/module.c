#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: the static helper drop_cached() is called only inside
   released regions (Store_put and Store_clear), so it is analysed as
   entered with no thread state: its Py_XDECREF is TS201 inside it, and
   neither call site is TS203. store.c has the same situation across a
   non-entry helper (note_retry). */

#include "store.h"

extern int kv_put(kv_file *f, const char *key, const char *val);
extern int kv_truncate(kv_file *f);

static void
drop_cached(StoreObject *self)
{
    self->generation++;
    Py_XDECREF(self->cached);   /* expect: TS201 */
    self->cached = NULL;
}

static PyObject *
Store_put(StoreObject *self, PyObject *args)
{
    const char *key, *val;
    int rc;

    if (!PyArg_ParseTuple(args, "ss", &key, &val))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kv_put(self->file, key, val);
    if (rc == 0)
        drop_cached(self);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_OSError, "put failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Store_clear(StoreObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    drop_cached(self);
    rc = kv_truncate(self->file);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_OSError, "truncate failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Store_sync(StoreObject *self, PyObject *Py_UNUSED(ignored))
{
    if (store_sync(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Store_methods[] = {
    {"put", (PyCFunction)Store_put, METH_VARARGS, NULL},
    {"clear", (PyCFunction)Store_clear, METH_NOARGS, NULL},
    {"sync", (PyCFunction)Store_sync, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
