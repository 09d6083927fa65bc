#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): the static helpers update_crc() and
   remember_key() are called only inside released regions and do only C
   work (no C-API, no object fields), so nothing is reported. */

#include <string.h>
#include "store.h"

extern int kv_put(kv_file *f, const char *key, const char *val);
extern int kv_truncate(kv_file *f);

static unsigned long
update_crc(unsigned long crc, const char *p)
{
    while (*p)
        crc = (crc >> 1) ^ (0xEDB88320UL & (0UL - ((crc ^ (unsigned char)*p++) & 1UL)));
    return crc;
}

static void
remember_key(StoreObject *self, const char *key)
{
    strncpy(self->last_key, key, sizeof self->last_key - 1);
    self->last_key[sizeof self->last_key - 1] = '\0';
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
    if (rc == 0) {
        self->crc = update_crc(update_crc(self->crc, key), val);
        remember_key(self, key);
    }
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
    remember_key(self, "");
    self->crc = 0;
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
    return PyLong_FromUnsignedLong(self->crc);
}

static PyMethodDef Store_methods[] = {
    {"put", (PyCFunction)Store_put, METH_VARARGS, NULL},
    {"clear", (PyCFunction)Store_clear, METH_NOARGS, NULL},
    {"sync", (PyCFunction)Store_sync, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
