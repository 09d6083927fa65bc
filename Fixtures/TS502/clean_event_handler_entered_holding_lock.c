#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "pythread.h"

/* _tkinter's shape: an event procedure a library runs while it holds the
   extension's lock and no thread state. ENTER_PYTHON gives the lock up and
   attaches; LEAVE_PYTHON detaches and takes the lock back. Every path,
   also the early `goto done`, returns holding the lock exactly as it was
   entered. */

typedef struct event { int (*proc)(struct event *, int); PyObject *args; PyObject **res; } Event;
extern void lib_queue_event(Event *ev);
extern int lib_eval(PyObject *args);

static PyThread_type_lock big_lock;
static PyThreadState *lib_tstate;

#define ENTER_PYTHON \
    { PyThreadState *tstate = lib_tstate; lib_tstate = NULL; \
      if (big_lock) PyThread_release_lock(big_lock); \
      PyEval_RestoreThread(tstate); }

#define LEAVE_PYTHON \
    { PyThreadState *tstate = PyEval_SaveThread(); \
      if (big_lock) PyThread_acquire_lock(big_lock, 1); \
      lib_tstate = tstate; }

static int
call_proc(Event *e, int flags)
{
    int ok, status;
    ENTER_PYTHON
    ok = PyTuple_Check(e->args);
    if (!ok)
        *(e->res) = NULL;
    LEAVE_PYTHON
    if (!ok)
        goto done;
    status = lib_eval(e->args);
    ENTER_PYTHON
    *(e->res) = PyLong_FromLong(status);
    LEAVE_PYTHON
done:
    return 1;
}

static PyObject *
queue_call(PyObject *self, PyObject *args)
{
    PyObject *res = NULL;
    Event ev;
    ev.proc = call_proc;
    ev.args = args;
    ev.res = &res;
    Py_BEGIN_ALLOW_THREADS
    lib_queue_event(&ev);
    Py_END_ALLOW_THREADS
    if (res == NULL)
        return NULL;
    Py_DECREF(res);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"call", queue_call, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "event_handler", NULL, -1, methods};

PyMODINIT_FUNC
PyInit_event_handler(void)
{
    big_lock = PyThread_allocate_lock();
    return PyModule_Create(&moddef);
}
