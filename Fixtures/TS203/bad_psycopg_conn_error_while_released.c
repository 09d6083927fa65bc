#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS203 (psycopg2 pqpath-style): with the connection mutex held and the
   thread state released, pq_execute_command() reports a failed command
   through conn_set_error() / conn_notice_process(), which use the C-API.
   conn_set_error() is not static, so even though its only call in this file
   is detached it is reported at the call (other files may call it attached).
   pq_begin() does it right: Py_BLOCK_THREADS before reporting, after
   unlocking. */

#include <pthread.h>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
extern PGresult *PQexec(PGconn *conn, const char *query);
extern int PQresultStatus(const PGresult *res);
extern const char *PQerrorMessage(const PGconn *conn);
extern void PQclear(PGresult *res);
extern const char *PQnotice_pop(PGconn *conn);

#define PGRES_COMMAND_OK 1

typedef struct {
    PyObject_HEAD
    pthread_mutex_t lock;
    PGconn *pgconn;
    PyObject *notices;     /* list */
    int closed;
} connectionObject;

void
conn_set_error(connectionObject *self, const char *msg)
{
    PyErr_Format(PyExc_RuntimeError, "command failed: %s", msg);
}

static void
conn_notice_process(connectionObject *self)
{
    const char *n;

    while ((n = PQnotice_pop(self->pgconn)) != NULL) {
        PyObject *s = PyUnicode_FromString(n);
        if (s == NULL) {
            PyErr_Clear();
            continue;
        }
        if (PyList_Append(self->notices, s) < 0)
            PyErr_Clear();
        Py_DECREF(s);
    }
}

static PyObject *
pq_execute_command(connectionObject *self, PyObject *args)
{
    const char *query;
    PGresult *res;
    int ok;

    if (!PyArg_ParseTuple(args, "s", &query))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&self->lock);
    res = PQexec(self->pgconn, query);
    ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        conn_set_error(self, PQerrorMessage(self->pgconn));   /* expect: TS203 */
    conn_notice_process(self);   /* expect: TS203 */
    if (res != NULL)
        PQclear(res);
    pthread_mutex_unlock(&self->lock);
    Py_END_ALLOW_THREADS
    if (!ok)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
pq_begin(connectionObject *self, PyObject *Py_UNUSED(ignored))
{
    PGresult *res;
    int ok;

    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&self->lock);
    res = PQexec(self->pgconn, "BEGIN");
    ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (res != NULL)
        PQclear(res);
    pthread_mutex_unlock(&self->lock);
    Py_BLOCK_THREADS
    conn_notice_process(self);
    if (!ok) {
        conn_set_error(self, PQerrorMessage(self->pgconn));
        return NULL;
    }
    Py_UNBLOCK_THREADS
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef connection_methods[] = {
    {"execute_command", (PyCFunction)pq_execute_command, METH_VARARGS, NULL},
    {"begin", (PyCFunction)pq_begin, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
