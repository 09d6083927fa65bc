#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: lock/unlock wrappers (each leaves the lock state changed on every
   path on purpose) and their balanced use; a timed acquire
   (PyThread_acquire_lock_timed returns PY_LOCK_ACQUIRED only on success)
   that releases only when it acquired. */

#if PY_VERSION_HEX < 0x030D0000
typedef struct { unsigned char _bits; } PyMutex;
extern void PyMutex_Lock(PyMutex *m);
extern void PyMutex_Unlock(PyMutex *m);
#endif

extern int device_poll(void *dev);

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    PyThread_type_lock io_lock;
    void *dev;
    long polls;
} DeviceObject;

void
device_lock(DeviceObject *self)
{
    PyMutex_Lock(&self->mutex);
}

void
device_unlock(DeviceObject *self)
{
    PyMutex_Unlock(&self->mutex);
}

static PyObject *
Device_count(DeviceObject *self, PyObject *Py_UNUSED(ignored))
{
    long n;

    device_lock(self);
    n = self->polls;
    device_unlock(self);
    return PyLong_FromLong(n);
}

static PyObject *
Device_poll(DeviceObject *self, PyObject *arg)
{
    double timeout = PyFloat_AsDouble(arg);
    PyLockStatus st;
    int r;

    if (timeout == -1.0 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = PyThread_acquire_lock_timed(self->io_lock, (PY_TIMEOUT_T)(timeout * 1e6), 0);
    Py_END_ALLOW_THREADS
    if (st != PY_LOCK_ACQUIRED)
        Py_RETURN_NONE;
    r = device_poll(self->dev);
    PyThread_release_lock(self->io_lock);
    return PyLong_FromLong(r);
}

static PyMethodDef Device_methods[] = {
    {"count", (PyCFunction)Device_count, METH_NOARGS, NULL},
    {"poll", (PyCFunction)Device_poll, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Device_slots[] = {
    {Py_tp_methods, Device_methods},
    {0, NULL}
};

static PyType_Spec Device_spec = {
    .name = "devlock.Device",
    .basicsize = sizeof(DeviceObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Device_slots,
};

static int
devlock_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Device_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot devlock_slots[] = {
    {Py_mod_exec, devlock_exec},
    {0, NULL}
};

static struct PyModuleDef devlock = {
    PyModuleDef_HEAD_INIT,
    .m_name = "devlock",
    .m_size = 0,
    .m_slots = devlock_slots,
};

PyMODINIT_FUNC
PyInit_devlock(void)
{
    return PyModuleDef_Init(&devlock);
}
