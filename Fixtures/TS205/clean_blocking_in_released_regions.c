#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: every blocking call runs inside a released region: the PEP 475
   retry loop around select()+read() (Modules/selectmodule.c,
   posixmodule.c shape), flock() and fsync() on a lock file,
   getaddrinfo() (socketmodule.c setipaddr), and system(). */

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <unistd.h>

static PyObject *
read_with_timeout(PyObject *module, PyObject *args)
{
    int fd;
    long usec;
    char buf[4096];
    ssize_t n = -1;
    int ready, async_err = 0;

    if (!PyArg_ParseTuple(args, "il", &fd, &usec))
        return NULL;
    do {
        fd_set rfds;
        struct timeval tv = {usec / 1000000, usec % 1000000};
        FD_ZERO(&rfds);
        FD_SET(fd, &rfds);
        Py_BEGIN_ALLOW_THREADS
        ready = select(fd + 1, &rfds, NULL, NULL, &tv);
        if (ready > 0)
            n = read(fd, buf, sizeof buf);
        Py_END_ALLOW_THREADS
    } while ((ready < 0 || n < 0) && errno == EINTR &&
             !(async_err = PyErr_CheckSignals()));
    if (async_err)
        return NULL;
    if (ready < 0 || n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (ready == 0)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(buf, n);
}

static PyObject *
locked_sync(PyObject *module, PyObject *arg)
{
    int fd = PyObject_AsFileDescriptor(arg);
    int rc;

    if (fd < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = flock(fd, LOCK_EX);
    if (rc == 0) {
        rc = fsync(fd);
        flock(fd, LOCK_UN);
    }
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyObject *
resolve(PyObject *module, PyObject *args)
{
    const char *host;
    struct addrinfo hints, *res = NULL;
    int err;
    PyObject *family;

    if (!PyArg_ParseTuple(args, "s", &host))
        return NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    Py_BEGIN_ALLOW_THREADS
    err = getaddrinfo(host, NULL, &hints, &res);
    Py_END_ALLOW_THREADS
    if (err != 0) {
        PyErr_SetString(PyExc_OSError, gai_strerror(err));
        return NULL;
    }
    family = PyLong_FromLong(res->ai_family);
    freeaddrinfo(res);
    return family;
}

static PyObject *
run_shell(PyObject *module, PyObject *args)
{
    const char *cmd;
    int status;

    if (!PyArg_ParseTuple(args, "s", &cmd))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    status = system(cmd);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(status);
}

static PyMethodDef blockio_methods[] = {
    {"read_with_timeout", read_with_timeout, METH_VARARGS, NULL},
    {"locked_sync", locked_sync, METH_O, NULL},
    {"resolve", resolve, METH_VARARGS, NULL},
    {"run_shell", run_shell, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
