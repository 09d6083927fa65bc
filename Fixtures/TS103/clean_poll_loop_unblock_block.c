#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_BLOCK_THREADS / Py_UNBLOCK_THREADS around PyErr_CheckSignals()
   inside a released poll loop (CPython select/socket/_multiprocessing
   style), a Py_BLOCK_THREADS region that returns from inside a loop, and
   a _multiprocessing-style helper entered detached that receives `_save`
   as a parameter, re-attaches to check signals and detaches again (its
   local `_save` then holds the same thread state the caller still holds). */

#include <errno.h>
#include <poll.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

extern int deadline_passed(const struct timespec *deadline);

typedef struct {
    PyObject_HEAD
    struct pollfd *fds;
    nfds_t nfds;
    PyObject *on_ready;
} PollerObject;

typedef struct {
    PyObject_HEAD
    sem_t *handle;
} SemObject;

static PyObject *
Poller_poll(PollerObject *self, PyObject *args)
{
    int timeout_ms = -1, n;

    if (!PyArg_ParseTuple(args, "|i", &timeout_ms))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        n = poll(self->fds, self->nfds, timeout_ms);
        if (n >= 0 || errno != EINTR)
            break;
        /* interrupted by a signal: run the Python signal handlers */
        Py_BLOCK_THREADS
        if (PyErr_CheckSignals() < 0)
            return NULL;
        Py_UNBLOCK_THREADS
    }
    Py_END_ALLOW_THREADS
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(n);
}

static PyObject *
Poller_dispatch(PollerObject *self, PyObject *Py_UNUSED(ignored))
{
    nfds_t i;
    int n;

    Py_BEGIN_ALLOW_THREADS
    n = poll(self->fds, self->nfds, 0);
    if (n > 0) {
        Py_BLOCK_THREADS
        for (i = 0; i < self->nfds; i++) {
            PyObject *r;
            if (self->fds[i].revents == 0)
                continue;
            r = PyObject_CallFunction(self->on_ready, "i", self->fds[i].fd);
            if (r == NULL)
                return NULL;   /* blocked: safe to return from here */
            Py_DECREF(r);
        }
        Py_UNBLOCK_THREADS
    }
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(n);
}

static int
sem_timedwait_save(sem_t *sem, const struct timespec *deadline, PyThreadState *_save)
{
    int res;

    for (;;) {
        if (sem_trywait(sem) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        if (deadline_passed(deadline)) {
            errno = ETIMEDOUT;
            return -1;
        }
        usleep(1000);

        /* check for signals */
        Py_BLOCK_THREADS
        res = PyErr_CheckSignals();
        Py_UNBLOCK_THREADS

        if (res) {
            errno = EINTR;
            return -2;
        }
    }
}

static PyObject *
Sem_acquire(SemObject *self, PyObject *arg)
{
    struct timespec deadline;
    double timeout = PyFloat_AsDouble(arg);
    int res;

    if (timeout == -1.0 && PyErr_Occurred())
        return NULL;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)timeout;

    Py_BEGIN_ALLOW_THREADS
    res = sem_timedwait_save(self->handle, &deadline, _save);
    Py_END_ALLOW_THREADS

    if (res == -2)
        return NULL;
    if (res < 0) {
        if (errno == ETIMEDOUT)
            Py_RETURN_FALSE;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_RETURN_TRUE;
}

static PyMethodDef Poller_methods[] = {
    {"poll", (PyCFunction)Poller_poll, METH_VARARGS, NULL},
    {"dispatch", (PyCFunction)Poller_dispatch, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyMethodDef Sem_methods[] = {
    {"acquire", (PyCFunction)Sem_acquire, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Poller_slots[] = {
    {Py_tp_methods, Poller_methods},
    {0, NULL}
};

static PyType_Slot Sem_slots[] = {
    {Py_tp_methods, Sem_methods},
    {0, NULL}
};

static PyType_Spec Poller_spec = {
    .name = "pollmod.Poller",
    .basicsize = sizeof(PollerObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Poller_slots,
};

static PyType_Spec Sem_spec = {
    .name = "pollmod.Semaphore",
    .basicsize = sizeof(SemObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Sem_slots,
};

static int
pollmod_exec(PyObject *m)
{
    PyType_Spec *specs[] = {&Poller_spec, &Sem_spec};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        PyObject *tp = PyType_FromModuleAndSpec(m, specs[i], NULL);
        if (tp == NULL)
            return -1;
        int rc = PyModule_AddType(m, (PyTypeObject *)tp);
        Py_DECREF(tp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static PyModuleDef_Slot pollmod_slots[] = {
    {Py_mod_exec, pollmod_exec},
    {0, NULL}
};

static struct PyModuleDef pollmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pollmod",
    .m_size = 0,
    .m_slots = pollmod_slots,
};

PyMODINIT_FUNC
PyInit_pollmod(void)
{
    return PyModuleDef_Init(&pollmod);
}
