#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS501: a critical section taken per loop iteration, left by `break`
   (the return after the loop is only reachable through the breaks); and a
   Py_BEGIN_CRITICAL_SECTION2 over two objects left by an early return. */

#ifndef Py_BEGIN_CRITICAL_SECTION
#  define Py_BEGIN_CRITICAL_SECTION(op) {
#  define Py_END_CRITICAL_SECTION() }
#endif
#ifndef Py_BEGIN_CRITICAL_SECTION2
#  define Py_BEGIN_CRITICAL_SECTION2(a, b) {
#  define Py_END_CRITICAL_SECTION2() }
#endif

#define REGISTRY_MAX 64

typedef struct {
    PyObject_HEAD
    PyObject *keys[REGISTRY_MAX];
    PyObject *values[REGISTRY_MAX];
    Py_ssize_t count;
} RegistryObject;

static PyObject *
Registry_find(RegistryObject *self, PyObject *key)
{
    Py_ssize_t i;
    PyObject *found = NULL;

    for (i = 0; ; i++) {
        Py_BEGIN_CRITICAL_SECTION(self);
        if (i >= self->count)
            break;
        if (self->keys[i] == key) {
            found = Py_NewRef(self->values[i]);
            break;
        }
        Py_END_CRITICAL_SECTION();
    }
    return found ? found : Py_NewRef(Py_None);   /* expect: TS501 */
}

static PyObject *
Registry_merge(RegistryObject *self, PyObject *arg)
{
    RegistryObject *other = (RegistryObject *)arg;
    Py_ssize_t i;

    Py_BEGIN_CRITICAL_SECTION2(self, other);
    if (self->count + other->count > REGISTRY_MAX) {
        PyErr_SetString(PyExc_OverflowError, "registry full");
        return NULL;   /* expect: TS501 */
    }
    for (i = 0; i < other->count; i++) {
        self->keys[self->count] = Py_NewRef(other->keys[i]);
        self->values[self->count] = Py_NewRef(other->values[i]);
        self->count++;
    }
    Py_END_CRITICAL_SECTION2();
    Py_RETURN_NONE;
}

static PyMethodDef Registry_methods[] = {
    {"find", (PyCFunction)Registry_find, METH_O, NULL},
    {"merge", (PyCFunction)Registry_merge, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Registry_slots[] = {
    {Py_tp_methods, Registry_methods},
    {0, NULL}
};

static PyType_Spec Registry_spec = {
    .name = "regmod.Registry",
    .basicsize = sizeof(RegistryObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Registry_slots,
};

static int
regmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Registry_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot regmod_slots[] = {
    {Py_mod_exec, regmod_exec},
    {0, NULL}
};

static struct PyModuleDef regmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "regmod",
    .m_size = 0,
    .m_slots = regmod_slots,
};

PyMODINIT_FUNC
PyInit_regmod(void)
{
    return PyModuleDef_Init(&regmod);
}
