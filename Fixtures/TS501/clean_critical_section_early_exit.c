#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: early exits from critical sections done right: with the macros,
   the decision is recorded inside the section and acted on after
   Py_END_CRITICAL_SECTION (the macros open and close a C block, so the
   section cannot be ended in a branch); with the 3.13 function form,
   PyCriticalSection_End() is called before the early return. */

#ifndef Py_BEGIN_CRITICAL_SECTION
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif

#if PY_VERSION_HEX < 0x030D0000
typedef struct {
    void *_cs_prev;
    void *_cs_mutex;
} PyCriticalSection;
extern void PyCriticalSection_Begin(PyCriticalSection *c, PyObject *op);
extern void PyCriticalSection_End(PyCriticalSection *c);
#endif

typedef struct {
    PyObject_HEAD
    PyObject **items;
    Py_ssize_t len;
    int closed;
} QueueObject;

static PyObject *
Queue_pop(QueueObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *item = NULL;
    int closed = 0;

    Py_BEGIN_CRITICAL_SECTION(self);
    if (self->closed)
        closed = 1;
    else if (self->len > 0)
        item = self->items[--self->len];
    Py_END_CRITICAL_SECTION();

    if (closed) {
        PyErr_SetString(PyExc_ValueError, "queue is closed");
        return NULL;
    }
    if (item == NULL) {
        PyErr_SetString(PyExc_IndexError, "pop from empty queue");
        return NULL;
    }
    return item;
}

static PyObject *
Queue_peek(QueueObject *self, PyObject *Py_UNUSED(ignored))
{
    PyCriticalSection cs;
    PyObject *item;

    PyCriticalSection_Begin(&cs, (PyObject *)self);
    if (self->closed || self->len == 0) {
        PyCriticalSection_End(&cs);
        Py_RETURN_NONE;
    }
    item = Py_NewRef(self->items[self->len - 1]);
    PyCriticalSection_End(&cs);
    return item;
}

static PyObject *
Queue_close(QueueObject *self, PyObject *Py_UNUSED(ignored))
{
    int was_closed;

    Py_BEGIN_CRITICAL_SECTION(self);
    was_closed = self->closed;
    self->closed = 1;
    Py_END_CRITICAL_SECTION();
    return PyBool_FromLong(!was_closed);
}

static PyMethodDef Queue_methods[] = {
    {"pop", (PyCFunction)Queue_pop, METH_NOARGS, NULL},
    {"peek", (PyCFunction)Queue_peek, METH_NOARGS, NULL},
    {"close", (PyCFunction)Queue_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Queue_slots[] = {
    {Py_tp_methods, Queue_methods},
    {0, NULL}
};

static PyType_Spec Queue_spec = {
    .name = "queuemod.Queue",
    .basicsize = sizeof(QueueObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Queue_slots,
};

static int
queuemod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Queue_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot queuemod_slots[] = {
    {Py_mod_exec, queuemod_exec},
    {0, NULL}
};

static struct PyModuleDef queuemod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "queuemod",
    .m_size = 0,
    .m_slots = queuemod_slots,
};

PyMODINIT_FUNC
PyInit_queuemod(void)
{
    return PyModuleDef_Init(&queuemod);
}
