#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_BLOCK_THREADS before a `goto` out of the released block to an
   error label that uses the C-API (the label is reached attached from
   every path). */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern int verify_header(int fd);

static PyObject *
file_size_checked(PyObject *module, PyObject *args)
{
    const char *path;
    struct stat st;
    int fd = -1;

    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        Py_BLOCK_THREADS
        goto error;
    }
    if (fstat(fd, &st) < 0 || verify_header(fd) < 0) {
        Py_BLOCK_THREADS
        goto error;
    }
    close(fd);
    fd = -1;
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong((long long)st.st_size);

error:
    PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static PyObject *
copy_fd(PyObject *module, PyObject *args)
{
    int src, dst;
    char buf[8192];
    ssize_t n;
    Py_ssize_t total = 0;

    if (!PyArg_ParseTuple(args, "ii", &src, &dst))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        n = read(src, buf, sizeof buf);
        if (n < 0) {
            Py_BLOCK_THREADS
            goto fail;
        }
        if (n == 0)
            break;
        if (write(dst, buf, (size_t)n) != n) {
            Py_BLOCK_THREADS
            goto fail;
        }
        total += n;
    }
    Py_END_ALLOW_THREADS
    return PyLong_FromSsize_t(total);

fail:
    return PyErr_SetFromErrno(PyExc_OSError);
}

static PyMethodDef fsmod_methods[] = {
    {"file_size_checked", file_size_checked, METH_VARARGS, NULL},
    {"copy_fd", copy_fd, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fsmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "fsmod",
    .m_size = 0,
    .m_methods = fsmod_methods,
};

PyMODINIT_FUNC
PyInit_fsmod(void)
{
    return PyModuleDef_Init(&fsmod);
}
