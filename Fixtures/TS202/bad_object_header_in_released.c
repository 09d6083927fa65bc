#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS202: object header fields (ob_refcnt, ob_type reached through the
   PyObject_HEAD member ob_base) read while detached, e.g. for debug
   logging. The extension's own fields (self->fd) in the same region are
   fine. Py_TYPE() is a call in 3.11 and gives TS201 instead. */

#include <stdio.h>
#include <unistd.h>

typedef struct {
    PyObject_HEAD
    int fd;
    int debug;
} ChannelObject;

static PyObject *
Channel_close(ChannelObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    if (self->debug)
        fprintf(stderr, "close fd=%d refcnt=%zd\n", self->fd, ((PyObject *)self)->ob_refcnt);   /* expect: TS202 */
    rc = close(self->fd);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    self->fd = -1;
    Py_RETURN_NONE;
}

static PyObject *
Channel_flush(ChannelObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = fsync(self->fd);
    if (rc < 0 && self->debug)
        fprintf(stderr, "%s: fsync failed\n", self->ob_base.ob_type->tp_name);   /* expect: TS202 */
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyObject *
Channel_describe(ChannelObject *self, PyObject *Py_UNUSED(ignored))
{
    char buf[128];

    Py_BEGIN_ALLOW_THREADS
    snprintf(buf, sizeof buf, "<%s fd=%d>", Py_TYPE(self)->tp_name, self->fd);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    return PyUnicode_FromString(buf);
}

static PyMethodDef Channel_methods[] = {
    {"close", (PyCFunction)Channel_close, METH_NOARGS, NULL},
    {"flush", (PyCFunction)Channel_flush, METH_NOARGS, NULL},
    {"describe", (PyCFunction)Channel_describe, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Channel_slots[] = {
    {Py_tp_methods, Channel_methods},
    {0, NULL}
};

static PyType_Spec Channel_spec = {
    .name = "chanmod.Channel",
    .basicsize = sizeof(ChannelObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Channel_slots,
};

static int
chanmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Channel_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot chanmod_slots[] = {
    {Py_mod_exec, chanmod_exec},
    {0, NULL}
};

static struct PyModuleDef chanmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "chanmod",
    .m_size = 0,
    .m_slots = chanmod_slots,
};

PyMODINIT_FUNC
PyInit_chanmod(void)
{
    return PyModuleDef_Init(&chanmod);
}
