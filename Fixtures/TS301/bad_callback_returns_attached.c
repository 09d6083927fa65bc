#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS301: a C-library callback (not a Python entry point) entered with the
   thread state detached: it attaches with PyEval_RestoreThread(self->ts)
   and detaches again before its normal return, but the error return
   leaves the thread state attached. */

typedef struct {
    PyObject_HEAD
    PyObject *on_row;
    PyThreadState *ts;
} QueryObject;

static int
row_cb(void *user, int ncols, char **values)
{
    QueryObject *self = (QueryObject *)user;
    PyObject *row, *r;
    int i, rc;

    PyEval_RestoreThread(self->ts);
    row = PyTuple_New(ncols);
    if (row == NULL)
        return 1;   /* expect: TS301 */
    for (i = 0; i < ncols; i++) {
        PyObject *v = values[i] ? PyUnicode_FromString(values[i]) : Py_NewRef(Py_None);
        if (v == NULL) {
            Py_DECREF(row);
            self->ts = PyEval_SaveThread();
            return 1;
        }
        PyTuple_SET_ITEM(row, i, v);
    }
    r = PyObject_CallOneArg(self->on_row, row);
    Py_DECREF(row);
    rc = (r == NULL);
    Py_XDECREF(r);
    self->ts = PyEval_SaveThread();
    return rc;
}

typedef int (*row_fn)(void *, int, char **);
extern int db_query(void *db, const char *sql, row_fn fn, void *user);

int
query_run(QueryObject *self, void *db, const char *sql)
{
    return db_query(db, sql, row_cb, self);
}
