#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_buffer is plain C data (not an object struct): reading
   view.buf / view.len or password->buf / password->len inside a released
   region is the CPython _hashopenssl idiom, together with a PyThread lock
   taken while released. */

typedef struct md_ctx md_ctx;
extern int md_update(md_ctx *ctx, const void *data, size_t len);
extern int pbkdf2(const char *pw, int pwlen, const unsigned char *salt, int saltlen,
                  long iterations, unsigned char *out, int outlen);

#define HASHLIB_GIL_MINSIZE 2048

typedef struct {
    PyObject_HEAD
    md_ctx *ctx;
    PyThread_type_lock lock;
} HashObject;

static PyObject *
Hash_update(HashObject *self, PyObject *obj)
{
    Py_buffer view;
    int result;

    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    if (view.len >= HASHLIB_GIL_MINSIZE) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, 1);
        result = md_update(self->ctx, view.buf, (size_t)view.len);
        PyThread_release_lock(self->lock);
        Py_END_ALLOW_THREADS
    }
    else {
        result = md_update(self->ctx, view.buf, (size_t)view.len);
    }
    PyBuffer_Release(&view);
    if (result < 0) {
        PyErr_SetString(PyExc_ValueError, "digest update failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
derive_key(Py_buffer *password, Py_buffer *salt, long iterations, int dklen)
{
    PyObject *key = PyBytes_FromStringAndSize(NULL, dklen);
    unsigned char *out;
    int retval;

    if (key == NULL)
        return NULL;
    out = (unsigned char *)PyBytes_AS_STRING(key);
    Py_BEGIN_ALLOW_THREADS
    retval = pbkdf2((const char *)password->buf, (int)password->len,
                    (const unsigned char *)salt->buf, (int)salt->len,
                    iterations, out, dklen);
    Py_END_ALLOW_THREADS
    if (!retval) {
        Py_DECREF(key);
        PyErr_SetString(PyExc_ValueError, "key derivation failed");
        return NULL;
    }
    return key;
}

static PyObject *
pbkdf2_hmac(PyObject *module, PyObject *args)
{
    Py_buffer password, salt;
    long iterations;
    int dklen;
    PyObject *key;

    if (!PyArg_ParseTuple(args, "y*y*li", &password, &salt, &iterations, &dklen))
        return NULL;
    key = derive_key(&password, &salt, iterations, dklen);
    PyBuffer_Release(&password);
    PyBuffer_Release(&salt);
    return key;
}

static PyMethodDef Hash_methods[] = {
    {"update", (PyCFunction)Hash_update, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Hash_slots[] = {
    {Py_tp_methods, Hash_methods},
    {0, NULL}
};

static PyType_Spec Hash_spec = {
    .name = "hashlite.Hash",
    .basicsize = sizeof(HashObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Hash_slots,
};

static PyMethodDef hashlite_methods[] = {
    {"pbkdf2_hmac", pbkdf2_hmac, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static int
hashlite_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Hash_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot hashlite_slots[] = {
    {Py_mod_exec, hashlite_exec},
    {0, NULL}
};

static struct PyModuleDef hashlite = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hashlite",
    .m_size = 0,
    .m_methods = hashlite_methods,
    .m_slots = hashlite_slots,
};

PyMODINIT_FUNC
PyInit_hashlite(void)
{
    return PyModuleDef_Init(&hashlite);
}
