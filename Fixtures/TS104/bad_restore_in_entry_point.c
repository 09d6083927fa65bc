#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS104: PyEval_RestoreThread() in a Python entry point, where the thread
   state is already attached (code copied from the C callback, which does
   need it). Poller_callback is the correct C callback. */

typedef struct pq_conn pq_conn;
extern int pq_poll_nonblocking(pq_conn *c);

typedef struct {
    PyObject_HEAD
    pq_conn *pgconn;
    PyObject *on_ready;
    PyThreadState *tstate;
} PollerObject;

static PyObject *
Poller_poll(PollerObject *self, PyObject *Py_UNUSED(ignored))
{
    int r = pq_poll_nonblocking(self->pgconn);

    PyEval_RestoreThread(self->tstate);   /* expect: TS104 */
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "poll failed");
        return NULL;
    }
    return PyLong_FromLong(r);
}

/* Called by the library while Poller_wait below has the thread state
   saved in self->tstate. */
static void
Poller_callback(void *user, int status)
{
    PollerObject *self = (PollerObject *)user;
    PyObject *r;

    PyEval_RestoreThread(self->tstate);
    r = PyObject_CallFunction(self->on_ready, "i", status);
    if (r == NULL)
        PyErr_WriteUnraisable(self->on_ready);
    else
        Py_DECREF(r);
    self->tstate = PyEval_SaveThread();
}

static PyMethodDef Poller_methods[] = {
    {"poll", (PyCFunction)Poller_poll, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Poller_slots[] = {
    {Py_tp_methods, Poller_methods},
    {0, NULL}
};

static PyType_Spec Poller_spec = {
    .name = "pqpoll.Poller",
    .basicsize = sizeof(PollerObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Poller_slots,
};

static int
pqpoll_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Poller_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot pqpoll_slots[] = {
    {Py_mod_exec, pqpoll_exec},
    {0, NULL}
};

static struct PyModuleDef pqpoll = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pqpoll",
    .m_size = 0,
    .m_slots = pqpoll_slots,
};

PyMODINIT_FUNC
PyInit_pqpoll(void)
{
    return PyModuleDef_Init(&pqpoll);
}
