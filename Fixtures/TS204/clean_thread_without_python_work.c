#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a faulthandler-style watchdog thread (pthread_create) that never
   attaches a thread state: it only uses functions that need none (PyThread
   locks, PyMem_Raw*, Py_AddPendingCall) and a project helper,
   notify_python(), that attaches itself with PyGILState_Ensure(). The
   pending call runs later in the main thread, attached. */

#include <pthread.h>
#include <stdio.h>

typedef struct {
    PyThread_type_lock cancel;    /* held by the owner until cancel */
    long timeout_us;
    PyObject *on_timeout;
    char *report;
} watchdog;

static int
pending_timeout(void *arg)
{
    watchdog *wd = (watchdog *)arg;
    PyObject *r = PyObject_CallFunction(wd->on_timeout, "s", wd->report);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static void
notify_python(watchdog *wd)
{
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(wd->on_timeout, "s", "notify");
    Py_XDECREF(r);
    if (r == NULL)
        PyErr_WriteUnraisable(wd->on_timeout);
    PyGILState_Release(st);
}

static void *
watchdog_thread(void *arg)
{
    watchdog *wd = (watchdog *)arg;
    PyLockStatus st;

    st = PyThread_acquire_lock_timed(wd->cancel, wd->timeout_us, 0);
    if (st == PY_LOCK_ACQUIRED) {
        PyThread_release_lock(wd->cancel);
        return NULL;
    }
    wd->report = PyMem_RawMalloc(64);
    if (wd->report != NULL)
        snprintf(wd->report, 64, "timeout after %ld us", wd->timeout_us);
    if (Py_AddPendingCall(pending_timeout, wd) < 0)
        notify_python(wd);
    return NULL;
}

static PyObject *
arm(PyObject *module, PyObject *args)
{
    PyObject *cb;
    long timeout_us;
    watchdog *wd;
    pthread_t tid;

    if (!PyArg_ParseTuple(args, "lO", &timeout_us, &cb))
        return NULL;
    wd = PyMem_RawCalloc(1, sizeof *wd);
    if (wd == NULL)
        return PyErr_NoMemory();
    wd->cancel = PyThread_allocate_lock();
    if (wd->cancel == NULL) {
        PyMem_RawFree(wd);
        return PyErr_NoMemory();
    }
    PyThread_acquire_lock(wd->cancel, WAIT_LOCK);
    wd->timeout_us = timeout_us;
    wd->on_timeout = Py_NewRef(cb);
    if (pthread_create(&tid, NULL, watchdog_thread, wd) != 0) {
        PyThread_release_lock(wd->cancel);
        PyThread_free_lock(wd->cancel);
        Py_DECREF(wd->on_timeout);
        PyMem_RawFree(wd);
        PyErr_SetString(PyExc_RuntimeError, "cannot start watchdog");
        return NULL;
    }
    pthread_detach(tid);
    return PyLong_FromVoidPtr(wd);
}

static PyMethodDef watchdog_methods[] = {
    {"arm", arm, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
