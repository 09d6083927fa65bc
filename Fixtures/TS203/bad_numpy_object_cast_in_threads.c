#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS203 (numpy-style): a cast loop for object items reaches
   PyFloat_AsDouble() through cast_items() -> object_to_double(). It is
   fine from scaled_copy_obj() (attached) but scale_inplace() runs it inside
   NPY_BEGIN_THREADS. The pure-C scale_doubles() in the same region is fine.
   cast_items() has attached and detached call sites, so it is reported at
   the detached call, not inside. */

#define NPY_BEGIN_THREADS_DEF PyThreadState *_save = NULL;
#define NPY_BEGIN_THREADS do { _save = PyEval_SaveThread(); } while (0)
#define NPY_END_THREADS   do { if (_save) { PyEval_RestoreThread(_save); _save = NULL; } } while (0)

static int
object_to_double(PyObject *item, double *out)
{
    double v = PyFloat_AsDouble(item);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

static int
cast_items(PyObject *const *items, double *dst, Py_ssize_t n)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++) {
        if (object_to_double(items[i], &dst[i]) < 0)
            return -1;
    }
    return 0;
}

static void
scale_doubles(double *dst, Py_ssize_t n, double factor)
{
    Py_ssize_t i;
    for (i = 0; i < n; i++)
        dst[i] *= factor;
}

static PyObject *
scaled_copy_obj(PyObject *self, PyObject *args)
{
    PyObject *seq, *fast, *res = NULL;
    double factor, *buf;
    Py_ssize_t n, i;

    if (!PyArg_ParseTuple(args, "Od", &seq, &factor))
        return NULL;
    fast = PySequence_Fast(seq, "expected a sequence");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    buf = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(double));
    if (buf == NULL) {
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    if (cast_items(PySequence_Fast_ITEMS(fast), buf, n) < 0)
        goto done;
    scale_doubles(buf, n, factor);
    res = PyList_New(n);
    if (res == NULL)
        goto done;
    for (i = 0; i < n; i++)
        PyList_SET_ITEM(res, i, PyFloat_FromDouble(buf[i]));
done:
    PyMem_RawFree(buf);
    Py_DECREF(fast);
    return res;
}

static PyObject *
scale_inplace(PyObject *self, PyObject *args)
{
    PyObject *seq, *fast;
    PyObject *const *items;
    double factor, *buf;
    Py_ssize_t n;
    int err;
    NPY_BEGIN_THREADS_DEF

    if (!PyArg_ParseTuple(args, "Od", &seq, &factor))
        return NULL;
    fast = PySequence_Fast(seq, "expected a sequence");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    items = PySequence_Fast_ITEMS(fast);
    buf = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(double));
    if (buf == NULL) {
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    NPY_BEGIN_THREADS;
    err = cast_items(items, buf, n);   /* expect: TS203 */
    if (err == 0)
        scale_doubles(buf, n, factor);
    NPY_END_THREADS;
    PyMem_RawFree(buf);
    Py_DECREF(fast);
    if (err < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef numscale_methods[] = {
    {"scaled_copy", scaled_copy_obj, METH_VARARGS, NULL},
    {"scale_inplace", scale_inplace, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
