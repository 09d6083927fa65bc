#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: inside a Py_BEGIN_ALLOW_THREADS block, PyGILState_Ensure()
   re-attaches this thread's thread state to call into Python, and
   PyGILState_Release() detaches it again before Py_END_ALLOW_THREADS.
   The progress callback is called synchronously from the solver on the
   same thread while the method has released the thread state. */

#define SOLVER_WARN 1

typedef struct solver solver;
typedef int (*progress_fn)(void *user, double frac);
extern int solver_run(solver *s, progress_fn fn, void *user);

typedef struct {
    PyObject_HEAD
    solver *s;
    PyObject *on_progress;
} SolverObject;

static int
progress(void *user, double frac)
{
    SolverObject *self = (SolverObject *)user;
    PyGILState_STATE g;
    PyObject *r;
    int rc = 0;

    if (self->on_progress == NULL)
        return 0;
    g = PyGILState_Ensure();
    r = PyObject_CallFunction(self->on_progress, "d", frac);
    if (r == NULL)
        rc = -1;
    Py_XDECREF(r);
    PyGILState_Release(g);
    return rc;
}

static PyObject *
Solver_solve(SolverObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = solver_run(self->s, progress, self);
    if (rc == SOLVER_WARN) {
        PyGILState_STATE g = PyGILState_Ensure();
        if (PyErr_WarnEx(PyExc_RuntimeWarning, "solver did not converge", 1) < 0)
            rc = -1;
        PyGILState_Release(g);
    }
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return NULL;
    return PyLong_FromLong(rc);
}

static PyMethodDef Solver_methods[] = {
    {"solve", (PyCFunction)Solver_solve, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Solver_slots[] = {
    {Py_tp_methods, Solver_methods},
    {0, NULL}
};

static PyType_Spec Solver_spec = {
    .name = "solvermod.Solver",
    .basicsize = sizeof(SolverObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Solver_slots,
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static int
solvermod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Solver_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot solvermod_slots[] = {
    {Py_mod_exec, solvermod_exec},
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef solvermod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "solvermod",
    .m_size = 0,
    .m_slots = solvermod_slots,
};

PyMODINIT_FUNC
PyInit_solvermod(void)
{
    return PyModuleDef_Init(&solvermod);
}
