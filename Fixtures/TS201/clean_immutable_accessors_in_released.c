#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: reading the data of immutable objects the function holds a reference to, through
   CPython's accessors, inside a released region (psycopg2 passes PyBytes_AS_STRING(o) to
   libpq inside Py_BEGIN_ALLOW_THREADS; _hashopenssl hashes str data while released). The
   accessors only read memory that cannot change while referenced. */

#include <unistd.h>

extern int put_copy_data(void *conn, const char *buffer, int length);
extern unsigned long checksum(const void *data, Py_ssize_t length, int kind);

typedef struct {
    PyObject_HEAD
    void *conn;
} CopyObject;

static PyObject *
Copy_put(CopyObject *self, PyObject *chunk)
{
    int res;

    if (!PyBytes_Check(chunk)) {
        PyErr_SetString(PyExc_TypeError, "bytes expected");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    res = put_copy_data(self->conn, PyBytes_AS_STRING(chunk), (int)PyBytes_GET_SIZE(chunk));
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(res);
}

static PyObject *
Copy_checksum(CopyObject *self, PyObject *text)
{
    unsigned long sum;

    if (!PyUnicode_Check(text))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    sum = checksum(PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), PyUnicode_KIND(text));
    Py_END_ALLOW_THREADS
    return PyLong_FromUnsignedLong(sum);
}

static PyMethodDef Copy_methods[] = {
    {"put", (PyCFunction)Copy_put, METH_O, NULL},
    {"checksum", (PyCFunction)Copy_checksum, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
