#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS204: a file-watcher thread started with pthread_create() calls the
   Python callback for each event without attaching a thread state
   (watch_thread, and watch_thread_verbose, which is passed through a
   conditional expression `verbose ? watch_thread_verbose : watch_thread`).
   watch_thread_ts() attaches with PyEval_AcquireThread() on its own thread
   state but its error path returns still attached (TS301 at that return;
   the normal path releases). */

#include <pthread.h>
#include <unistd.h>

typedef struct {
    int fd;
    PyObject *callback;
    PyThreadState *tstate;
} watcher;

struct fs_event {
    int wd;
    unsigned mask;
};

static void *
watch_thread(void *arg)
{
    watcher *w = (watcher *)arg;
    struct fs_event ev;

    while (read(w->fd, &ev, sizeof ev) == (ssize_t)sizeof ev) {
        PyObject *r = PyObject_CallFunction(w->callback, "iI", ev.wd, ev.mask);   /* expect: TS204 */
        Py_XDECREF(r);
    }
    return NULL;
}

static void *
watch_thread_verbose(void *arg)
{
    watcher *w = (watcher *)arg;
    struct fs_event ev;

    while (read(w->fd, &ev, sizeof ev) == (ssize_t)sizeof ev) {
        PyObject *r = PyObject_CallFunction(w->callback, "iIs", ev.wd, ev.mask, "event");   /* expect: TS204 */
        if (r == NULL)
            PyErr_Print();
        Py_XDECREF(r);
    }
    return NULL;
}

static void *
watch_thread_ts(void *arg)
{
    watcher *w = (watcher *)arg;
    struct fs_event ev;

    while (read(w->fd, &ev, sizeof ev) == (ssize_t)sizeof ev) {
        PyObject *r;

        PyEval_AcquireThread(w->tstate);
        r = PyObject_CallFunction(w->callback, "iI", ev.wd, ev.mask);
        if (r == NULL) {
            PyErr_Print();
            return NULL;   /* expect: TS301 */
        }
        Py_DECREF(r);
        PyEval_ReleaseThread(w->tstate);
    }
    return NULL;
}

static watcher *
new_watcher(int fd, PyObject *callback, int own_state)
{
    watcher *w = PyMem_RawMalloc(sizeof *w);
    if (w == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    w->fd = fd;
    w->callback = Py_NewRef(callback);
    w->tstate = own_state ? PyThreadState_New(PyInterpreterState_Get()) : NULL;
    return w;
}

static PyObject *
start_failed(watcher *w)
{
    if (w->tstate != NULL) {
        PyThreadState_Clear(w->tstate);
        PyThreadState_Delete(w->tstate);
    }
    Py_DECREF(w->callback);
    PyMem_RawFree(w);
    PyErr_SetString(PyExc_RuntimeError, "cannot start watcher");
    return NULL;
}

static PyObject *
start_watch(PyObject *module, PyObject *args)
{
    PyObject *callback;
    int fd, verbose = 0;
    pthread_t tid;
    watcher *w;

    if (!PyArg_ParseTuple(args, "iO|p", &fd, &callback, &verbose))
        return NULL;
    if ((w = new_watcher(fd, callback, 0)) == NULL)
        return NULL;
    if (pthread_create(&tid, NULL, verbose ? watch_thread_verbose : watch_thread, w) != 0)
        return start_failed(w);
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyObject *
start_watch_ts(PyObject *module, PyObject *args)
{
    PyObject *callback;
    int fd;
    pthread_t tid;
    watcher *w;

    if (!PyArg_ParseTuple(args, "iO", &fd, &callback))
        return NULL;
    if ((w = new_watcher(fd, callback, 1)) == NULL)
        return NULL;
    if (pthread_create(&tid, NULL, watch_thread_ts, w) != 0)
        return start_failed(w);
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyObject *
start_watch_plain(PyObject *module, PyObject *args)
{
    PyObject *callback;
    int fd;
    pthread_t tid;
    watcher *w;

    if (!PyArg_ParseTuple(args, "iO", &fd, &callback))
        return NULL;
    if ((w = new_watcher(fd, callback, 0)) == NULL)
        return NULL;
    if (pthread_create(&tid, NULL, watch_thread, w) != 0)
        return start_failed(w);
    pthread_detach(tid);
    Py_RETURN_NONE;
}

static PyMethodDef watch_methods[] = {
    {"start_watch", start_watch, METH_VARARGS, NULL},
    {"start_watch_ts", start_watch_ts, METH_VARARGS, NULL},
    {"start_watch_plain", start_watch_plain, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
