#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Callbacks handed to a C library run on the caller's thread during the
   library's calls. When such a call is made with the thread state released,
   the callback runs with none:
   - free_ctx() is handed to kv_register() (a library the model does not know),
     itself called inside Py_BEGIN_ALLOW_THREADS: the library calls the
     destructor on failure, there;
   - on_notice() is registered on the connection `self->conn` with libpq's
     PQsetNoticeReceiver() (which keeps it: Rules/model/library-callbacks.toml),
     and PQexec() is later called on the same connection while released: libpq
     calls the receiver from inside PQexec(). libpq is declared here as
     libpq-fe.h declares it. */

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef void (*PQnoticeReceiver)(void *arg, const PGresult *res);
extern PQnoticeReceiver PQsetNoticeReceiver(PGconn *conn, PQnoticeReceiver proc, void *arg);
extern PGresult *PQexec(PGconn *conn, const char *query);
extern char *PQresultErrorMessage(const PGresult *res);
extern void PQclear(PGresult *res);

typedef struct kv_store kv_store;
extern int kv_register(kv_store *s, const char *name, void *ctx, void (*destroy)(void *));

typedef struct {
    PyObject_HEAD
    PGconn *conn;
    kv_store *store;
    PyObject *notices;
} ConnObject;

static void
free_ctx(void *ctx)
{
    Py_XDECREF((PyObject *)ctx);   /* expect: TS201 */
}

static void
on_notice(void *arg, const PGresult *res)
{
    ConnObject *self = (ConnObject *)arg;
    PyObject *text = PyUnicode_FromString(PQresultErrorMessage(res));   /* expect: TS201 */

    if (text != NULL) {
        PyList_Append(self->notices, text);
        Py_DECREF(text);
    }
}

static PyObject *
Conn_register(ConnObject *self, PyObject *callable)
{
    int rc;

    Py_INCREF(callable);
    Py_BEGIN_ALLOW_THREADS
    rc = kv_register(self->store, "f", callable, free_ctx);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_RuntimeError, "register failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Conn_listen(ConnObject *self, PyObject *Py_UNUSED(ignored))
{
    PQsetNoticeReceiver(self->conn, on_notice, self);
    Py_RETURN_NONE;
}

static PyObject *
Conn_execute(ConnObject *self, PyObject *arg)
{
    const char *query = PyUnicode_AsUTF8(arg);
    PGresult *res;

    if (query == NULL)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    res = PQexec(self->conn, query);
    Py_END_ALLOW_THREADS
    PQclear(res);
    Py_RETURN_NONE;
}

static PyMethodDef Conn_methods[] = {
    {"register", (PyCFunction)Conn_register, METH_O, NULL},
    {"listen", (PyCFunction)Conn_listen, METH_NOARGS, NULL},
    {"execute", (PyCFunction)Conn_execute, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
