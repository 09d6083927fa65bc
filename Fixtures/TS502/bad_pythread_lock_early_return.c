#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS502: a PyThread lock taken with CPython's ACQUIRE_LOCK idiom
   (try NOWAIT, else wait with the thread state released) or with a plain
   WAIT_LOCK acquire, then an early return that skips the release. */

typedef struct zstream zstream;
extern Py_ssize_t zstream_compress(zstream *z, const char *in, Py_ssize_t len,
                                   char *out, Py_ssize_t cap);
extern Py_ssize_t zstream_bound(Py_ssize_t len);
extern int zstream_reset(zstream *z);

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
    PyObject *result;
    Py_ssize_t n;

    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0)
        return NULL;
    ACQUIRE_LOCK(self);
    if (self->flushed) {
        PyErr_SetString(PyExc_ValueError, "Compressor has been flushed");
        PyBuffer_Release(&data);
        return NULL;   /* expect: TS502 */
    }
    result = PyBytes_FromStringAndSize(NULL, zstream_bound(data.len));
    if (result != NULL) {
        n = zstream_compress(self->z, data.buf, data.len,
                             PyBytes_AS_STRING(result), PyBytes_GET_SIZE(result));
        if (n < 0 || _PyBytes_Resize(&result, n) < 0)
            Py_CLEAR(result);
    }
    RELEASE_LOCK(self);
    PyBuffer_Release(&data);
    return result;
}

static PyObject *
Compressor_reset(CompressorObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    if (zstream_reset(self->z) < 0) {
        PyErr_SetString(PyExc_RuntimeError, "reset failed");
        return NULL;   /* expect: TS502 */
    }
    self->flushed = 0;
    PyThread_release_lock(self->lock);
    Py_RETURN_NONE;
}

static PyMethodDef Compressor_methods[] = {
    {"compress", (PyCFunction)Compressor_compress, METH_O, NULL},
    {"reset", (PyCFunction)Compressor_reset, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Compressor_slots[] = {
    {Py_tp_methods, Compressor_methods},
    {0, NULL}
};

static PyType_Spec Compressor_spec = {
    .name = "zmod2.Compressor",
    .basicsize = sizeof(CompressorObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Compressor_slots,
};

static int
zmod2_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Compressor_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot zmod2_slots[] = {
    {Py_mod_exec, zmod2_exec},
    {0, NULL}
};

static struct PyModuleDef zmod2 = {
    PyModuleDef_HEAD_INIT,
    .m_name = "zmod2",
    .m_size = 0,
    .m_slots = zmod2_slots,
};

PyMODINIT_FUNC
PyInit_zmod2(void)
{
    return PyModuleDef_Init(&zmod2);
}
