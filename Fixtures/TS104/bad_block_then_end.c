#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS104: re-attaching while already attached:
   - Dev_read: Py_BLOCK_THREADS on the error path but no return, so
     Py_END_ALLOW_THREADS restores a second time;
   - Db_exec: Py_BLOCK_THREADS in an inner branch and again in the
     enclosing error path. */

typedef struct dev dev;
typedef struct db db;
extern Py_ssize_t dev_read(dev *d, char *buf, size_t len);
extern int db_exec(db *d, const char *sql);

#define DB_BUSY 5

typedef struct {
    PyObject_HEAD
    dev *dev;
    db *db;
} DevObject;

static PyObject *
Dev_read(DevObject *self, PyObject *Py_UNUSED(ignored))
{
    char buf[512];
    Py_ssize_t n;

    Py_BEGIN_ALLOW_THREADS
    n = dev_read(self->dev, buf, sizeof buf);
    if (n < 0) {
        Py_BLOCK_THREADS
        PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_END_ALLOW_THREADS   /* expect: TS104 */
    if (n < 0)
        return NULL;
    return PyBytes_FromStringAndSize(buf, n);
}

static PyObject *
Db_exec(DevObject *self, PyObject *args)
{
    const char *sql;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &sql))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = db_exec(self->db, sql);
    if (rc != 0) {
        if (rc == DB_BUSY) {
            Py_BLOCK_THREADS
            PyErr_SetString(PyExc_TimeoutError, "database is busy");
        }
        Py_BLOCK_THREADS   /* expect: TS104 */
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "db_exec failed: %d", rc);
        return NULL;
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef Dev_methods[] = {
    {"read", (PyCFunction)Dev_read, METH_NOARGS, NULL},
    {"execute", (PyCFunction)Db_exec, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Dev_slots[] = {
    {Py_tp_methods, Dev_methods},
    {0, NULL}
};

static PyType_Spec Dev_spec = {
    .name = "devio.Dev",
    .basicsize = sizeof(DevObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Dev_slots,
};

static int
devio_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Dev_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot devio_slots[] = {
    {Py_mod_exec, devio_exec},
    {0, NULL}
};

static struct PyModuleDef devio = {
    PyModuleDef_HEAD_INIT,
    .m_name = "devio",
    .m_size = 0,
    .m_slots = devio_slots,
};

PyMODINIT_FUNC
PyInit_devio(void)
{
    return PyModuleDef_Init(&devio);
}
