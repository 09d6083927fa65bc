#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: the CPython EINTR retry loop (PEP 475): the C-API call
   PyErr_CheckSignals() is in the loop condition, after
   Py_END_ALLOW_THREADS, so it always runs attached. */

#include <errno.h>
#include <unistd.h>

static PyObject *
os_read(PyObject *module, PyObject *args)
{
    int fd;
    Py_ssize_t n, r;
    PyObject *buffer;
    char *buf;
    int async_err = 0;

    if (!PyArg_ParseTuple(args, "in", &fd, &n))
        return NULL;
    buffer = PyBytes_FromStringAndSize(NULL, n);
    if (buffer == NULL)
        return NULL;
    buf = PyBytes_AS_STRING(buffer);

    do {
        Py_BEGIN_ALLOW_THREADS
        r = read(fd, buf, (size_t)n);
        Py_END_ALLOW_THREADS
    } while (r < 0 && errno == EINTR && !(async_err = PyErr_CheckSignals()));

    if (r < 0) {
        Py_DECREF(buffer);
        if (!async_err)
            PyErr_SetFromErrno(PyExc_OSError);
        return NULL;
    }
    if (r != n)
        _PyBytes_Resize(&buffer, r);
    return buffer;
}

static PyObject *
os_write(PyObject *module, PyObject *args)
{
    int fd;
    Py_buffer data;
    const char *p;
    size_t len;
    Py_ssize_t r;
    int async_err = 0;

    if (!PyArg_ParseTuple(args, "iy*", &fd, &data))
        return NULL;
    p = (const char *)data.buf;
    len = (size_t)data.len;
    do {
        Py_BEGIN_ALLOW_THREADS
        r = write(fd, p, len);
        Py_END_ALLOW_THREADS
    } while (r < 0 && errno == EINTR && !(async_err = PyErr_CheckSignals()));
    PyBuffer_Release(&data);

    if (r < 0) {
        if (!async_err)
            PyErr_SetFromErrno(PyExc_OSError);
        return NULL;
    }
    return PyLong_FromSsize_t(r);
}

static PyMethodDef rawio_methods[] = {
    {"read", os_read, METH_VARARGS, NULL},
    {"write", os_write, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef rawio = {
    PyModuleDef_HEAD_INIT,
    .m_name = "rawio",
    .m_size = 0,
    .m_methods = rawio_methods,
};

PyMODINIT_FUNC
PyInit_rawio(void)
{
    return PyModuleDef_Init(&rawio);
}
