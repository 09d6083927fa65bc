#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: the release and the re-acquire are guarded by the same condition
   on a value that does not change in between, so they always pair up:
   - hash_update: an int flag computed once (hashlib's GIL_MINSIZE idiom);
   - call_foreign: ctypes callproc.c's `if ((flags & FLAG) == 0)
     Py_UNBLOCK_THREADS ... if ((flags & FLAG) == 0) Py_BLOCK_THREADS`
     with `_save` declared by hand. */

#define HASH_GIL_MINSIZE 2048
#define FUNCFLAG_PYTHONAPI 0x4

typedef struct hash_ctx hash_ctx;
extern void hash_update_raw(hash_ctx *ctx, const void *data, size_t len);
typedef void (*foreign_fn)(void *result, void **args);

typedef struct {
    PyObject_HEAD
    hash_ctx *ctx;
} HashObject;

static PyObject *
Hash_update(HashObject *self, PyObject *arg)
{
    Py_buffer view;
    const void *data;
    size_t len;
    PyThreadState *ts = NULL;
    int release;

    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    data = view.buf;
    len = (size_t)view.len;
    release = len >= HASH_GIL_MINSIZE;

    if (release)
        ts = PyEval_SaveThread();
    hash_update_raw(self->ctx, data, len);
    if (release)
        PyEval_RestoreThread(ts);

    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

int
call_foreign(foreign_fn fn, int flags, void *result, void **args)
{
    PyThreadState *_save = NULL;   /* For Py_BLOCK_THREADS and Py_UNBLOCK_THREADS */

    if (PyErr_Occurred())
        return -1;
    if ((flags & FUNCFLAG_PYTHONAPI) == 0)
        Py_UNBLOCK_THREADS
    fn(result, args);
    if ((flags & FUNCFLAG_PYTHONAPI) == 0)
        Py_BLOCK_THREADS
    if ((flags & FUNCFLAG_PYTHONAPI) && PyErr_Occurred())
        return -1;
    return 0;
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
    .name = "hashmod.Hash",
    .basicsize = sizeof(HashObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Hash_slots,
};

static int
hashmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Hash_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot hashmod_slots[] = {
    {Py_mod_exec, hashmod_exec},
    {0, NULL}
};

static struct PyModuleDef hashmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "hashmod",
    .m_size = 0,
    .m_slots = hashmod_slots,
};

PyMODINIT_FUNC
PyInit_hashmod(void)
{
    return PyModuleDef_Init(&hashmod);
}
