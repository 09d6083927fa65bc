#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS302 (uwsgi-style per-app interpreters): app_swap_in() makes the app's
   interpreter current and returns the thread state it replaced;
   app_swap_out() switches back to it.
   - App_get_version (a getter, PyGetSetDef) swaps in and never swaps
     back, on every path;
   - run_hook() is not a Python entry point, but one of its paths swaps
     back and the early error return does not (the other path through the
     same call does switch back).
   App_reload() is correct. */

typedef struct {
    PyThreadState *interpreter;
    PyObject *callable;
} uwsgi_app;

typedef struct {
    PyObject_HEAD
    uwsgi_app *app;
} AppObject;

static PyThreadState *
app_swap_in(uwsgi_app *app)
{
    return PyThreadState_Swap(app->interpreter);
}

static void
app_swap_out(PyThreadState *previous)
{
    PyThreadState_Swap(previous);
}

static PyObject *
App_get_version(AppObject *self, void *closure)
{
    PyObject *sys, *v;

    (void)app_swap_in(self->app);   /* expect: TS302 */
    sys = PyImport_ImportModule("sys");
    if (sys == NULL)
        return NULL;
    v = PyObject_GetAttrString(sys, "version");
    Py_DECREF(sys);
    return v;
}

static int
run_hook(AppObject *self, const char *hook)
{
    PyThreadState *prev;
    PyObject *r;

    prev = app_swap_in(self->app);   /* expect: TS302 */
    if (self->app->callable == NULL)
        return -1;
    r = PyObject_CallMethod(self->app->callable, hook, NULL);
    if (r == NULL)
        PyErr_Print();
    Py_XDECREF(r);
    app_swap_out(prev);
    return r == NULL ? -1 : 0;
}

static PyObject *
App_reload(AppObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *prev;
    PyObject *r;
    int failed;

    prev = app_swap_in(self->app);
    r = self->app->callable == NULL ? NULL
        : PyObject_CallMethod(self->app->callable, "reload", NULL);
    failed = (r == NULL);
    if (failed && PyErr_Occurred())
        PyErr_Print();
    Py_XDECREF(r);
    app_swap_out(prev);
    return PyBool_FromLong(!failed);
}

void
uwsgi_after_request(AppObject *self)
{
    (void)run_hook(self, "after_request");
}

static PyMethodDef App_methods[] = {
    {"reload", (PyCFunction)App_reload, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef App_getset[] = {
    {"version", (getter)App_get_version, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};
