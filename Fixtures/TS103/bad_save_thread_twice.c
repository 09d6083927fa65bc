#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS103: PyEval_SaveThread() called a second time while the thread state
   is already detached (a release copied from the block above). */

typedef struct db db;
typedef struct db_stmt db_stmt;
extern int db_prepare(db *d, const char *sql, db_stmt **out);
extern int db_step(db_stmt *s);
extern void db_finalize(db_stmt *s);

#define DB_OK    0
#define DB_DONE  101

static PyObject *
run_statement(PyObject *module, PyObject *args)
{
    PyObject *handle;
    const char *sql;
    db *d;
    db_stmt *stmt = NULL;
    PyThreadState *ts;
    int rc;

    if (!PyArg_ParseTuple(args, "Os", &handle, &sql))
        return NULL;
    d = PyCapsule_GetPointer(handle, "db");
    if (d == NULL)
        return NULL;

    ts = PyEval_SaveThread();
    rc = db_prepare(d, sql, &stmt);
    if (rc == DB_OK) {
        ts = PyEval_SaveThread();   /* expect: TS103 */
        rc = db_step(stmt);
        db_finalize(stmt);
    }
    PyEval_RestoreThread(ts);

    if (rc != DB_OK && rc != DB_DONE)
        return PyErr_Format(PyExc_RuntimeError, "statement failed: %d", rc);
    Py_RETURN_NONE;
}

static PyObject *
prepare_only(PyObject *module, PyObject *args)
{
    PyObject *handle;
    const char *sql;
    db *d;
    db_stmt *stmt = NULL;
    PyThreadState *ts;
    int rc;

    if (!PyArg_ParseTuple(args, "Os", &handle, &sql))
        return NULL;
    d = PyCapsule_GetPointer(handle, "db");
    if (d == NULL)
        return NULL;
    ts = PyEval_SaveThread();
    rc = db_prepare(d, sql, &stmt);
    if (rc == DB_OK)
        db_finalize(stmt);
    PyEval_RestoreThread(ts);
    return PyBool_FromLong(rc == DB_OK);
}

static PyMethodDef dbexec_methods[] = {
    {"run_statement", run_statement, METH_VARARGS, NULL},
    {"prepare_only", prepare_only, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef dbexec = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dbexec",
    .m_size = 0,
    .m_methods = dbexec_methods,
};

PyMODINIT_FUNC
PyInit_dbexec(void)
{
    return PyModuleDef_Init(&dbexec);
}
