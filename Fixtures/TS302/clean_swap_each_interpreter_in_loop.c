#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: broadcast a call to every sub-interpreter of a pool; each
   iteration enters one with pool_enter() and leaves with pool_leave()
   before `continue`, `break` or the next iteration. */

typedef struct {
    PyThreadState **states;
    Py_ssize_t n;
} pool;

typedef struct {
    PyObject_HEAD
    pool p;
} PoolObject;

static PyThreadState *
pool_enter(pool *p, Py_ssize_t i)
{
    return PyThreadState_Swap(p->states[i]);
}

static void
pool_leave(PyThreadState *prev)
{
    PyThreadState_Swap(prev);
}

static PyObject *
Pool_broadcast(PoolObject *self, PyObject *args)
{
    const char *code;
    Py_ssize_t i, failures = 0;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    for (i = 0; i < self->p.n; i++) {
        PyThreadState *prev;
        int rc;

        if (self->p.states[i] == NULL)
            continue;
        prev = pool_enter(&self->p, i);
        rc = PyRun_SimpleString(code);
        if (rc < 0) {
            failures++;
            pool_leave(prev);
            if (failures > 3)
                break;
            continue;
        }
        pool_leave(prev);
    }
    return PyLong_FromSsize_t(failures);
}

static PyMethodDef Pool_methods[] = {
    {"broadcast", (PyCFunction)Pool_broadcast, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
