#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: blocking calls in functions whose entry state is unknown (not a
   Python entry point, never called attached): the exported helpers
   uwsgi_read_whole() (pure C) and record_read() (builds a bytes object,
   then read()s into it: it needs an attached thread state, but whether it
   blocks attached is for its callers, and none calls it here); a static
   helper called only inside a released region; a thread start routine that
   waits on a condition variable before it attaches. */

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

ssize_t
uwsgi_read_whole(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

PyObject *
record_read(int fd, Py_ssize_t len)
{
    PyObject *b = PyBytes_FromStringAndSize(NULL, len);
    ssize_t n;

    if (b == NULL)
        return NULL;
    n = read(fd, PyBytes_AS_STRING(b), (size_t)len);
    if (n < 0) {
        Py_DECREF(b);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (_PyBytes_Resize(&b, n) < 0)
        return NULL;
    return b;
}

static int
wait_ready(int fd)
{
    char c;
    return read(fd, &c, 1) == 1 ? 0 : -1;
}

static PyObject *
await_ready(PyObject *module, PyObject *arg)
{
    int fd = (int)PyLong_AsLong(arg);
    int rc;

    if (fd == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = wait_ready(fd);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;
    PyObject *callback;
} gate;

static void *
gate_thread(void *arg)
{
    gate *g = (gate *)arg;
    PyGILState_STATE st;

    pthread_mutex_lock(&g->mu);
    while (!g->ready)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    st = PyGILState_Ensure();
    PyObject *r = PyObject_CallNoArgs(g->callback);
    Py_XDECREF(r);
    PyGILState_Release(st);
    return NULL;
}

static PyObject *
start_gate(PyObject *module, PyObject *arg)
{
    gate *g = PyLong_AsVoidPtr(arg);
    pthread_t tid;

    if (g == NULL)
        return NULL;
    if (pthread_create(&tid, NULL, gate_thread, g) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "cannot start gate thread");
        return NULL;
    }
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyMethodDef gate_methods[] = {
    {"await_ready", await_ready, METH_O, NULL},
    {"start_gate", start_gate, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
