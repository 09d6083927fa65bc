#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS205: socket calls made with the thread state attached in a small
   socket wrapper: recv() in a method, accept() and connect() in methods,
   poll() in a getter (PyGetSetDef). Sock_send_ok and Sock_recv_ok show the
   right shape (Modules/socketmodule.c: the call inside
   Py_BEGIN_ALLOW_THREADS). send() is not in the blocking list. */

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

typedef struct {
    PyObject_HEAD
    int fd;
} SockObject;

static PyObject *
Sock_recv(SockObject *self, PyObject *arg)
{
    Py_ssize_t len = PyLong_AsSsize_t(arg);
    PyObject *buf;
    ssize_t n;

    if (len < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    buf = PyBytes_FromStringAndSize(NULL, len);
    if (buf == NULL)
        return NULL;
    n = recv(self->fd, PyBytes_AS_STRING(buf), (size_t)len, 0);   /* expect: TS205 */
    if (n < 0) {
        Py_DECREF(buf);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (_PyBytes_Resize(&buf, n) < 0)
        return NULL;
    return buf;
}

static PyObject *
Sock_recv_ok(SockObject *self, PyObject *arg)
{
    Py_ssize_t len = PyLong_AsSsize_t(arg);
    PyObject *buf;
    char *p;
    ssize_t n;

    if (len < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    buf = PyBytes_FromStringAndSize(NULL, len);
    if (buf == NULL)
        return NULL;
    p = PyBytes_AS_STRING(buf);
    Py_BEGIN_ALLOW_THREADS
    n = recv(self->fd, p, (size_t)len, 0);
    Py_END_ALLOW_THREADS
    if (n < 0) {
        Py_DECREF(buf);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (_PyBytes_Resize(&buf, n) < 0)
        return NULL;
    return buf;
}

static PyObject *
Sock_send_ok(SockObject *self, PyObject *args)
{
    Py_buffer data;
    ssize_t n;

    if (!PyArg_ParseTuple(args, "y*", &data))
        return NULL;
    n = send(self->fd, data.buf, (size_t)data.len, 0);
    PyBuffer_Release(&data);
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromSsize_t(n);
}

static PyObject *
Sock_accept(SockObject *self, PyObject *Py_UNUSED(ignored))
{
    int fd;

    do {
        fd = accept(self->fd, NULL, NULL);   /* expect: TS205 */
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(fd);
}

static PyObject *
Sock_connect(SockObject *self, PyObject *args)
{
    Py_buffer addr;
    int rc;

    if (!PyArg_ParseTuple(args, "y*", &addr))
        return NULL;
    rc = connect(self->fd, (const struct sockaddr *)addr.buf, (socklen_t)addr.len);   /* expect: TS205 */
    PyBuffer_Release(&addr);
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyObject *
Sock_get_readable(SockObject *self, void *closure)
{
    struct pollfd pfd = {self->fd, POLLIN, 0};
    int rc = poll(&pfd, 1, 100);   /* expect: TS205 */

    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyBool_FromLong(rc > 0 && (pfd.revents & POLLIN));
}

static PyMethodDef Sock_methods[] = {
    {"recv", (PyCFunction)Sock_recv, METH_O, NULL},
    {"recv_ok", (PyCFunction)Sock_recv_ok, METH_O, NULL},
    {"send_ok", (PyCFunction)Sock_send_ok, METH_VARARGS, NULL},
    {"accept", (PyCFunction)Sock_accept, METH_NOARGS, NULL},
    {"connect", (PyCFunction)Sock_connect, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Sock_getset[] = {
    {"readable", (getter)Sock_get_readable, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Sock_slots[] = {
    {Py_tp_methods, Sock_methods},
    {Py_tp_getset, Sock_getset},
    {0, NULL}
};

static PyType_Spec Sock_spec = {
    .name = "minisock.Sock",
    .basicsize = sizeof(SockObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Sock_slots,
};
