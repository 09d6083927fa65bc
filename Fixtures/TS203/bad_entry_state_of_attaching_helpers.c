#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* How a function is entered belongs to the function, not to one path.
   acquire_for() attaches with PyEval_AcquireThread() at its end, so it is
   entered with no thread state (it would deadlock otherwise), also on its
   early error path, where it calls a helper that needs one (TS203).
   acquire_saved() attaches only when it returns 1; progress_cb() ignores the
   result and goes on to the C-API on the path where nothing was attached
   (TS201), then releases what it never took (TS103). progress_cb_checked()
   tests the result and is clean, and so is notify(), which tests
   PyGILState_Check() and is written to be entered either way. */

extern PyThreadState *lookup_tstate(const char *name);
extern void lib_set_progress(void *lib, int (*cb)(void *, double), void *arg);

typedef struct {
    PyObject_HEAD
    PyThreadState *saved;
    PyObject *fn;
} Handle;

static void
log_python_error(const char *what)
{
    PyErr_WarnEx(PyExc_RuntimeWarning, what, 1);
}

PyThreadState *
acquire_for(const char *name)
{
    PyThreadState *ts = lookup_tstate(name);

    if (ts == NULL) {
        log_python_error("no thread state");   /* expect: TS203 */
        return NULL;
    }
    PyEval_AcquireThread(ts);
    return ts;
}

int
acquire_saved(Handle *h)
{
    if (h->saved == NULL)
        return 0;
    PyEval_RestoreThread(h->saved);
    return 1;
}

void
release_saved(Handle *h)
{
    h->saved = PyEval_SaveThread();
}

static int
progress_cb(void *arg, double done)
{
    Handle *h = arg;
    PyObject *r;

    acquire_saved(h);
    r = PyObject_CallFunction(h->fn, "d", done);   /* expect: TS201 */
    Py_XDECREF(r);
    release_saved(h);   /* expect: TS103 */
    return 0;
}

static int
progress_cb_checked(void *arg, double done)
{
    Handle *h = arg;
    PyObject *r;

    if (!acquire_saved(h))
        return -1;
    r = PyObject_CallFunction(h->fn, "d", done);
    Py_XDECREF(r);
    release_saved(h);
    return 0;
}

void
notify(Handle *h)
{
    int attached = PyGILState_Check();
    PyObject *r;

    if (!attached)
        PyEval_RestoreThread(h->saved);
    r = PyObject_CallNoArgs(h->fn);
    Py_XDECREF(r);
    if (!attached)
        h->saved = PyEval_SaveThread();
}

void
install(Handle *h, void *lib, int checked)
{
    lib_set_progress(lib, checked ? progress_cb_checked : progress_cb, h);
}
