#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

/* Callbacks handed to a C library that are never run without a thread state:
   - on_row() is registered on `self->db` and every call on that object is made
     attached; the released call is made on another object (`self->log`);
   - on_progress() is handed to a call made released (on a third object, the
     copier), but takes the thread state itself with PyGILState_Ensure()
     before touching Python;
   - compare_ints() is handed to qsort() while released and uses no C-API;
   - on_event() is registered while attached and nothing calls the library
     released;
   - on_prompt() is handed to db_interactive_bind() together with the handle,
     while attached; later calls on the handle are made released, but a call
     the model does not list as keeping its callbacks uses them during the
     call only (OpenLDAP's ldap_sasl_interactive_bind_s, as python-ldap uses
     it). */

typedef struct db db;
typedef struct logsink logsink;
typedef struct copier copier;
extern void db_set_row_handler(db *d, void (*fn)(void *, long), void *arg);
extern int db_step(db *d);
extern int log_flush(logsink *l);
extern int copier_run(copier *c, void (*progress)(void *, double), void *arg);
extern void bus_subscribe(const char *topic, void (*fn)(void *), void *arg);
extern int db_interactive_bind(db *d, const char *who, int (*prompt)(void *, const char *), void *arg);

typedef struct {
    PyObject_HEAD
    db *db;
    logsink *log;
    copier *copier;
    PyObject *rows;
    PyObject *progress;
} DbObject;

static void
on_row(void *arg, long value)
{
    DbObject *self = (DbObject *)arg;
    PyObject *item = PyLong_FromLong(value);

    if (item != NULL) {
        PyList_Append(self->rows, item);
        Py_DECREF(item);
    }
}

static void
on_progress(void *arg, double done)
{
    DbObject *self = (DbObject *)arg;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(self->progress, "d", done);

    Py_XDECREF(r);
    PyGILState_Release(gil);
}

static int
compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void
on_event(void *arg)
{
    PyObject *r = PyObject_CallNoArgs((PyObject *)arg);
    Py_XDECREF(r);
}

static int
on_prompt(void *arg, const char *question)
{
    PyObject *r = PyObject_CallFunction((PyObject *)arg, "s", question);

    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *
Db_bind(DbObject *self, PyObject *args)
{
    const char *who;
    PyObject *prompt;

    if (!PyArg_ParseTuple(args, "sO", &who, &prompt))
        return NULL;
    return PyLong_FromLong(db_interactive_bind(self->db, who, on_prompt, prompt));
}

static PyObject *
Db_step_released(DbObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = db_step(self->db);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

static PyObject *
Db_fetch(DbObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc, flushed;

    db_set_row_handler(self->db, on_row, self);
    rc = db_step(self->db);
    Py_BEGIN_ALLOW_THREADS
    flushed = log_flush(self->log);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("ii", rc, flushed);
}

static PyObject *
Db_copy(DbObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = copier_run(self->copier, on_progress, self);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

static PyObject *
Db_sorted(DbObject *self, PyObject *Py_UNUSED(ignored))
{
    int values[4] = {3, 1, 2, 0};

    Py_BEGIN_ALLOW_THREADS
    qsort(values, 4, sizeof values[0], compare_ints);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("iiii", values[0], values[1], values[2], values[3]);
}

static PyObject *
Db_subscribe(DbObject *self, PyObject *callable)
{
    bus_subscribe("rows", on_event, callable);
    Py_RETURN_NONE;
}

static PyMethodDef Db_methods[] = {
    {"fetch", (PyCFunction)Db_fetch, METH_NOARGS, NULL},
    {"copy", (PyCFunction)Db_copy, METH_NOARGS, NULL},
    {"sorted", (PyCFunction)Db_sorted, METH_NOARGS, NULL},
    {"subscribe", (PyCFunction)Db_subscribe, METH_O, NULL},
    {"bind", (PyCFunction)Db_bind, METH_VARARGS, NULL},
    {"step_released", (PyCFunction)Db_step_released, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
