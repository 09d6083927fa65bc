#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: psycopg2-style thread-state wrappers.
   - conn_begin_blocking stores PyEval_SaveThread() in self->thread_state and
     conn_end_blocking restores it: each leaves the state changed on every
     path on purpose (wrappers), no diagnostic;
   - pq_execute_command_locked (psycopg2 pqpath.c) is entered detached with
     the token passed by pointer; it re-attaches temporarily on error paths
     and detaches again before every return;
   - conn_set_session passes &tstate to that helper and restores it after. */

typedef struct pq_conn pq_conn;
typedef struct pq_result pq_result;
extern pq_result *pq_exec(pq_conn *c, const char *query);
extern int pq_result_status(const pq_result *r);
extern const char *pq_error_message(const pq_conn *c);
extern void pq_clear(pq_result *r);
extern int pq_commit(pq_conn *c);

#define PGRES_COMMAND_OK 1

typedef struct {
    PyObject_HEAD
    pq_conn *pgconn;
    pq_result *pgres;
    PyThreadState *thread_state;
} connectionObject;

void
conn_begin_blocking(connectionObject *self)
{
    self->thread_state = PyEval_SaveThread();
}

void
conn_end_blocking(connectionObject *self)
{
    PyEval_RestoreThread(self->thread_state);
    self->thread_state = NULL;
}

int
pq_execute_command_locked(connectionObject *conn, const char *query,
                          PyThreadState **tstate)
{
    int retvalue = -1;

    conn->pgres = pq_exec(conn->pgconn, query);
    if (conn->pgres == NULL) {
        PyEval_RestoreThread(*tstate);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, pq_error_message(conn->pgconn));
        *tstate = PyEval_SaveThread();
        goto cleanup;
    }
    if (pq_result_status(conn->pgres) != PGRES_COMMAND_OK) {
        PyEval_RestoreThread(*tstate);
        PyErr_Format(PyExc_RuntimeError, "command failed: %s",
                     pq_error_message(conn->pgconn));
        *tstate = PyEval_SaveThread();
        goto cleanup;
    }
    retvalue = 0;

cleanup:
    pq_clear(conn->pgres);
    conn->pgres = NULL;
    return retvalue;
}

static PyObject *
conn_commit(connectionObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    conn_begin_blocking(self);
    rc = pq_commit(self->pgconn);
    conn_end_blocking(self);
    if (rc < 0) {
        PyErr_SetString(PyExc_RuntimeError, "commit failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
conn_set_session(connectionObject *self, PyObject *args)
{
    PyThreadState *tstate;
    const char *query;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &query))
        return NULL;
    tstate = PyEval_SaveThread();
    rc = pq_execute_command_locked(self, query, &tstate);
    PyEval_RestoreThread(tstate);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef conn_methods[] = {
    {"commit", (PyCFunction)conn_commit, METH_NOARGS, NULL},
    {"set_session", (PyCFunction)conn_set_session, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot conn_slots[] = {
    {Py_tp_methods, conn_methods},
    {0, NULL}
};

static PyType_Spec conn_spec = {
    .name = "pgmod.connection",
    .basicsize = sizeof(connectionObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = conn_slots,
};

static int
pgmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &conn_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot pgmod_slots[] = {
    {Py_mod_exec, pgmod_exec},
    {0, NULL}
};

static struct PyModuleDef pgmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pgmod",
    .m_size = 0,
    .m_slots = pgmod_slots,
};

PyMODINIT_FUNC
PyInit_pgmod(void)
{
    return PyModuleDef_Init(&pgmod);
}
