#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A helper with external linkage that every call in the program makes with
   the thread state released is analysed as entered that way, as a static one
   is: its error path raises with no thread state (TS201 inside it, once).
   Its other path re-attaches through the saved thread state it is handed,
   which is fine. log_line() is also external and only called released, but
   it tests PyGILState_Check() first: written for both, it stays silent. */

#include <stdio.h>

typedef struct engine engine;
extern int engine_run(engine *e);
extern int use_green_threads;

int
run_locked(engine *e, PyThreadState **tstate)
{
    if (use_green_threads) {
        PyEval_RestoreThread(*tstate);
        PyObject *r = PyObject_CallNoArgs(Py_None);
        Py_XDECREF(r);
        *tstate = PyEval_SaveThread();
        return 0;
    }
    if (engine_run(e) < 0) {
        PyErr_SetString(PyExc_RuntimeError, "engine failed");   /* expect: TS201 */
        return -1;
    }
    return 0;
}

void
log_line(const char *line)
{
    if (PyGILState_Check())
        PySys_WriteStderr("%s\n", line);
    else
        fprintf(stderr, "%s\n", line);
}

typedef struct {
    PyObject_HEAD
    engine *engine;
} EngineObject;

static PyObject *
Engine_run(EngineObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    log_line("run");
    rc = run_locked(self->engine, &_save);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Engine_methods[] = {
    {"run", (PyCFunction)Engine_run, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
