#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS205 through helpers (subprocess-style): wait_child() calls waitpid(),
   drain_pipe() reaches read() through read_chunk(). Proc_wait() and
   Proc_communicate() call them with the thread state attached (reported
   at the helper calls); Proc_wait_ok() calls wait_child() inside
   Py_BEGIN_ALLOW_THREADS. The helpers themselves are not reported. */

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    PyObject_HEAD
    pid_t pid;
    int out_fd;
    int status;
} ProcObject;

static int
wait_child(pid_t pid, int *status)
{
    pid_t r;
    do {
        r = waitpid(pid, status, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

static ssize_t
read_chunk(int fd, char *buf, size_t len)
{
    ssize_t n;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n;
}

static ssize_t
drain_pipe(int fd, char *buf, size_t cap)
{
    size_t used = 0;
    ssize_t n;

    while (used < cap && (n = read_chunk(fd, buf + used, cap - used)) > 0)
        used += (size_t)n;
    return (ssize_t)used;
}

static PyObject *
Proc_wait(ProcObject *self, PyObject *Py_UNUSED(ignored))
{
    if (wait_child(self->pid, &self->status) < 0)   /* expect: TS205 */
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(WEXITSTATUS(self->status));
}

static PyObject *
Proc_wait_ok(ProcObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc, status = 0;

    Py_BEGIN_ALLOW_THREADS
    rc = wait_child(self->pid, &status);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    self->status = status;
    return PyLong_FromLong(WEXITSTATUS(status));
}

static PyObject *
Proc_communicate(ProcObject *self, PyObject *arg)
{
    Py_ssize_t cap = PyLong_AsSsize_t(arg);
    PyObject *out;
    ssize_t n;

    if (cap < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    out = PyBytes_FromStringAndSize(NULL, cap);
    if (out == NULL)
        return NULL;
    n = drain_pipe(self->out_fd, PyBytes_AS_STRING(out), (size_t)cap);   /* expect: TS205 */
    if (_PyBytes_Resize(&out, n) < 0)
        return NULL;
    return out;
}

static PyObject *
Proc_communicate_ok(ProcObject *self, PyObject *arg)
{
    Py_ssize_t cap = PyLong_AsSsize_t(arg);
    PyObject *out;
    char *p;
    ssize_t n;

    if (cap < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    out = PyBytes_FromStringAndSize(NULL, cap);
    if (out == NULL)
        return NULL;
    p = PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    n = drain_pipe(self->out_fd, p, (size_t)cap);
    Py_END_ALLOW_THREADS
    if (_PyBytes_Resize(&out, n) < 0)
        return NULL;
    return out;
}

static PyMethodDef Proc_methods[] = {
    {"wait", (PyCFunction)Proc_wait, METH_NOARGS, NULL},
    {"wait_ok", (PyCFunction)Proc_wait_ok, METH_NOARGS, NULL},
    {"communicate", (PyCFunction)Proc_communicate, METH_O, NULL},
    {"communicate_ok", (PyCFunction)Proc_communicate_ok, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
