#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a pthread_create() event thread blocks in read() detached, then
   attaches with PyGILState_Ensure() for each event and releases before
   the next read, on every path including `continue` and `break`. */

#include <pthread.h>
#include <unistd.h>

typedef struct {
    int fd;
    PyObject *handler;
} event_loop;

struct event_rec {
    int kind;
    long value;
};

static void *
event_thread(void *arg)
{
    event_loop *el = (event_loop *)arg;
    struct event_rec ev;
    PyGILState_STATE st;

    for (;;) {
        ssize_t n = read(el->fd, &ev, sizeof ev);
        if (n != (ssize_t)sizeof ev)
            break;
        if (ev.kind == 0)
            continue;
        st = PyGILState_Ensure();
        PyObject *r = PyObject_CallFunction(el->handler, "il", ev.kind, ev.value);
        if (r == NULL) {
            PyErr_Print();
            PyGILState_Release(st);
            if (ev.kind < 0)
                break;
            continue;
        }
        Py_DECREF(r);
        PyGILState_Release(st);
    }
    st = PyGILState_Ensure();
    Py_DECREF(el->handler);
    PyGILState_Release(st);
    close(el->fd);
    PyMem_RawFree(el);
    return NULL;
}

static PyObject *
start_events(PyObject *module, PyObject *args)
{
    PyObject *handler;
    int fd;
    pthread_t tid;
    event_loop *el;

    if (!PyArg_ParseTuple(args, "iO", &fd, &handler))
        return NULL;
    el = PyMem_RawMalloc(sizeof *el);
    if (el == NULL)
        return PyErr_NoMemory();
    el->fd = fd;
    el->handler = Py_NewRef(handler);
    if (pthread_create(&tid, NULL, event_thread, el) != 0) {
        Py_DECREF(el->handler);
        PyMem_RawFree(el);
        PyErr_SetString(PyExc_RuntimeError, "cannot start event thread");
        return NULL;
    }
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyMethodDef events_methods[] = {
    {"start_events", start_events, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
