#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: CPython's ACQUIRE_LOCK idiom (_bz2, _lzma, _hashopenssl): try a
   NOWAIT acquire, and if that fails, wait for the lock with the thread
   state released; the lock is held on both paths and released once on
   every exit (an error goto releases at the label). */

typedef struct zstream zstream;
extern Py_ssize_t zstream_compress(zstream *z, const char *in, Py_ssize_t len,
                                   char *out, Py_ssize_t cap);
extern Py_ssize_t zstream_bound(Py_ssize_t len);

#define ACQUIRE_LOCK(obj) do { \
    if (!PyThread_acquire_lock((obj)->lock, 0)) { \
        Py_BEGIN_ALLOW_THREADS \
        PyThread_acquire_lock((obj)->lock, 1); \
        Py_END_ALLOW_THREADS \
    } } while (0)
#define RELEASE_LOCK(obj) PyThread_release_lock((obj)->lock)

typedef struct {
    PyObject_HEAD
    zstream *z;
    PyThread_type_lock lock;
    int flushed;
} CompressorObject;

static PyObject *
Compressor_compress(CompressorObject *self, PyObject *arg)
{
    Py_buffer data;
    PyObject *result = NULL;
    Py_ssize_t n;

    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0)
        return NULL;
    ACQUIRE_LOCK(self);
    if (self->flushed) {
        PyErr_SetString(PyExc_ValueError, "Compressor has been flushed");
        goto error;
    }
    result = PyBytes_FromStringAndSize(NULL, zstream_bound(data.len));
    if (result == NULL)
        goto error;
    n = zstream_compress(self->z, data.buf, data.len,
                         PyBytes_AS_STRING(result), PyBytes_GET_SIZE(result));
    if (n < 0) {
        PyErr_SetString(PyExc_RuntimeError, "compression failed");
        goto error;
    }
    if (_PyBytes_Resize(&result, n) < 0)
        goto error;
    RELEASE_LOCK(self);
    PyBuffer_Release(&data);
    return result;

error:
    RELEASE_LOCK(self);
    PyBuffer_Release(&data);
    Py_XDECREF(result);
    return NULL;
}

static PyObject *
Compressor_flush(CompressorObject *self, PyObject *Py_UNUSED(ignored))
{
    int already;

    ACQUIRE_LOCK(self);
    already = self->flushed;
    self->flushed = 1;
    RELEASE_LOCK(self);
    if (already) {
        PyErr_SetString(PyExc_ValueError, "Repeated call to flush()");
        return NULL;
    }
    return PyBytes_FromStringAndSize(NULL, 0);
}

static PyMethodDef Compressor_methods[] = {
    {"compress", (PyCFunction)Compressor_compress, METH_O, NULL},
    {"flush", (PyCFunction)Compressor_flush, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Compressor_slots[] = {
    {Py_tp_methods, Compressor_methods},
    {0, NULL}
};

static PyType_Spec Compressor_spec = {
    .name = "zmod3.Compressor",
    .basicsize = sizeof(CompressorObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Compressor_slots,
};

static int
zmod3_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Compressor_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot zmod3_slots[] = {
    {Py_mod_exec, zmod3_exec},
    {0, NULL}
};

static struct PyModuleDef zmod3 = {
    PyModuleDef_HEAD_INIT,
    .m_name = "zmod3",
    .m_size = 0,
    .m_slots = zmod3_slots,
};

PyMODINIT_FUNC
PyInit_zmod3(void)
{
    return PyModuleDef_Init(&zmod3);
}
