#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_BLOCK_THREADS before every early return inside a
   Py_BEGIN_ALLOW_THREADS block (the CPython Modules/ idiom), including a
   return from a loop nested in the block and a return of Py_None. */

#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct record { long key; long value; };
extern int rec_read(int fd, Py_ssize_t index, struct record *out);

static PyObject *
lock_file(PyObject *module, PyObject *args)
{
    int fd, op, rc;

    if (!PyArg_ParseTuple(args, "ii", &fd, &op))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = flock(fd, op);
    if (rc < 0) {
        Py_BLOCK_THREADS
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
read_header(PyObject *module, PyObject *arg)
{
    int fd;
    char hdr[16];
    ssize_t n;

    fd = PyObject_AsFileDescriptor(arg);
    if (fd < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    n = read(fd, hdr, sizeof hdr);
    if (n != (ssize_t)sizeof hdr) {
        Py_BLOCK_THREADS
        if (n < 0)
            return PyErr_SetFromErrno(PyExc_OSError);
        PyErr_SetString(PyExc_EOFError, "short header");
        return NULL;
    }
    if (memcmp(hdr, "MAGIC", 5) != 0) {
        Py_BLOCK_THREADS
        Py_RETURN_NONE;
    }
    Py_END_ALLOW_THREADS
    return PyBytes_FromStringAndSize(hdr, sizeof hdr);
}

static PyObject *
find_record(PyObject *module, PyObject *args)
{
    int fd;
    long key;
    Py_ssize_t i, count;
    struct record rec;

    if (!PyArg_ParseTuple(args, "inl", &fd, &count, &key))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (i = 0; i < count; i++) {
        if (rec_read(fd, i, &rec) < 0) {
            Py_BLOCK_THREADS
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        if (rec.key == key) {
            Py_BLOCK_THREADS
            return PyLong_FromLong(rec.value);
        }
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef fileops_methods[] = {
    {"lock_file", lock_file, METH_VARARGS, NULL},
    {"read_header", read_header, METH_O, NULL},
    {"find_record", find_record, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fileops = {
    PyModuleDef_HEAD_INIT,
    .m_name = "fileops",
    .m_size = 0,
    .m_methods = fileops_methods,
};

PyMODINIT_FUNC
PyInit_fileops(void)
{
    return PyModuleDef_Init(&fileops);
}
