#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a PyThread lock used as an event, the way CPython's faulthandler arms its watchdog:
   acquired here, released by the thread started next. The error path releases it itself;
   the success path hands it over. PyThread locks have no owner, so this is legitimate. */

typedef struct {
    PyThread_type_lock running;
    PyThread_type_lock cancel_event;
} watchdog_t;

static watchdog_t watchdog;

static void
watchdog_thread(void *unused)
{
    PyThread_release_lock(watchdog.running);
}

static PyObject *
arm_watchdog(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    PyThread_acquire_lock(watchdog.running, WAIT_LOCK);
    if (PyThread_start_new_thread(watchdog_thread, NULL) == PYTHREAD_INVALID_THREAD_ID) {
        PyThread_release_lock(watchdog.running);
        PyErr_SetString(PyExc_RuntimeError, "unable to start watchdog thread");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef watchdog_methods[] = {
    {"arm", arm_watchdog, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
