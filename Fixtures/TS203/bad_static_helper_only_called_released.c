#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The TS203 exception: free_frames() is static and every call to it is
   made inside a released region, so it is analysed as entered with no
   thread state and its Py_DECREF is reported inside it (TS201), once, not
   at its two call sites. set_decode_error() is also static but is called
   attached from Decoder_reset() as well, so its detached call in
   Decoder_decode() is TS203 at the call. (Audio-decoder style, modelled on
   a Modules/ codec wrapper.) */

typedef struct dec_ctx dec_ctx;
extern int dec_feed(dec_ctx *c, const void *buf, size_t len);
extern int dec_reset(dec_ctx *c);

typedef struct {
    PyObject_HEAD
    dec_ctx *ctx;
    PyObject **frames;
    Py_ssize_t nframes;
} DecoderObject;

static void
free_frames(DecoderObject *self)
{
    Py_ssize_t i;
    for (i = 0; i < self->nframes; i++)
        Py_DECREF(self->frames[i]);   /* expect: TS201 */
    self->nframes = 0;
}

static void
set_decode_error(int code)
{
    PyErr_Format(PyExc_ValueError, "decoder error %d", code);
}

static PyObject *
Decoder_decode(DecoderObject *self, PyObject *args)
{
    Py_buffer buf;
    int rc;

    if (!PyArg_ParseTuple(args, "y*", &buf))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    free_frames(self);
    rc = dec_feed(self->ctx, buf.buf, (size_t)buf.len);
    if (rc < 0)
        set_decode_error(rc);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (rc < 0)
        return NULL;
    return PyLong_FromLong(rc);
}

static PyObject *
Decoder_reset(DecoderObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    free_frames(self);
    rc = dec_reset(self->ctx);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        set_decode_error(rc);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Decoder_methods[] = {
    {"decode", (PyCFunction)Decoder_decode, METH_VARARGS, NULL},
    {"reset", (PyCFunction)Decoder_reset, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
