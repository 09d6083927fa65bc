#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: nested critical sections on different objects, a two-object
   section (Py_BEGIN_CRITICAL_SECTION2), and sections in both branches of
   an if/else, each properly ended. */

#ifndef Py_BEGIN_CRITICAL_SECTION
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif
#ifndef Py_BEGIN_CRITICAL_SECTION2
#  define Py_BEGIN_CRITICAL_SECTION2(a, b) {
#  define Py_END_CRITICAL_SECTION2() }
#endif

typedef struct {
    PyObject_HEAD
    double balance;
    long version;
} AccountObject;

static PyObject *
Account_transfer(AccountObject *self, PyObject *args)
{
    AccountObject *other;
    double amount;
    int ok = 0;

    if (!PyArg_ParseTuple(args, "Od", &other, &amount))
        return NULL;
    Py_BEGIN_CRITICAL_SECTION2(self, other);
    if (self->balance >= amount) {
        self->balance -= amount;
        other->balance += amount;
        ok = 1;
    }
    Py_END_CRITICAL_SECTION2();
    return PyBool_FromLong(ok);
}

static PyObject *
Account_sync_version(AccountObject *self, PyObject *arg)
{
    AccountObject *other = (AccountObject *)arg;
    long v;

    Py_BEGIN_CRITICAL_SECTION(self);
    v = self->version;
    Py_BEGIN_CRITICAL_SECTION(other);
    if (other->version < v)
        other->version = v;
    Py_END_CRITICAL_SECTION();
    Py_END_CRITICAL_SECTION();
    return PyLong_FromLong(v);
}

static PyObject *
Account_adjust(AccountObject *self, PyObject *arg)
{
    double delta = PyFloat_AsDouble(arg);
    double result;

    if (delta == -1.0 && PyErr_Occurred())
        return NULL;
    if (delta >= 0) {
        Py_BEGIN_CRITICAL_SECTION(self);
        self->balance += delta;
        result = self->balance;
        Py_END_CRITICAL_SECTION();
    }
    else {
        Py_BEGIN_CRITICAL_SECTION(self);
        self->balance = self->balance + delta < 0 ? 0 : self->balance + delta;
        self->version++;
        result = self->balance;
        Py_END_CRITICAL_SECTION();
    }
    return PyFloat_FromDouble(result);
}

static PyMethodDef Account_methods[] = {
    {"transfer", (PyCFunction)Account_transfer, METH_VARARGS, NULL},
    {"sync_version", (PyCFunction)Account_sync_version, METH_O, NULL},
    {"adjust", (PyCFunction)Account_adjust, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Account_slots[] = {
    {Py_tp_methods, Account_methods},
    {0, NULL}
};

static PyType_Spec Account_spec = {
    .name = "bank.Account",
    .basicsize = sizeof(AccountObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Account_slots,
};

static int
bank_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Account_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot bank_slots[] = {
    {Py_mod_exec, bank_exec},
    {0, NULL}
};

static struct PyModuleDef bank = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bank",
    .m_size = 0,
    .m_slots = bank_slots,
};

PyMODINIT_FUNC
PyInit_bank(void)
{
    return PyModuleDef_Init(&bank);
}
