#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS203: _sqlite-style error helper (_pysqlite_seterror raises with
   PyErr_SetString on the failure path) called between
   Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS right after sqlite3_step
   or sqlite3_reset fails. Cursor_prepare shows the right order: keep the
   status code, end the block, then raise. */

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n,
                              sqlite3_stmt **stmt, const char **tail);
extern int sqlite3_step(sqlite3_stmt *stmt);
extern int sqlite3_reset(sqlite3_stmt *stmt);
extern int sqlite3_errcode(sqlite3 *db);
extern const char *sqlite3_errmsg(sqlite3 *db);

#define SQLITE_OK   0
#define SQLITE_ROW  100
#define SQLITE_DONE 101

typedef struct {
    PyObject_HEAD
    sqlite3 *db;
} ConnectionObject;

typedef struct {
    PyObject_HEAD
    ConnectionObject *connection;
    sqlite3_stmt *stmt;
    int done;
} CursorObject;

static int
_pysqlite_seterror(sqlite3 *db)
{
    int errorcode = sqlite3_errcode(db);

    if (errorcode == SQLITE_OK)
        return errorcode;
    PyErr_SetString(PyExc_RuntimeError, sqlite3_errmsg(db));
    return errorcode;
}

static PyObject *
Cursor_prepare(CursorObject *self, PyObject *args)
{
    const char *sql, *tail;
    sqlite3 *db = self->connection->db;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &sql))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = sqlite3_prepare_v2(db, sql, -1, &self->stmt, &tail);
    Py_END_ALLOW_THREADS
    if (rc != SQLITE_OK) {
        (void)_pysqlite_seterror(db);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Cursor_step(CursorObject *self, PyObject *Py_UNUSED(ignored))
{
    sqlite3 *db = self->connection->db;
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = sqlite3_step(self->stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        (void)_pysqlite_seterror(db);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return NULL;
    self->done = (rc == SQLITE_DONE);
    return PyBool_FromLong(rc == SQLITE_ROW);
}

static PyObject *
Cursor_reset(CursorObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = sqlite3_reset(self->stmt);
    if (rc != SQLITE_OK)
        rc = _pysqlite_seterror(self->connection->db);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    if (rc != SQLITE_OK)
        return NULL;
    self->done = 0;
    Py_RETURN_NONE;
}

static PyMethodDef Cursor_methods[] = {
    {"prepare", (PyCFunction)Cursor_prepare, METH_VARARGS, NULL},
    {"step", (PyCFunction)Cursor_step, METH_NOARGS, NULL},
    {"reset", (PyCFunction)Cursor_reset, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Cursor_slots[] = {
    {Py_tp_methods, Cursor_methods},
    {0, NULL}
};

static PyType_Spec Cursor_spec = {
    .name = "minisqlite.Cursor",
    .basicsize = sizeof(CursorObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Cursor_slots,
};

static int
minisqlite_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Cursor_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot minisqlite_slots[] = {
    {Py_mod_exec, minisqlite_exec},
    {0, NULL}
};

static struct PyModuleDef minisqlite = {
    PyModuleDef_HEAD_INIT,
    .m_name = "minisqlite",
    .m_size = 0,
    .m_slots = minisqlite_slots,
};

PyMODINIT_FUNC
PyInit_minisqlite(void)
{
    return PyModuleDef_Init(&minisqlite);
}
