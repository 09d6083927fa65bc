#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS501: `return` between Py_BEGIN_CRITICAL_SECTION and
   Py_END_CRITICAL_SECTION leaves the object's critical section held. */

#ifndef Py_BEGIN_CRITICAL_SECTION
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif

typedef struct {
    PyObject_HEAD
    PyObject **items;
    Py_ssize_t len;
    Py_ssize_t cap;
} BufferObject;

static PyObject *
Buffer_pop(BufferObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *item;

    Py_BEGIN_CRITICAL_SECTION(self);
    if (self->len == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty buffer");
        return NULL;   /* expect: TS501 */
    }
    item = self->items[--self->len];
    Py_END_CRITICAL_SECTION();
    return item;
}

static PyObject *
Buffer_peek(BufferObject *self, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    PyObject *item = NULL;

    if (i == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_CRITICAL_SECTION(self);
    if (i >= 0 && i < self->len)
        return Py_NewRef(self->items[i]);   /* expect: TS501 */
    Py_END_CRITICAL_SECTION();
    PyErr_SetString(PyExc_IndexError, "index out of range");
    return item;
}

static PyObject *
Buffer_clear(BufferObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t n;
    PyObject **items;

    Py_BEGIN_CRITICAL_SECTION(self);
    items = self->items;
    n = self->len;
    self->items = NULL;
    self->len = self->cap = 0;
    Py_END_CRITICAL_SECTION();
    while (n-- > 0)
        Py_DECREF(items[n]);
    PyMem_Free(items);
    Py_RETURN_NONE;
}

static PyMethodDef Buffer_methods[] = {
    {"pop", (PyCFunction)Buffer_pop, METH_NOARGS, NULL},
    {"peek", (PyCFunction)Buffer_peek, METH_O, NULL},
    {"clear", (PyCFunction)Buffer_clear, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Buffer_slots[] = {
    {Py_tp_methods, Buffer_methods},
    {0, NULL}
};

static PyType_Spec Buffer_spec = {
    .name = "bufmod.Buffer",
    .basicsize = sizeof(BufferObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Buffer_slots,
};

static int
bufmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Buffer_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot bufmod_slots[] = {
    {Py_mod_exec, bufmod_exec},
    {0, NULL}
};

static struct PyModuleDef bufmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bufmod",
    .m_size = 0,
    .m_slots = bufmod_slots,
};

PyMODINIT_FUNC
PyInit_bufmod(void)
{
    return PyModuleDef_Init(&bufmod);
}
