#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: control flow that stays inside one critical section: `break` out
   of a switch and out of a loop that are both inside the section,
   `continue` in such a loop, and a `goto` to a label that is inside the
   same section. */

#ifndef Py_BEGIN_CRITICAL_SECTION
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif

enum { OP_INC, OP_DEC, OP_RESET };

typedef struct {
    PyObject_HEAD
    long counts[16];
    Py_ssize_t n;
    long total;
} StatsObject;

static PyObject *
Stats_apply(StatsObject *self, PyObject *args)
{
    int op;
    Py_ssize_t slot;
    long result = 0;

    if (!PyArg_ParseTuple(args, "in", &op, &slot))
        return NULL;
    if (slot < 0 || slot >= 16) {
        PyErr_SetString(PyExc_IndexError, "bad slot");
        return NULL;
    }
    Py_BEGIN_CRITICAL_SECTION(self);
    switch (op) {
    case OP_INC:
        self->counts[slot]++;
        break;
    case OP_DEC:
        if (self->counts[slot] == 0)
            goto out;
        self->counts[slot]--;
        break;
    case OP_RESET:
        self->counts[slot] = 0;
        break;
    default:
        break;
    }
    self->total++;   /* number of effective updates */
out:
    result = self->counts[slot];
    Py_END_CRITICAL_SECTION();
    return PyLong_FromLong(result);
}

static PyObject *
Stats_first_nonzero(StatsObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t i, found = -1;
    long total = 0;

    Py_BEGIN_CRITICAL_SECTION(self);
    for (i = 0; i < self->n; i++) {
        if (self->counts[i] == 0)
            continue;
        total += self->counts[i];
        if (found < 0)
            found = i;
        if (total > 1000)
            break;
    }
    self->total = total;
    Py_END_CRITICAL_SECTION();
    return PyLong_FromSsize_t(found);
}

static PyMethodDef Stats_methods[] = {
    {"apply", (PyCFunction)Stats_apply, METH_VARARGS, NULL},
    {"first_nonzero", (PyCFunction)Stats_first_nonzero, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Stats_slots[] = {
    {Py_tp_methods, Stats_methods},
    {0, NULL}
};

static PyType_Spec Stats_spec = {
    .name = "statsmod.Stats",
    .basicsize = sizeof(StatsObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Stats_slots,
};

static int
statsmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Stats_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot statsmod_slots[] = {
    {Py_mod_exec, statsmod_exec},
    {0, NULL}
};

static struct PyModuleDef statsmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "statsmod",
    .m_size = 0,
    .m_slots = statsmod_slots,
};

PyMODINIT_FUNC
PyInit_statsmod(void)
{
    return PyModuleDef_Init(&statsmod);
}
