#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS201: a `goto` from inside Py_BEGIN_ALLOW_THREADS to an error label that
   uses the C-API. The label is also reached from an attached path (after
   Py_END_ALLOW_THREADS), which is fine: the call is reported, and the
   return that leaves the function still released (TS101). */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static PyObject *
map_file(PyObject *module, PyObject *args)
{
    const char *path;
    struct stat st;
    void *p = MAP_FAILED;
    int fd;

    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    fd = open(path, O_RDONLY);
    if (fd < 0)
        goto error;
    if (fstat(fd, &st) < 0) {
        close(fd);
        goto error;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    Py_END_ALLOW_THREADS
    if (p == MAP_FAILED)
        goto error;
    return PyMemoryView_FromMemory(p, (Py_ssize_t)st.st_size, PyBUF_READ);

error:
    return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);   /* expect: TS201 TS101 */
}

static PyMethodDef mapmod_methods[] = {
    {"map_file", map_file, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef mapmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mapmod",
    .m_size = 0,
    .m_methods = mapmod_methods,
};

PyMODINIT_FUNC
PyInit_mapmod(void)
{
    return PyModuleDef_Init(&mapmod);
}
