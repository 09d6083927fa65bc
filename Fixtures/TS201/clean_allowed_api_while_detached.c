#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: functions documented as callable with no thread state attached,
   used inside released regions and on a library thread: PyMem_Raw*,
   PyThread_* locks and TSS, PyOS_snprintf, PyGILState_Check,
   PyGILState_GetThisThreadState, Py_AddPendingCall, Py_DecodeLocale. */

#include <stdio.h>
#include <wchar.h>

typedef struct comp comp;
extern size_t comp_bound(size_t len);
extern long comp_run(comp *c, const char *in, size_t len, char *out, size_t cap);
extern void trace_write(void *sink, const char *msg);
extern void dev_log_wide(const wchar_t *msg);

static Py_tss_t trace_key = Py_tss_NEEDS_INIT;

typedef struct {
    PyObject_HEAD
    comp *c;
    PyThread_type_lock lock;
    PyObject *on_event;
    int last_event;
} CompObject;

static PyObject *
Comp_compress(CompObject *self, PyObject *arg)
{
    Py_buffer view;
    const char *in;
    size_t len, cap;
    char *out;
    long n = -1;
    char msg[128] = "";
    PyObject *res;

    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    in = (const char *)view.buf;
    len = (size_t)view.len;

    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    cap = comp_bound(len);
    out = PyMem_RawMalloc(cap);
    if (out != NULL) {
        n = comp_run(self->c, in, len, out, cap);
        if (n < 0)
            PyOS_snprintf(msg, sizeof msg, "compressor error %ld", n);
    }
    PyThread_release_lock(self->lock);
    if (msg[0] && PyThread_tss_get(&trace_key) != NULL)
        trace_write(PyThread_tss_get(&trace_key), msg);
    if (!PyGILState_Check() && PyGILState_GetThisThreadState() == NULL)
        trace_write(NULL, "no thread state for this thread");
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&view);
    if (out == NULL)
        return PyErr_NoMemory();
    if (n < 0) {
        PyMem_RawFree(out);
        PyErr_SetString(PyExc_ValueError, msg);
        return NULL;
    }
    res = PyBytes_FromStringAndSize(out, n);
    PyMem_RawFree(out);
    return res;
}

/* Runs later in the main thread, attached, via Py_AddPendingCall. */
static int
deliver_event(void *arg)
{
    CompObject *self = (CompObject *)arg;
    PyObject *r = PyObject_CallFunction(self->on_event, "i", self->last_event);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* Called by the device library on its own thread, with no thread state. */
static void
on_device_event(void *user, int ev, const char *text)
{
    CompObject *self = (CompObject *)user;
    wchar_t *wtext;

    self->last_event = ev;
    wtext = Py_DecodeLocale(text, NULL);
    if (wtext != NULL) {
        dev_log_wide(wtext);
        PyMem_RawFree(wtext);
    }
    if (Py_AddPendingCall(deliver_event, self) < 0)
        fprintf(stderr, "event %d dropped\n", ev);
}

typedef void (*dev_event_fn)(void *, int, const char *);
extern void dev_set_event_callback(dev_event_fn fn, void *user);

static PyObject *
Comp_watch(CompObject *self, PyObject *Py_UNUSED(ignored))
{
    dev_set_event_callback(on_device_event, self);
    Py_RETURN_NONE;
}

static PyMethodDef Comp_methods[] = {
    {"compress", (PyCFunction)Comp_compress, METH_O, NULL},
    {"watch", (PyCFunction)Comp_watch, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Comp_slots[] = {
    {Py_tp_methods, Comp_methods},
    {0, NULL}
};

static PyType_Spec Comp_spec = {
    .name = "compmod.Compressor",
    .basicsize = sizeof(CompObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Comp_slots,
};

static int
compmod_exec(PyObject *m)
{
    PyObject *tp;
    int rc;

    if (PyThread_tss_create(&trace_key) != 0)
        return -1;
    tp = PyType_FromModuleAndSpec(m, &Comp_spec, NULL);
    if (tp == NULL)
        return -1;
    rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

/* Events reach Python through Py_AddPendingCall, which runs in the main interpreter:
   Py_mod_multiple_interpreters (3) = not supported. */
static PyModuleDef_Slot compmod_slots[] = {
    {Py_mod_exec, compmod_exec},
    {3, (void *)0},
    {0, NULL}
};

static struct PyModuleDef compmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "compmod",
    .m_size = 0,
    .m_slots = compmod_slots,
};

PyMODINIT_FUNC
PyInit_compmod(void)
{
    return PyModuleDef_Init(&compmod);
}
