#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101: a `return` between Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS
   leaves the function with its thread state detached (method and tp_init).
   Device_flush shows the correct form: Py_BLOCK_THREADS before returning. */

#include <fcntl.h>
#include <unistd.h>

extern int dev_open(const char *path, int flags);
extern int dev_wait_ready(int fd, int timeout_ms);

typedef struct {
    PyObject_HEAD
    int fd;
    int timeout_ms;
} DeviceObject;

static PyObject *
Device_read_byte(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    unsigned char c;
    ssize_t n;

    Py_BEGIN_ALLOW_THREADS
    if (dev_wait_ready(self->fd, self->timeout_ms) <= 0)
        return NULL;   /* expect: TS101 */
    n = read(self->fd, &c, 1);
    Py_END_ALLOW_THREADS

    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(c);
}

static PyObject *
Device_flush(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    int r;

    Py_BEGIN_ALLOW_THREADS
    r = fsync(self->fd);
    if (r < 0) {
        Py_BLOCK_THREADS
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static int
Device_init(DeviceObject *self, PyObject *args, PyObject *kwds)
{
    const char *path;
    int fd;

    self->timeout_ms = 1000;
    if (!PyArg_ParseTuple(args, "s|i", &path, &self->timeout_ms))
        return -1;
    Py_BEGIN_ALLOW_THREADS
    fd = dev_open(path, O_RDWR | O_NOCTTY);
    if (fd < 0)
        return -1;   /* expect: TS101 */
    Py_END_ALLOW_THREADS
    self->fd = fd;
    return 0;
}

static PyMethodDef Device_methods[] = {
    {"read_byte", (PyCFunction)Device_read_byte, METH_NOARGS, NULL},
    {"flush", (PyCFunction)Device_flush, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Device_slots[] = {
    {Py_tp_init, Device_init},
    {Py_tp_methods, Device_methods},
    {0, NULL}
};

static PyType_Spec Device_spec = {
    .name = "devmod.Device",
    .basicsize = sizeof(DeviceObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Device_slots,
};

static int
devmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Device_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot devmod_slots[] = {
    {Py_mod_exec, devmod_exec},
    {0, NULL}
};

static struct PyModuleDef devmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "devmod",
    .m_size = 0,
    .m_slots = devmod_slots,
};

PyMODINIT_FUNC
PyInit_devmod(void)
{
    return PyModuleDef_Init(&devmod);
}
