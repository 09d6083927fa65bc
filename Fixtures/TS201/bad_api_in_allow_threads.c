#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS201: C-API calls between Py_BEGIN_ALLOW_THREADS and
   Py_END_ALLOW_THREADS. After the first such call on a path the later calls
   on it are the same mistake and are not reported again; a return that
   leaves the block is another mistake and is (TS101). */

#include <unistd.h>

typedef struct conn conn;
extern int conn_send(conn *c, const void *buf, size_t len);
extern int conn_ping(conn *c);

typedef struct {
    PyObject_HEAD
    conn *c;
} ConnObject;

static PyObject *
Conn_sync(ConnObject *self, PyObject *arg)
{
    int fd = PyObject_AsFileDescriptor(arg);

    if (fd < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (fsync(fd) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);   /* expect: TS201 TS101 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
Conn_ping(ConnObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = conn_ping(self->c);
    if (rc == 0)
        Py_RETURN_NONE;   /* expect: TS201 TS101 */
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(rc);
}

static PyObject *
Conn_write_bytes(ConnObject *self, PyObject *args)
{
    int fd;
    PyObject *data;
    ssize_t n;

    if (!PyArg_ParseTuple(args, "iS", &fd, &data))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    n = write(fd, PyBytes_AsString(data), (size_t)PyBytes_GET_SIZE(data));   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromSsize_t(n);
}

static PyObject *
Conn_send(ConnObject *self, PyObject *arg)
{
    Py_buffer view;
    const void *p;
    size_t len;
    int rc;

    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    p = view.buf;
    len = (size_t)view.len;
    Py_BEGIN_ALLOW_THREADS
    rc = conn_send(self->c, p, len);
    PyBuffer_Release(&view);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef Conn_methods[] = {
    {"sync", (PyCFunction)Conn_sync, METH_O, NULL},
    {"ping", (PyCFunction)Conn_ping, METH_NOARGS, NULL},
    {"write_bytes", (PyCFunction)Conn_write_bytes, METH_VARARGS, NULL},
    {"send", (PyCFunction)Conn_send, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Conn_slots[] = {
    {Py_tp_methods, Conn_methods},
    {0, NULL}
};

static PyType_Spec Conn_spec = {
    .name = "connmod.Conn",
    .basicsize = sizeof(ConnObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Conn_slots,
};

static int
connmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Conn_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot connmod_slots[] = {
    {Py_mod_exec, connmod_exec},
    {0, NULL}
};

static struct PyModuleDef connmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "connmod",
    .m_size = 0,
    .m_slots = connmod_slots,
};

PyMODINIT_FUNC
PyInit_connmod(void)
{
    return PyModuleDef_Init(&connmod);
}
