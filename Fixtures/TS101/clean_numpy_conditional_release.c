#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: numpy's conditional release through `_save` (macros written out as
   numpy defines them). The release and the restore are correlated by the
   value of _save (NULL or not); NPY_END_THREADS in a fail label; and the
   `needs_api` idiom where the released region is skipped when the loop
   needs the C-API. */

#define NPY_BEGIN_THREADS_DEF PyThreadState *_save=NULL;
#define NPY_BEGIN_THREADS do {_save = PyEval_SaveThread();} while (0);
#define NPY_BEGIN_THREADS_THRESHOLDED(loop_size) do { if ((loop_size) > 500) \
                { _save = PyEval_SaveThread();} } while (0);
#define NPY_END_THREADS   do { if (_save) \
                { PyEval_RestoreThread(_save); _save = NULL;} } while (0);

typedef void (*inner_loop)(char *data, Py_ssize_t n, int *status);
extern inner_loop select_loop(Py_ssize_t itemsize);

static PyObject *
scale_inplace(PyObject *module, PyObject *args)
{
    Py_buffer view;
    double factor, *data;
    Py_ssize_t i, n;
    NPY_BEGIN_THREADS_DEF;

    if (!PyArg_ParseTuple(args, "w*d", &view, &factor))
        return NULL;
    data = (double *)view.buf;
    n = view.len / (Py_ssize_t)sizeof(double);

    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (i = 0; i < n; i++)
        data[i] *= factor;
    NPY_END_THREADS;

    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *
checked_copy(PyObject *module, PyObject *args)
{
    Py_buffer src, dst;
    const double *s;
    double *d;
    Py_ssize_t i, n;
    NPY_BEGIN_THREADS_DEF;

    if (!PyArg_ParseTuple(args, "y*w*", &src, &dst))
        return NULL;
    if (src.len != dst.len) {
        PyErr_SetString(PyExc_ValueError, "size mismatch");
        goto fail;
    }
    s = (const double *)src.buf;
    d = (double *)dst.buf;
    n = src.len / (Py_ssize_t)sizeof(double);

    NPY_BEGIN_THREADS;
    for (i = 0; i < n; i++) {
        if (s[i] < 0.0)
            goto negative;
        d[i] = s[i];
    }
    NPY_END_THREADS;

    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    Py_RETURN_NONE;

negative:
    NPY_END_THREADS;
    PyErr_SetString(PyExc_ValueError, "negative value");
fail:
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    return NULL;
}

static PyObject *
run_loop(PyObject *module, PyObject *args)
{
    Py_buffer view;
    int needs_api, status = 0;
    Py_ssize_t chunk, i;
    inner_loop loop;
    NPY_BEGIN_THREADS_DEF;

    if (!PyArg_ParseTuple(args, "w*ni", &view, &chunk, &needs_api))
        return NULL;
    if (chunk <= 0) {
        PyBuffer_Release(&view);
        return PyErr_Format(PyExc_ValueError, "bad chunk size %zd", chunk);
    }
    loop = select_loop(view.itemsize);
    if (!needs_api) {
        NPY_BEGIN_THREADS_THRESHOLDED(view.len / chunk);
    }
    for (i = 0; i + chunk <= view.len; i += chunk) {
        if (loop != NULL)
            loop((char *)view.buf + i, chunk, &status);
        if (needs_api && PyErr_CheckSignals() < 0)
            break;
    }
    NPY_END_THREADS;

    PyBuffer_Release(&view);
    if (status < 0 || PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef npops_methods[] = {
    {"scale_inplace", scale_inplace, METH_VARARGS, NULL},
    {"checked_copy", checked_copy, METH_VARARGS, NULL},
    {"run_loop", run_loop, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef npops = {
    PyModuleDef_HEAD_INIT,
    .m_name = "npops",
    .m_size = 0,
    .m_methods = npops_methods,
};

PyMODINIT_FUNC
PyInit_npops(void)
{
    return PyModuleDef_Init(&npops);
}
