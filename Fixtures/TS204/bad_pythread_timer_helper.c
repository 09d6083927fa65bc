#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS204 through a helper: a timer thread started with
   PyThread_start_new_thread() sleeps (detached, fine) and then calls
   fire_timer(), which calls the Python callable, without attaching a
   thread state (reported at the fire_timer() call). Timer_fire_now() calls
   the same helper from a method, attached, which is fine. The second timer
   thread, timer_thread_ok(), does it right with PyGILState_Ensure(). */

#include <unistd.h>

typedef struct {
    PyObject_HEAD
    PyObject *func;
    unsigned int delay_ms;
    int cancelled;
} TimerObject;

static int
fire_timer(TimerObject *t)
{
    PyObject *r = PyObject_CallNoArgs(t->func);
    if (r == NULL) {
        PyErr_WriteUnraisable(t->func);
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

static void
timer_thread(void *arg)
{
    TimerObject *t = (TimerObject *)arg;

    usleep(t->delay_ms * 1000u);
    if (!t->cancelled)
        (void)fire_timer(t);   /* expect: TS204 */
}

static void
timer_thread_ok(void *arg)
{
    TimerObject *t = (TimerObject *)arg;
    PyGILState_STATE st;

    usleep(t->delay_ms * 1000u);
    st = PyGILState_Ensure();
    if (!t->cancelled)
        (void)fire_timer(t);
    Py_DECREF(t);
    PyGILState_Release(st);
}

static PyObject *
Timer_start(TimerObject *self, PyObject *args)
{
    int checked = 0;
    unsigned long ident;

    if (!PyArg_ParseTuple(args, "|p", &checked))
        return NULL;
    Py_INCREF(self);
    if (checked)
        ident = PyThread_start_new_thread(timer_thread_ok, self);
    else
        ident = PyThread_start_new_thread(timer_thread, self);
    if (ident == PYTHREAD_INVALID_THREAD_ID) {
        Py_DECREF(self);
        PyErr_SetString(PyExc_RuntimeError, "can't start timer thread");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Timer_fire_now(TimerObject *self, PyObject *Py_UNUSED(ignored))
{
    if (fire_timer(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Timer_methods[] = {
    {"start", (PyCFunction)Timer_start, METH_VARARGS, NULL},
    {"fire_now", (PyCFunction)Timer_fire_now, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
