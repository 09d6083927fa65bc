#include <Python.h>

/* Returning between ImagingSectionEnter and ImagingSectionLeave leaves the thread state
   released and the saved one lost in the cookie. */
typedef void *ImagingSectionCookie;

static void
ImagingSectionEnter(ImagingSectionCookie *cookie)
{
    *cookie = (PyThreadState *)PyEval_SaveThread();
}

static void
ImagingSectionLeave(ImagingSectionCookie *cookie)
{
    PyEval_RestoreThread((PyThreadState *)*cookie);
}

extern int encode_frame(void *encoder, int timestamp);

static PyObject *
encoder_add(PyObject *self, PyObject *args)
{
    ImagingSectionCookie cookie;
    int timestamp = (int)PyLong_AsLong(args);
    ImagingSectionEnter(&cookie);
    int ok = encode_frame(self, timestamp);
    if (!ok)
        return NULL; /* expect: TS101 */
    ImagingSectionLeave(&cookie);
    if (!ok) {
        PyErr_SetString(PyExc_RuntimeError, "encoding failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"add", encoder_add, METH_O, NULL}, {NULL, NULL, 0, NULL}};
