#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: helpers from util.c called inside Py_BEGIN_ALLOW_THREADS
   (TS203 at the calls here). Decoder_decode raises through
   img_set_error() and reports progress through img_notify() while
   detached; Decoder_close drops a reference through img_drop_ref() while
   detached. Decoder_finish calls the same helpers attached (fine). */

#include "util.h"

typedef struct img_codec img_codec;
extern int codec_decode(img_codec *c, const unsigned char *buf, size_t len, size_t *consumed);
extern int codec_finish(img_codec *c);
extern void codec_free(img_codec *c);

typedef struct {
    PyObject_HEAD
    img_codec *codec;
    PyObject *progress;
    PyObject *palette;
} DecoderObject;

static PyObject *
Decoder_decode(DecoderObject *self, PyObject *args)
{
    Py_buffer buf;
    size_t off = 0, used = 0;
    int rc = 0;

    if (!PyArg_ParseTuple(args, "y*", &buf))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    while (off < (size_t)buf.len) {
        rc = codec_decode(self->codec, (const unsigned char *)buf.buf + off,
                          (size_t)buf.len - off, &used);
        if (rc < 0) {
            img_set_error(rc, "decode");   /* expect: TS203 */
            break;
        }
        off += used;
        if (img_notify(self->progress, (Py_ssize_t)off, buf.len) < 0) {   /* expect: TS203 */
            rc = -1;
            break;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (rc < 0)
        return NULL;
    return PyLong_FromSize_t(off);
}

static PyObject *
Decoder_finish(DecoderObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = codec_finish(self->codec);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return img_set_error(rc, "finish"), NULL;
    if (img_notify(self->progress, 1, 1) < 0)
        return NULL;
    img_drop_ref(&self->progress);
    Py_RETURN_NONE;
}

static PyObject *
Decoder_close(DecoderObject *self, PyObject *Py_UNUSED(ignored))
{
    img_codec *c = self->codec;

    self->codec = NULL;
    Py_BEGIN_ALLOW_THREADS
    if (c != NULL)
        codec_free(c);
    img_drop_ref(&self->palette);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef Decoder_methods[] = {
    {"decode", (PyCFunction)Decoder_decode, METH_VARARGS, NULL},
    {"finish", (PyCFunction)Decoder_finish, METH_NOARGS, NULL},
    {"close", (PyCFunction)Decoder_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Decoder_slots[] = {
    {Py_tp_methods, Decoder_methods},
    {0, NULL}
};

static PyType_Spec Decoder_spec = {
    .name = "imgcodec.Decoder",
    .basicsize = sizeof(DecoderObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Decoder_slots,
};

static int
imgcodec_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Decoder_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot imgcodec_slots[] = {
    {Py_mod_exec, imgcodec_exec},
    {0, NULL}
};

static struct PyModuleDef imgcodec = {
    PyModuleDef_HEAD_INIT,
    .m_name = "imgcodec",
    .m_size = 0,
    .m_slots = imgcodec_slots,
};

PyMODINIT_FUNC
PyInit_imgcodec(void)
{
    return PyModuleDef_Init(&imgcodec);
}
