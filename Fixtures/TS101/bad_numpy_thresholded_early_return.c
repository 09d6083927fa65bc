#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101: numpy-style conditional release (NPY_BEGIN_THREADS_THRESHOLDED)
   with an early return before NPY_END_THREADS. Only the path where the
   thread state was actually released (_save != NULL) is wrong: one
   diagnostic. nan_count_ok shows the correct goto-fail form. */

#include <math.h>

#define NPY_BEGIN_THREADS_DEF PyThreadState *_save=NULL;
#define NPY_BEGIN_THREADS do {_save = PyEval_SaveThread();} while (0);
#define NPY_BEGIN_THREADS_THRESHOLDED(loop_size) do { if ((loop_size) > 500) \
                { _save = PyEval_SaveThread();} } while (0);
#define NPY_END_THREADS   do { if (_save) \
                { PyEval_RestoreThread(_save); _save = NULL;} } while (0);

static PyObject *
checked_sum(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    const double *data;
    Py_ssize_t i, n;
    double total = 0.0;
    NPY_BEGIN_THREADS_DEF;

    if (PyObject_GetBuffer(arg, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    data = (const double *)view.buf;
    n = view.len / (Py_ssize_t)sizeof(double);

    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (i = 0; i < n; i++) {
        if (isnan(data[i]))
            return NULL;   /* expect: TS101 */
        total += data[i];
    }
    NPY_END_THREADS;

    PyBuffer_Release(&view);
    return PyFloat_FromDouble(total);
}

static PyObject *
nan_count_ok(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    const double *data;
    Py_ssize_t i, n, count = 0;
    NPY_BEGIN_THREADS_DEF;

    if (PyObject_GetBuffer(arg, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    data = (const double *)view.buf;
    n = view.len / (Py_ssize_t)sizeof(double);

    NPY_BEGIN_THREADS_THRESHOLDED(n);
    for (i = 0; i < n; i++) {
        if (isinf(data[i]))
            goto fail;
        if (isnan(data[i]))
            count++;
    }
    NPY_END_THREADS;

    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(count);

fail:
    NPY_END_THREADS;
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_ValueError, "infinite value in input");
    return NULL;
}

static PyMethodDef npsum_methods[] = {
    {"checked_sum", checked_sum, METH_O, NULL},
    {"nan_count", nan_count_ok, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef npsum = {
    PyModuleDef_HEAD_INIT,
    .m_name = "npsum",
    .m_size = 0,
    .m_methods = npsum_methods,
};

PyMODINIT_FUNC
PyInit_npsum(void)
{
    return PyModuleDef_Init(&npsum);
}
