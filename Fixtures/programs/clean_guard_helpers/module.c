#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case (clean): methods release with guard_release() around
   blocking C calls and re-attach with guard_acquire() on every path,
   including an early return that calls guard_acquire() first, a loop
   releasing per chunk, and a `goto` to a cleanup label after re-attaching. */

#include <errno.h>
#include <unistd.h>
#include "guard.h"

typedef struct tape_dev tape_dev;
extern int tape_rewind(tape_dev *d);
extern int tape_seek(tape_dev *d, long block);
extern long tape_write_block(tape_dev *d, const void *buf, size_t len);

typedef struct {
    PyObject_HEAD
    tape_dev *dev;
    int fd;
} TapeObject;

static PyObject *
Tape_seek(TapeObject *self, PyObject *arg)
{
    long block = PyLong_AsLong(arg);
    gil_guard g;
    int rc;

    if (block == -1 && PyErr_Occurred())
        return NULL;
    guard_release(&g);
    rc = tape_rewind(self->dev);
    if (rc < 0) {
        guard_acquire(&g);
        PyErr_SetString(PyExc_OSError, "rewind failed");
        return NULL;
    }
    rc = tape_seek(self->dev, block);
    guard_acquire(&g);
    if (rc < 0)
        return PyErr_Format(PyExc_OSError, "seek to %ld failed", block);
    Py_RETURN_NONE;
}

static PyObject *
Tape_write(TapeObject *self, PyObject *args)
{
    Py_buffer data;
    Py_ssize_t off = 0;
    PyObject *result = NULL;
    gil_guard g;

    if (!PyArg_ParseTuple(args, "y*", &data))
        return NULL;
    while (off < data.len) {
        size_t chunk = (size_t)(data.len - off) > 4096 ? 4096 : (size_t)(data.len - off);
        long n;

        guard_release(&g);
        n = tape_write_block(self->dev, (const char *)data.buf + off, chunk);
        guard_acquire(&g);
        if (n < 0) {
            PyErr_SetFromErrno(PyExc_OSError);
            goto done;
        }
        if (PyErr_CheckSignals() < 0)
            goto done;
        off += n;
    }
    result = PyLong_FromSsize_t(off);
done:
    PyBuffer_Release(&data);
    return result;
}

static PyObject *
Tape_sync(TapeObject *self, PyObject *Py_UNUSED(ignored))
{
    gil_guard g;
    int rc;

    guard_release(&g);
    do {
        rc = fsync(self->fd);
    } while (rc < 0 && errno == EINTR);
    guard_acquire(&g);
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyMethodDef Tape_methods[] = {
    {"seek", (PyCFunction)Tape_seek, METH_O, NULL},
    {"write", (PyCFunction)Tape_write, METH_VARARGS, NULL},
    {"sync", (PyCFunction)Tape_sync, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Tape_slots[] = {
    {Py_tp_methods, Tape_methods},
    {0, NULL}
};

static PyType_Spec Tape_spec = {
    .name = "tape.Tape",
    .basicsize = sizeof(TapeObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Tape_slots,
};
