#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: `while (1) { ... if (x) break; }` loops that release and
   re-acquire on every iteration; the `break` and `continue` statements are
   all outside the released blocks. */

#include <errno.h>
#include <sys/socket.h>

static PyObject *
recv_all(PyObject *module, PyObject *args)
{
    int fd;
    char buf[4096];
    ssize_t n;
    PyObject *chunks;

    if (!PyArg_ParseTuple(args, "i", &fd))
        return NULL;
    chunks = PyList_New(0);
    if (chunks == NULL)
        return NULL;

    while (1) {
        Py_BEGIN_ALLOW_THREADS
        n = recv(fd, buf, sizeof buf, 0);
        Py_END_ALLOW_THREADS
        if (n < 0 && errno == EINTR) {
            if (PyErr_CheckSignals() < 0)
                goto error;
            continue;
        }
        if (n < 0) {
            PyErr_SetFromErrno(PyExc_OSError);
            goto error;
        }
        if (n == 0)
            break;
        PyObject *chunk = PyBytes_FromStringAndSize(buf, n);
        if (chunk == NULL)
            goto error;
        if (PyList_Append(chunks, chunk) < 0) {
            Py_DECREF(chunk);
            goto error;
        }
        Py_DECREF(chunk);
    }
    return chunks;

error:
    Py_DECREF(chunks);
    return NULL;
}

static PyObject *
send_until_done(PyObject *module, PyObject *args)
{
    int fd;
    Py_buffer view;
    const char *data;
    Py_ssize_t len, off = 0;
    ssize_t n;

    if (!PyArg_ParseTuple(args, "iy*", &fd, &view))
        return NULL;
    data = (const char *)view.buf;
    len = view.len;
    while (1) {
        Py_BEGIN_ALLOW_THREADS
        n = send(fd, data + off, (size_t)(len - off), 0);
        Py_END_ALLOW_THREADS
        if (n < 0)
            break;
        off += n;
        if (off >= len)
            break;
    }
    PyBuffer_Release(&view);
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromSsize_t(off);
}

static PyMethodDef netio_methods[] = {
    {"recv_all", recv_all, METH_VARARGS, NULL},
    {"send_until_done", send_until_done, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef netio = {
    PyModuleDef_HEAD_INIT,
    .m_name = "netio",
    .m_size = 0,
    .m_methods = netio_methods,
};

PyMODINIT_FUNC
PyInit_netio(void)
{
    return PyModuleDef_Init(&netio);
}
