#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS205: sleeping with the thread state attached. Throttle_wait() calls
   usleep() in a method without releasing; Throttle_next (tp_iternext)
   uses nanosleep() in a retry loop, also attached. Throttle_wait_ok()
   sleeps inside Py_BEGIN_ALLOW_THREADS. */

#include <time.h>
#include <unistd.h>

typedef struct {
    PyObject_HEAD
    unsigned int interval_us;
    long remaining;
} ThrottleObject;

static PyObject *
Throttle_wait(ThrottleObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->interval_us > 0)
        usleep(self->interval_us);   /* expect: TS205 */
    Py_RETURN_NONE;
}

static PyObject *
Throttle_wait_ok(ThrottleObject *self, PyObject *Py_UNUSED(ignored))
{
    unsigned int us = self->interval_us;

    Py_BEGIN_ALLOW_THREADS
    usleep(us);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
Throttle_next(ThrottleObject *self)
{
    struct timespec ts;

    if (self->remaining <= 0)
        return NULL;
    ts.tv_sec = self->interval_us / 1000000u;
    ts.tv_nsec = (long)(self->interval_us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) != 0) {   /* expect: TS205 */
        if (PyErr_CheckSignals() < 0)
            return NULL;
    }
    self->remaining--;
    return PyLong_FromLong(self->remaining);
}

static PyMethodDef Throttle_methods[] = {
    {"wait", (PyCFunction)Throttle_wait, METH_NOARGS, NULL},
    {"wait_ok", (PyCFunction)Throttle_wait_ok, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Throttle_slots[] = {
    {Py_tp_methods, Throttle_methods},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, Throttle_next},
    {0, NULL}
};

static PyType_Spec Throttle_spec = {
    .name = "throttle.Throttle",
    .basicsize = sizeof(ThrottleObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Throttle_slots,
};
