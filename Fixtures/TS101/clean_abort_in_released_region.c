#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: calls that never return (abort(), exit(), Py_FatalError())
   inside a released region end the path; no "released at exit" there.
   Py_FatalError may be called with no thread state attached. */

#include <stdlib.h>

typedef struct db db;
extern int db_checkpoint(db *d);
extern int db_verify_page(db *d, long page);
extern int db_mode(db *d);

#define DB_CORRUPT  (-99)

typedef struct {
    PyObject_HEAD
    db *handle;
} DBObject;

static PyObject *
DB_checkpoint(DBObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = db_checkpoint(self->handle);
    if (rc == DB_CORRUPT)
        abort();
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

static PyObject *
DB_verify(DBObject *self, PyObject *arg)
{
    long page = PyLong_AsLong(arg);
    int rc;

    if (page == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = db_verify_page(self->handle, page);
    if (rc == DB_CORRUPT)
        Py_FatalError("database page checksum mismatch");
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyObject *
DB_mode(DBObject *self, PyObject *Py_UNUSED(ignored))
{
    const char *name;
    int mode;

    Py_BEGIN_ALLOW_THREADS
    mode = db_mode(self->handle);
    switch (mode) {
    case 0:
        name = "read";
        break;
    case 1:
        name = "write";
        break;
    default:
        exit(70);
    }
    Py_END_ALLOW_THREADS
    return PyUnicode_FromString(name);
}

static PyMethodDef DB_methods[] = {
    {"checkpoint", (PyCFunction)DB_checkpoint, METH_NOARGS, NULL},
    {"verify", (PyCFunction)DB_verify, METH_O, NULL},
    {"mode", (PyCFunction)DB_mode, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot DB_slots[] = {
    {Py_tp_methods, DB_methods},
    {0, NULL}
};

static PyType_Spec DB_spec = {
    .name = "dbmod.DB",
    .basicsize = sizeof(DBObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = DB_slots,
};

static int
dbmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &DB_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot dbmod_slots[] = {
    {Py_mod_exec, dbmod_exec},
    {0, NULL}
};

static struct PyModuleDef dbmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dbmod",
    .m_size = 0,
    .m_slots = dbmod_slots,
};

PyMODINIT_FUNC
PyInit_dbmod(void)
{
    return PyModuleDef_Init(&dbmod);
}
