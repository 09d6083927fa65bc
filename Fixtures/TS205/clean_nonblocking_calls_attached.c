#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: calls made attached that do not wait: write() to a self-pipe
   (signalmodule.c wakeup fd style), send() with MSG_DONTWAIT,
   pthread_mutex_trylock()/unlock(), pthread_cond_signal(), close(),
   fcntl(), clock_gettime(), getpid(). None is in the blocking list. */

#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    PyObject_HEAD
    int wakeup_fd;
    int sock;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long pending;
} NotifierObject;

static PyObject *
Notifier_wake(NotifierObject *self, PyObject *Py_UNUSED(ignored))
{
    unsigned char b = 1;
    ssize_t n = write(self->wakeup_fd, &b, 1);

    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyObject *
Notifier_poke(NotifierObject *self, PyObject *Py_UNUSED(ignored))
{
    ssize_t n = send(self->sock, "!", 1, MSG_DONTWAIT);

    if (pthread_mutex_trylock(&self->mu) == 0) {
        self->pending++;
        pthread_cond_signal(&self->cv);
        pthread_mutex_unlock(&self->mu);
    }
    return PyLong_FromSsize_t(n);
}

static PyObject *
Notifier_set_nonblocking(NotifierObject *self, PyObject *Py_UNUSED(ignored))
{
    int flags = fcntl(self->wakeup_fd, F_GETFL);

    if (flags < 0 || fcntl(self->wakeup_fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyObject *
Notifier_stamp(NotifierObject *self, PyObject *Py_UNUSED(ignored))
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Py_BuildValue("(ldl)", (long)getpid(), (double)ts.tv_sec + ts.tv_nsec * 1e-9,
                         self->pending);
}

static PyObject *
Notifier_close(NotifierObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->wakeup_fd >= 0) {
        close(self->wakeup_fd);
        self->wakeup_fd = -1;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Notifier_methods[] = {
    {"wake", (PyCFunction)Notifier_wake, METH_NOARGS, NULL},
    {"poke", (PyCFunction)Notifier_poke, METH_NOARGS, NULL},
    {"set_nonblocking", (PyCFunction)Notifier_set_nonblocking, METH_NOARGS, NULL},
    {"stamp", (PyCFunction)Notifier_stamp, METH_NOARGS, NULL},
    {"close", (PyCFunction)Notifier_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
