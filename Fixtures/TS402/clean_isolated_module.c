#include <Python.h>
#include <structmember.h>

#ifndef Py_mod_multiple_interpreters
#  define Py_mod_multiple_interpreters 3
#  define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)
#endif

/* A properly isolated module: module state, a heap type from PyType_FromModuleAndSpec,
   m_traverse/m_clear, and only immutable definitions in static storage. */
typedef struct {
    PyObject *Error;
    PyTypeObject *PointType;
    long created;
} module_state;

typedef struct {
    PyObject_HEAD
    double x, y;
} PointObject;

static const char module_doc[] = "An isolated module.";
static const int default_precision = 6;

static PyObject *
point_norm(PyObject *self, PyObject *Py_UNUSED(args))
{
    PointObject *point = (PointObject *)self;
    return PyFloat_FromDouble(point->x * point->x + point->y * point->y);
}

static PyMethodDef point_methods[] = {
    {"norm", point_norm, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef point_members[] = {
    {"x", T_DOUBLE, offsetof(PointObject, x), 0, NULL},
    {"y", T_DOUBLE, offsetof(PointObject, y), 0, NULL},
    {NULL},
};

static PyType_Slot point_slots[] = {
    {Py_tp_methods, point_methods},
    {Py_tp_members, point_members},
    {Py_tp_new, PyType_GenericNew},
    {0, NULL},
};

static PyType_Spec point_spec = {
    .name = "isolated.Point",
    .basicsize = sizeof(PointObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HEAPTYPE,
    .slots = point_slots,
};

static PyObject *
make_point(PyObject *module, PyObject *Py_UNUSED(args))
{
    module_state *state = PyModule_GetState(module);
    state->created++;
    return PyObject_CallNoArgs((PyObject *)state->PointType);
}

static int
exec_module(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    state->Error = PyErr_NewException("isolated.Error", NULL, NULL);
    if (state->Error == NULL || PyModule_AddObjectRef(module, "Error", state->Error) < 0)
        return -1;
    state->PointType = (PyTypeObject *)PyType_FromModuleAndSpec(module, &point_spec, NULL);
    if (state->PointType == NULL || PyModule_AddType(module, state->PointType) < 0)
        return -1;
    return PyModule_AddIntConstant(module, "precision", default_precision);
}

static int
traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *state = PyModule_GetState(module);
    Py_VISIT(state->Error);
    Py_VISIT(state->PointType);
    return 0;
}

static int
clear(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    Py_CLEAR(state->Error);
    Py_CLEAR(state->PointType);
    return 0;
}

static void
free_module(void *module)
{
    clear((PyObject *)module);
}

static PyMethodDef methods[] = {
    {"make_point", make_point, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {0, NULL},
};

static struct PyModuleDef isolated_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "isolated",
    .m_doc = module_doc,
    .m_size = sizeof(module_state),
    .m_methods = methods,
    .m_slots = slots,
    .m_traverse = traverse,
    .m_clear = clear,
    .m_free = free_module,
};

PyMODINIT_FUNC
PyInit_isolated(void)
{
    return PyModuleDef_Init(&isolated_module);
}
