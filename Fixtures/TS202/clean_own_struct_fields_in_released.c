#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: the extension's own struct fields (self->fd, self->handle,
   counters, even a PyObject * member copied as a plain pointer) read and
   written inside released regions. The struct starts with PyObject_HEAD,
   but these fields are not declared in Python's headers. */

#include <unistd.h>

typedef struct sensor sensor;
extern int sensor_sample(sensor *s, double *out, int n);

typedef struct {
    PyObject_HEAD
    int fd;
    sensor *handle;
    long samples_taken;
    double last[16];
    PyObject *owner;
    int closed;
} SensorObject;

static PyObject *
Sensor_sample(SensorObject *self, PyObject *Py_UNUSED(ignored))
{
    int n;
    PyObject *owner;

    Py_BEGIN_ALLOW_THREADS
    n = sensor_sample(self->handle, self->last, 16);
    if (n > 0)
        self->samples_taken += n;
    owner = self->owner;
    Py_END_ALLOW_THREADS
    if (n < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (owner == NULL)
        return PyLong_FromLong(n);
    return PyFloat_FromDouble(self->last[0]);
}

static PyObject *
Sensor_close(SensorObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc = 0;

    Py_BEGIN_ALLOW_THREADS
    if (!self->closed) {
        rc = close(self->fd);
        self->fd = -1;
        self->closed = 1;
    }
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

static PyMethodDef Sensor_methods[] = {
    {"sample", (PyCFunction)Sensor_sample, METH_NOARGS, NULL},
    {"close", (PyCFunction)Sensor_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Sensor_slots[] = {
    {Py_tp_methods, Sensor_methods},
    {0, NULL}
};

static PyType_Spec Sensor_spec = {
    .name = "sensormod.Sensor",
    .basicsize = sizeof(SensorObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Sensor_slots,
};

static int
sensormod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Sensor_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot sensormod_slots[] = {
    {Py_mod_exec, sensormod_exec},
    {0, NULL}
};

static struct PyModuleDef sensormod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sensormod",
    .m_size = 0,
    .m_slots = sensormod_slots,
};

PyMODINIT_FUNC
PyInit_sensormod(void)
{
    return PyModuleDef_Init(&sensormod);
}
