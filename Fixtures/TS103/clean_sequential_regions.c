#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: several released regions in one function: back-to-back blocks,
   a block in each branch of an if/else, and explicit
   PyEval_SaveThread()/PyEval_RestoreThread() pairs reusing one variable. */

#include <unistd.h>

typedef struct img img;
extern img *img_load(const char *path);
extern int img_resize(img *im, int w, int h);
extern int img_save(img *im, const char *path);
extern int img_save_fast(img *im, const char *path);
extern void img_free(img *im);

static PyObject *
convert(PyObject *module, PyObject *args)
{
    const char *src, *dst;
    int w, h, fast = 0, rc;
    img *im;

    if (!PyArg_ParseTuple(args, "ssii|p", &src, &dst, &w, &h, &fast))
        return NULL;

    Py_BEGIN_ALLOW_THREADS
    im = img_load(src);
    Py_END_ALLOW_THREADS
    if (im == NULL)
        return PyErr_Format(PyExc_OSError, "cannot load %s", src);

    Py_BEGIN_ALLOW_THREADS
    rc = img_resize(im, w, h);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        img_free(im);
        PyErr_SetString(PyExc_ValueError, "bad size");
        return NULL;
    }

    if (fast) {
        Py_BEGIN_ALLOW_THREADS
        rc = img_save_fast(im, dst);
        Py_END_ALLOW_THREADS
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        rc = img_save(im, dst);
        Py_END_ALLOW_THREADS
    }
    img_free(im);
    return PyBool_FromLong(rc == 0);
}

static PyObject *
sync_fds(PyObject *module, PyObject *args)
{
    int a, b, ra, rb;
    PyThreadState *ts;

    if (!PyArg_ParseTuple(args, "ii", &a, &b))
        return NULL;
    ts = PyEval_SaveThread();
    ra = fsync(a);
    PyEval_RestoreThread(ts);
    if (PyErr_CheckSignals() < 0)
        return NULL;
    ts = PyEval_SaveThread();
    rb = fsync(b);
    PyEval_RestoreThread(ts);
    return Py_BuildValue("ii", ra, rb);
}

static PyMethodDef imgmod_methods[] = {
    {"convert", convert, METH_VARARGS, NULL},
    {"sync_fds", sync_fds, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef imgmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "imgmod",
    .m_size = 0,
    .m_methods = imgmod_methods,
};

PyMODINIT_FUNC
PyInit_imgmod(void)
{
    return PyModuleDef_Init(&imgmod);
}
