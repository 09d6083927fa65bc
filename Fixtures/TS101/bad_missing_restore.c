#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101: explicit PyEval_SaveThread() with a path that never calls
   PyEval_RestoreThread(): an error return in a method, and a void
   tp_finalize (static PyTypeObject slot) that falls off its end detached. */

typedef struct pq_conn pq_conn;
typedef struct pq_result pq_result;
extern pq_result *pq_exec(pq_conn *conn, const char *sql);
extern long pq_ntuples(const pq_result *res);
extern void pq_clear(pq_result *res);
extern void pq_finish(pq_conn *conn);

typedef struct {
    PyObject_HEAD
    pq_conn *pgconn;
} ConnObject;

static PyObject *
Conn_execute(ConnObject *self, PyObject *args)
{
    const char *sql;
    PyThreadState *ts;
    pq_result *res;
    long n;

    if (!PyArg_ParseTuple(args, "s", &sql))
        return NULL;
    ts = PyEval_SaveThread();
    res = pq_exec(self->pgconn, sql);
    if (res == NULL)
        return NULL;   /* expect: TS101 */
    PyEval_RestoreThread(ts);
    n = pq_ntuples(res);
    pq_clear(res);
    return PyLong_FromLong(n);
}

static void
Conn_finalize(PyObject *op)
{
    ConnObject *self = (ConnObject *)op;
    PyThreadState *ts;

    if (self->pgconn == NULL)
        return;
    ts = PyEval_SaveThread();
    pq_finish(self->pgconn);
    self->pgconn = NULL;
}   /* expect: TS101 */

static PyMethodDef Conn_methods[] = {
    {"execute", (PyCFunction)Conn_execute, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject Conn_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pqmod.Connection",
    .tp_basicsize = sizeof(ConnObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_finalize = Conn_finalize,
    .tp_methods = Conn_methods,
    .tp_new = PyType_GenericNew,
};

#ifndef Py_mod_multiple_interpreters            /* 3.12+ */
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static int
pqmod_exec(PyObject *m)
{
    return PyModule_AddType(m, &Conn_Type);
}

static PyModuleDef_Slot pqmod_slots[] = {
    {Py_mod_exec, pqmod_exec},
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef pqmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pqmod",
    .m_size = 0,
    .m_slots = pqmod_slots,
};

PyMODINIT_FUNC
PyInit_pqmod(void)
{
    return PyModuleDef_Init(&pqmod);
}
