#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: switch statements with fallthrough inside and around released
   regions: fallthrough between cases inside one Py_BEGIN/END_ALLOW_THREADS
   block, a case that blocks and returns, and cases that each release and
   re-acquire and then fall through into the next case. */

typedef struct codec codec;
extern void codec_reset(codec *c);
extern Py_ssize_t codec_flush(codec *c, char *out, Py_ssize_t cap);
extern Py_ssize_t codec_decode(codec *c, char *out, Py_ssize_t cap);
extern int codec_step(codec *c);
extern void codec_wait(codec *c);
extern void codec_deep_scan(codec *c);
extern void codec_quick_scan(codec *c);

enum { MODE_RESET, MODE_FLUSH, MODE_DECODE };
enum { STEP_OK, STEP_AGAIN, STEP_ERROR };

typedef struct {
    PyObject_HEAD
    codec *c;
    char out[4096];
} CodecObject;

static PyObject *
Codec_decode(CodecObject *self, PyObject *arg)
{
    int mode = PyLong_AsLong(arg);
    Py_ssize_t n = 0;

    if (mode == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    switch (mode) {
    case MODE_RESET:
        codec_reset(self->c);
        /* fall through */
    case MODE_FLUSH:
        n = codec_flush(self->c, self->out, sizeof self->out);
        /* fall through */
    case MODE_DECODE:
        n += codec_decode(self->c, self->out + n, (Py_ssize_t)sizeof self->out - n);
        break;
    default:
        n = -1;
    }
    Py_END_ALLOW_THREADS
    if (n < 0)
        return PyErr_Format(PyExc_ValueError, "bad mode %d", mode);
    return PyBytes_FromStringAndSize(self->out, n);
}

static PyObject *
Codec_step(CodecObject *self, PyObject *Py_UNUSED(ignored))
{
    int done = 0;

    Py_BEGIN_ALLOW_THREADS
    switch (codec_step(self->c)) {
    case STEP_ERROR:
        Py_BLOCK_THREADS
        PyErr_SetString(PyExc_RuntimeError, "codec error");
        return NULL;
    case STEP_AGAIN:
        codec_wait(self->c);
        /* fall through */
    case STEP_OK:
        done = 1;
        break;
    }
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(done);
}

static PyObject *
Codec_scan(CodecObject *self, PyObject *arg)
{
    long level = PyLong_AsLong(arg);

    if (level == -1 && PyErr_Occurred())
        return NULL;
    switch (level) {
    case 2:
        Py_BEGIN_ALLOW_THREADS
        codec_deep_scan(self->c);
        Py_END_ALLOW_THREADS
        /* fall through */
    case 1:
        Py_BEGIN_ALLOW_THREADS
        codec_quick_scan(self->c);
        Py_END_ALLOW_THREADS
        /* fall through */
    default:
        break;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Codec_methods[] = {
    {"decode", (PyCFunction)Codec_decode, METH_O, NULL},
    {"step", (PyCFunction)Codec_step, METH_NOARGS, NULL},
    {"scan", (PyCFunction)Codec_scan, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Codec_slots[] = {
    {Py_tp_methods, Codec_methods},
    {0, NULL}
};

static PyType_Spec Codec_spec = {
    .name = "codecmod.Codec",
    .basicsize = sizeof(CodecObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Codec_slots,
};

static int
codecmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Codec_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot codecmod_slots[] = {
    {Py_mod_exec, codecmod_exec},
    {0, NULL}
};

static struct PyModuleDef codecmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "codecmod",
    .m_size = 0,
    .m_slots = codecmod_slots,
};

PyMODINIT_FUNC
PyInit_codecmod(void)
{
    return PyModuleDef_Init(&codecmod);
}
