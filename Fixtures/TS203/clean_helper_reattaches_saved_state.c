#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean (psycopg2 pq_get_result_async / pq_raise style): a helper called
   inside Py_BEGIN_ALLOW_THREADS receives the caller's `&_save`, re-attaches
   with PyEval_RestoreThread(*tstate) before any C-API use, and detaches
   again into *tstate before returning, so it does not need an attached
   thread state at its call. */

#include <pthread.h>

typedef struct pg_conn PGconn;
extern int PQconsumeInput(PGconn *conn);
extern int PQisBusy(PGconn *conn);
extern const char *PQerrorMessage(const PGconn *conn);

typedef struct {
    PyObject_HEAD
    pthread_mutex_t lock;
    PGconn *pgconn;
    PyObject *async_cursor;
} connectionObject;

static int
pq_raise_released(connectionObject *conn, const char *msg, PyThreadState **tstate)
{
    PyEval_RestoreThread(*tstate);
    PyErr_Format(PyExc_RuntimeError, "%s: %s", msg, PQerrorMessage(conn->pgconn));
    Py_CLEAR(conn->async_cursor);
    *tstate = PyEval_SaveThread();
    return -1;
}

static PyObject *
conn_poll(connectionObject *self, PyObject *Py_UNUSED(ignored))
{
    int res = 0;

    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&self->lock);
    if (PQconsumeInput(self->pgconn) == 0)
        res = pq_raise_released(self, "consume input failed", &_save);
    else if (PQisBusy(self->pgconn))
        res = 1;
    pthread_mutex_unlock(&self->lock);
    Py_END_ALLOW_THREADS
    if (res < 0)
        return NULL;
    return PyLong_FromLong(res);
}

static PyMethodDef connection_methods[] = {
    {"poll", (PyCFunction)conn_poll, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
