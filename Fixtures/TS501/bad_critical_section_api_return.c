#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS501: the 3.13 function form, PyCriticalSection_Begin() /
   PyCriticalSection_End() (compat prototypes for the 3.11 headers): an
   early return skips PyCriticalSection_End(). Counter_add_ok ends the
   section before its early return and is correct. */

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
    long long value;
    long long limit;
} CounterObject;

static PyObject *
Counter_add(CounterObject *self, PyObject *arg)
{
    PyCriticalSection cs;
    long long delta = PyLong_AsLongLong(arg);

    if (delta == -1 && PyErr_Occurred())
        return NULL;
    PyCriticalSection_Begin(&cs, (PyObject *)self);
    if (self->value + delta > self->limit) {
        PyErr_SetString(PyExc_OverflowError, "counter limit reached");
        return NULL;   /* expect: TS501 */
    }
    self->value += delta;
    PyCriticalSection_End(&cs);
    Py_RETURN_NONE;
}

static PyObject *
Counter_add_ok(CounterObject *self, PyObject *arg)
{
    PyCriticalSection cs;
    long long delta = PyLong_AsLongLong(arg);

    if (delta == -1 && PyErr_Occurred())
        return NULL;
    PyCriticalSection_Begin(&cs, (PyObject *)self);
    if (self->value + delta > self->limit) {
        PyCriticalSection_End(&cs);
        PyErr_SetString(PyExc_OverflowError, "counter limit reached");
        return NULL;
    }
    self->value += delta;
    PyCriticalSection_End(&cs);
    Py_RETURN_NONE;
}

static PyMethodDef Counter_methods[] = {
    {"add", (PyCFunction)Counter_add, METH_O, NULL},
    {"add_ok", (PyCFunction)Counter_add_ok, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Counter_slots[] = {
    {Py_tp_methods, Counter_methods},
    {0, NULL}
};

static PyType_Spec Counter_spec = {
    .name = "countmod.Counter",
    .basicsize = sizeof(CounterObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Counter_slots,
};

static int
countmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Counter_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot countmod_slots[] = {
    {Py_mod_exec, countmod_exec},
    {0, NULL}
};

static struct PyModuleDef countmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "countmod",
    .m_size = 0,
    .m_slots = countmod_slots,
};

PyMODINIT_FUNC
PyInit_countmod(void)
{
    return PyModuleDef_Init(&countmod);
}
