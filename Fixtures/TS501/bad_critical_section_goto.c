#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS501: `goto error` from inside a critical section to a label after it;
   the label is also reached from outside the section (fine there), so one
   diagnostic on the label's return. */

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

static int
Buffer_grow(BufferObject *self)
{
    Py_ssize_t cap = self->cap ? self->cap * 2 : 8;
    PyObject **items = PyMem_Realloc(self->items, (size_t)cap * sizeof(PyObject *));
    if (items == NULL)
        return -1;
    self->items = items;
    self->cap = cap;
    return 0;
}

static PyObject *
Buffer_append(BufferObject *self, PyObject *item)
{
    if (item == Py_None) {
        PyErr_SetString(PyExc_TypeError, "None is not allowed");
        goto error;
    }
    Py_BEGIN_CRITICAL_SECTION(self);
    if (self->len == self->cap && Buffer_grow(self) < 0) {
        PyErr_NoMemory();
        goto error;
    }
    self->items[self->len++] = Py_NewRef(item);
    Py_END_CRITICAL_SECTION();
    Py_RETURN_NONE;

error:
    return NULL;   /* expect: TS501 */
}

static PyMethodDef Buffer_methods[] = {
    {"append", (PyCFunction)Buffer_append, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Buffer_slots[] = {
    {Py_tp_methods, Buffer_methods},
    {0, NULL}
};

static PyType_Spec Buffer_spec = {
    .name = "bufmod2.Buffer",
    .basicsize = sizeof(BufferObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Buffer_slots,
};

static int
bufmod2_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Buffer_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot bufmod2_slots[] = {
    {Py_mod_exec, bufmod2_exec},
    {0, NULL}
};

static struct PyModuleDef bufmod2 = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bufmod2",
    .m_size = 0,
    .m_slots = bufmod2_slots,
};

PyMODINIT_FUNC
PyInit_bufmod2(void)
{
    return PyModuleDef_Init(&bufmod2);
}
