#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS201: PyMem_Malloc / PyMem_Free and PyErr_CheckSignals need an attached
   thread state; only the PyMem_Raw* family may be used while released
   (decompress_raw shows the correct form and stays silent). */

#include <errno.h>

extern Py_ssize_t inflate_bound(const char *src, Py_ssize_t len);
extern Py_ssize_t inflate_into(const char *src, Py_ssize_t len, char *dst, Py_ssize_t cap);
extern int wait_for_data(int fd, int timeout_ms);

static PyObject *
decompress(PyObject *module, PyObject *args)
{
    const char *src;
    Py_ssize_t len, cap, n;
    char *dst;
    PyObject *res;

    if (!PyArg_ParseTuple(args, "y#", &src, &len))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    cap = inflate_bound(src, len);
    dst = PyMem_Malloc((size_t)cap);   /* expect: TS201 */
    n = dst ? inflate_into(src, len, dst, cap) : -1;
    Py_END_ALLOW_THREADS
    if (n < 0) {
        PyMem_Free(dst);
        return PyErr_NoMemory();
    }
    res = PyBytes_FromStringAndSize(dst, n);
    PyMem_Free(dst);
    return res;
}

static PyObject *
decompress_raw(PyObject *module, PyObject *args)
{
    const char *src;
    Py_ssize_t len, cap, n;
    char *dst;
    PyObject *res;

    if (!PyArg_ParseTuple(args, "y#", &src, &len))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    cap = inflate_bound(src, len);
    dst = PyMem_RawMalloc((size_t)cap);
    n = dst ? inflate_into(src, len, dst, cap) : -1;
    if (n < 0) {
        PyMem_RawFree(dst);
        dst = NULL;
    }
    Py_END_ALLOW_THREADS
    if (dst == NULL)
        return PyErr_NoMemory();
    res = PyBytes_FromStringAndSize(dst, n);
    PyMem_RawFree(dst);
    return res;
}

static PyObject *
decompress_free_late(PyObject *module, PyObject *args)
{
    const char *src;
    Py_ssize_t len, cap, n;
    char *dst;

    if (!PyArg_ParseTuple(args, "y#n", &src, &len, &cap))
        return NULL;
    dst = PyMem_Malloc((size_t)cap);
    if (dst == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    n = inflate_into(src, len, dst, cap);
    if (n < 0)
        PyMem_Free(dst);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    if (n < 0)
        return PyErr_NoMemory();
    PyObject *res = PyBytes_FromStringAndSize(dst, n);
    PyMem_Free(dst);
    return res;
}

static PyObject *
wait_readable(PyObject *module, PyObject *args)
{
    int fd, timeout_ms, r;

    if (!PyArg_ParseTuple(args, "ii", &fd, &timeout_ms))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    do {
        r = wait_for_data(fd, timeout_ms);
    } while (r < 0 && errno == EINTR && PyErr_CheckSignals() == 0);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    if (r < 0)
        return PyErr_Occurred() ? NULL : PyErr_SetFromErrno(PyExc_OSError);
    return PyBool_FromLong(r > 0);
}

static PyMethodDef zmod_methods[] = {
    {"decompress", decompress, METH_VARARGS, NULL},
    {"decompress_raw", decompress_raw, METH_VARARGS, NULL},
    {"decompress_free_late", decompress_free_late, METH_VARARGS, NULL},
    {"wait_readable", wait_readable, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef zmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "zmod",
    .m_size = 0,
    .m_methods = zmod_methods,
};

PyMODINIT_FUNC
PyInit_zmod(void)
{
    return PyModuleDef_Init(&zmod);
}
