#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS204: a producer thread (pthread_create) allocates its sample buffer
   with PyMem_Malloc(), which needs an attached thread state (unlike
   PyMem_RawMalloc), before its first PyGILState_Ensure(). Its final
   PyMem_Free(), detached, is wrong as well, but every path already stopped
   at the first finding. sampler_ok() uses the Raw allocator: clean. */

#include <pthread.h>

extern size_t adc_read_block(double *dst, size_t max);

typedef struct {
    PyObject *sink;     /* callable receiving a list of floats */
    size_t block;
    volatile int stop;
} sampler;

static PyObject *
block_to_list(const double *v, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    size_t i;

    if (l == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *f = PyFloat_FromDouble(v[i]);
        if (f == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, f);
    }
    return l;
}

static void *
sampler_main(void *arg)
{
    sampler *s = (sampler *)arg;
    double *buf = PyMem_Malloc(s->block * sizeof(double));   /* expect: TS204 */

    if (buf == NULL)
        return NULL;
    while (!s->stop) {
        size_t n = adc_read_block(buf, s->block);
        PyGILState_STATE st = PyGILState_Ensure();
        PyObject *l = block_to_list(buf, n);
        if (l != NULL) {
            PyObject *r = PyObject_CallOneArg(s->sink, l);
            Py_XDECREF(r);
            Py_DECREF(l);
        }
        if (PyErr_Occurred())
            PyErr_Print();
        PyGILState_Release(st);
    }
    PyMem_Free(buf);
    return NULL;
}

static void *
sampler_ok(void *arg)
{
    sampler *s = (sampler *)arg;
    double *buf = PyMem_RawMalloc(s->block * sizeof(double));

    if (buf == NULL)
        return NULL;
    while (!s->stop) {
        size_t n = adc_read_block(buf, s->block);
        PyGILState_STATE st = PyGILState_Ensure();
        PyObject *l = block_to_list(buf, n);
        if (l != NULL) {
            PyObject *r = PyObject_CallOneArg(s->sink, l);
            Py_XDECREF(r);
            Py_DECREF(l);
        }
        if (PyErr_Occurred())
            PyErr_Print();
        PyGILState_Release(st);
    }
    PyMem_RawFree(buf);
    return NULL;
}

static PyObject *
start_sampler(PyObject *module, PyObject *args)
{
    PyObject *sink;
    Py_ssize_t block;
    int raw = 1;
    sampler *s;
    pthread_t tid;
    int rc;

    if (!PyArg_ParseTuple(args, "On|p", &sink, &block, &raw))
        return NULL;
    s = PyMem_RawCalloc(1, sizeof *s);
    if (s == NULL)
        return PyErr_NoMemory();
    s->sink = Py_NewRef(sink);
    s->block = (size_t)block;
    if (raw)
        rc = pthread_create(&tid, NULL, sampler_ok, s);
    else
        rc = pthread_create(&tid, NULL, sampler_main, s);
    if (rc != 0) {
        Py_DECREF(s->sink);
        PyMem_RawFree(s);
        PyErr_SetString(PyExc_RuntimeError, "cannot start sampler");
        return NULL;
    }
    pthread_detach(tid);
    return PyLong_FromVoidPtr(s);
}

static PyMethodDef sampler_methods[] = {
    {"start_sampler", start_sampler, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
