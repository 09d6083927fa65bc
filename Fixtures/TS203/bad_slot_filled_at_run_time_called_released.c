#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Functions stored into a type's slots by code are Python entry points, as
   those named in a static table are: Thing_repr() is the type's tp_repr,
   assigned in the module's exec function, so Python calls it attached. The
   direct call made with the thread state released is the mistake (TS203 at
   the call), not the function's body. Thing_dealloc() is named only in a
   PyType_Slot array built on the stack: it is entered attached, and its
   return from inside a released block is a TS101. */

typedef struct {
    PyObject_HEAD
    int value;
    void *buffer;
} Thing;

extern void buffer_close(void *buffer);

static PyObject *
Thing_repr(Thing *self)
{
    return PyUnicode_FromFormat("<Thing %d>", self->value);
}

static void
Thing_dealloc(Thing *self)
{
    PyTypeObject *type = Py_TYPE(self);

    Py_BEGIN_ALLOW_THREADS
    buffer_close(self->buffer);
    if (self->value < 0)
        return;   /* expect: TS101 */
    Py_END_ALLOW_THREADS
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *
dump(PyObject *module, PyObject *arg)
{
    Py_BEGIN_ALLOW_THREADS
    (void)Thing_repr((Thing *)arg);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static int
things_exec(PyObject *module)
{
    PyType_Slot slots[] = {
        {Py_tp_dealloc, Thing_dealloc},
        {0, NULL},
    };
    PyType_Spec spec = {"things.Thing", sizeof(Thing), 0, Py_TPFLAGS_DEFAULT, slots};
    PyTypeObject *type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &spec, NULL);

    if (type == NULL)
        return -1;
    type->tp_repr = (reprfunc)Thing_repr;
    if (PyModule_AddObjectRef(module, "Thing", (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    Py_DECREF(type);
    return 0;
}

static PyMethodDef things_methods[] = {
    {"dump", dump, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot things_slots[] = {
    {Py_mod_exec, things_exec},
    {0, NULL}
};
