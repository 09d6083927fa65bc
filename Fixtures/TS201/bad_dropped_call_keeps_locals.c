#include <Python.h>

/* A newcomer's run without a third-party header: `SampleFormat` is unknown,
   so clang drops the declaration and the whole PyArg_ParseTuple() call.
   What the call was given by address (`&input`) may still have been written:
   the released region below stays reachable, and its Py_DECREF is found as
   it is with the header present. */

static PyObject *
play(PyObject *self, PyObject *args)
{
    int input = 0;
    SampleFormat format;                 /* expect: TS003 */
    if (!PyArg_ParseTuple(args, "ii", &input, &format)) return NULL;
    if (!input) { PyErr_SetString(PyExc_ValueError, "no input"); return NULL; }

    Py_BEGIN_ALLOW_THREADS
    Py_DECREF(Py_None);                  /* expect: TS201 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"play", play, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "player", NULL, -1, methods};
PyMODINIT_FUNC PyInit_player(void) { return PyModule_Create(&module); }
