#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101: `goto` from inside Py_BEGIN_ALLOW_THREADS to a label outside the
   block; the label's return runs with the thread state still detached.
   In Port_set_baudrate the label is also reached from attached paths:
   one diagnostic on the shared return. */

#include <fcntl.h>
#include <unistd.h>

#define CHUNK 65536

extern int port_drain(int fd);
extern int port_set_speed(int fd, long baud);

typedef struct {
    PyObject_HEAD
    int fd;
} PortObject;

static PyObject *
copy_range(PyObject *module, PyObject *args)
{
    int src, dst;
    Py_ssize_t count, done = 0;
    char *buf;

    if (!PyArg_ParseTuple(args, "iin", &src, &dst, &count))
        return NULL;
    buf = PyMem_RawMalloc(CHUNK);
    if (buf == NULL)
        return PyErr_NoMemory();

    Py_BEGIN_ALLOW_THREADS
    while (done < count) {
        ssize_t n = read(src, buf, CHUNK);
        if (n <= 0)
            goto fail;
        if (write(dst, buf, (size_t)n) != n)
            goto fail;
        done += n;
    }
    Py_END_ALLOW_THREADS

    PyMem_RawFree(buf);
    return PyLong_FromSsize_t(done);

fail:
    PyMem_RawFree(buf);
    return NULL;   /* expect: TS101 */
}

static int
Port_set_baudrate(PortObject *self, PyObject *value, void *closure)
{
    long baud;
    int rc = -1;

    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete baudrate");
        return -1;
    }
    baud = PyLong_AsLong(value);
    if (baud == -1 && PyErr_Occurred())
        goto done;
    Py_BEGIN_ALLOW_THREADS
    if (port_drain(self->fd) < 0)
        goto done;
    rc = port_set_speed(self->fd, baud);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        PyErr_SetFromErrno(PyExc_OSError);
done:
    return rc;   /* expect: TS101 */
}

static PyObject *
Port_get_baudrate(PortObject *self, void *closure)
{
    return PyLong_FromLong(0);
}

static PyGetSetDef Port_getset[] = {
    {"baudrate", (getter)Port_get_baudrate, (setter)Port_set_baudrate, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Port_slots[] = {
    {Py_tp_getset, Port_getset},
    {0, NULL}
};

static PyType_Spec Port_spec = {
    .name = "serialmod.Port",
    .basicsize = sizeof(PortObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Port_slots,
};

static PyMethodDef serialmod_methods[] = {
    {"copy_range", copy_range, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
serialmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Port_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot serialmod_slots[] = {
    {Py_mod_exec, serialmod_exec},
    {0, NULL}
};

static struct PyModuleDef serialmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "serialmod",
    .m_size = 0,
    .m_methods = serialmod_methods,
    .m_slots = serialmod_slots,
};

PyMODINIT_FUNC
PyInit_serialmod(void)
{
    return PyModuleDef_Init(&serialmod);
}
