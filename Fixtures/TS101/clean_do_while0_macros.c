#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: project macros that wrap the thread-state API: a do { } while (0)
   macro around Py_BEGIN/END_ALLOW_THREADS, CPython _ssl.c's PySSL_* macros
   (do { } while (0) around PyEval_SaveThread/RestoreThread, with
   PySSL_BLOCK_THREADS before an early return), and pycurl's
   PYCURL_BEGIN/END_ALLOW_THREADS which also record the thread state. */

#include <assert.h>

typedef struct tls_conn tls_conn;
extern int tls_handshake(tls_conn *c);
extern int tls_write(tls_conn *c, const void *buf, size_t len);
extern int tls_shutdown(tls_conn *c);
typedef struct curl_handle curl_handle;
extern int curl_perform(curl_handle *h);

#define CALL_RELEASED(res, expr) do {   \
        Py_BEGIN_ALLOW_THREADS          \
        (res) = (expr);                 \
        Py_END_ALLOW_THREADS            \
    } while (0)

#define PySSL_BEGIN_ALLOW_THREADS_S(save) \
    do { (save) = PyEval_SaveThread(); } while(0)
#define PySSL_END_ALLOW_THREADS_S(save) \
    do { PyEval_RestoreThread(save); } while(0)
#define PySSL_BEGIN_ALLOW_THREADS { \
            PyThreadState *_save = NULL;  \
            PySSL_BEGIN_ALLOW_THREADS_S(_save);
#define PySSL_BLOCK_THREADS     PySSL_END_ALLOW_THREADS_S(_save);
#define PySSL_END_ALLOW_THREADS PySSL_END_ALLOW_THREADS_S(_save); }

#define PYCURL_BEGIN_ALLOW_THREADS \
       self->state = PyThreadState_Get(); \
       assert(self->state != NULL); \
       Py_BEGIN_ALLOW_THREADS
#define PYCURL_END_ALLOW_THREADS \
       Py_END_ALLOW_THREADS \
       self->state = NULL;

typedef struct {
    PyObject_HEAD
    tls_conn *conn;
} TLSObject;

typedef struct {
    PyObject_HEAD
    curl_handle *handle;
    PyThreadState *state;
} CurlObject;

static PyObject *
TLS_do_handshake(TLSObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    CALL_RELEASED(rc, tls_handshake(self->conn));
    if (rc < 0) {
        PyErr_SetString(PyExc_ConnectionError, "handshake failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
TLS_write(TLSObject *self, PyObject *arg)
{
    Py_buffer view;
    int rc;

    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PySSL_BEGIN_ALLOW_THREADS
    rc = tls_write(self->conn, view.buf, (size_t)view.len);
    if (rc < 0) {
        PySSL_BLOCK_THREADS
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_OSError, "write failed");
        return NULL;
    }
    PySSL_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromLong(rc);
}

static PyObject *
TLS_shutdown(TLSObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *save;
    int rc;

    PySSL_BEGIN_ALLOW_THREADS_S(save);
    rc = tls_shutdown(self->conn);
    PySSL_END_ALLOW_THREADS_S(save);
    return PyBool_FromLong(rc == 0);
}

static PyObject *
Curl_perform(CurlObject *self, PyObject *Py_UNUSED(ignored))
{
    int res;

    PYCURL_BEGIN_ALLOW_THREADS
    res = curl_perform(self->handle);
    PYCURL_END_ALLOW_THREADS

    if (res != 0)
        return PyErr_Format(PyExc_RuntimeError, "perform failed: %d", res);
    Py_RETURN_NONE;
}

static PyMethodDef TLS_methods[] = {
    {"do_handshake", (PyCFunction)TLS_do_handshake, METH_NOARGS, NULL},
    {"write", (PyCFunction)TLS_write, METH_O, NULL},
    {"shutdown", (PyCFunction)TLS_shutdown, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyMethodDef Curl_methods[] = {
    {"perform", (PyCFunction)Curl_perform, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot TLS_slots[] = {
    {Py_tp_methods, TLS_methods},
    {0, NULL}
};

static PyType_Slot Curl_slots[] = {
    {Py_tp_methods, Curl_methods},
    {0, NULL}
};

static PyType_Spec TLS_spec = {
    .name = "netmod.TLS",
    .basicsize = sizeof(TLSObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = TLS_slots,
};

static PyType_Spec Curl_spec = {
    .name = "netmod.Curl",
    .basicsize = sizeof(CurlObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Curl_slots,
};

static int
netmod_exec(PyObject *m)
{
    PyType_Spec *specs[] = {&TLS_spec, &Curl_spec};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        PyObject *tp = PyType_FromModuleAndSpec(m, specs[i], NULL);
        if (tp == NULL)
            return -1;
        int rc = PyModule_AddType(m, (PyTypeObject *)tp);
        Py_DECREF(tp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static PyModuleDef_Slot netmod_slots[] = {
    {Py_mod_exec, netmod_exec},
    {0, NULL}
};

static struct PyModuleDef netmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "netmod",
    .m_size = 0,
    .m_slots = netmod_slots,
};

PyMODINIT_FUNC
PyInit_netmod(void)
{
    return PyModuleDef_Init(&netmod);
}
