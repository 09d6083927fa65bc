#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS203 in type slots of a static PyTypeObject:
   - Handle_dealloc (tp_dealloc) closes the native handle inside a released
     region and clears the Python references there too, through
     Handle_clear_refs() (also the tp_clear slot, attached);
   - Handle_flush (a method) calls emit_warning() with need_gil = 0: emit_warning() attaches with PyGILState_Ensure() only when
     need_gil is set, so on that call it uses the C-API unattached.
   The detached call with need_gil = 1 is fine, and so is the attached
   call in Handle_detach() (which also keeps emit_warning() from being
   analysed as entered detached). */

typedef struct native native;
extern void native_close(native *h);
extern int native_flush(native *h);

typedef struct {
    PyObject_HEAD
    native *h;
    PyObject *owner;
    PyObject *buffers;
} HandleObject;

static void
emit_warning(const char *msg, int need_gil)
{
    PyGILState_STATE st = PyGILState_UNLOCKED;

    if (need_gil)
        st = PyGILState_Ensure();
    if (PyErr_WarnEx(PyExc_ResourceWarning, msg, 1) < 0)
        PyErr_Clear();
    if (need_gil)
        PyGILState_Release(st);
}

static int
Handle_clear_refs(HandleObject *self)
{
    Py_CLEAR(self->owner);
    Py_CLEAR(self->buffers);
    return 0;
}

static void
Handle_dealloc(HandleObject *self)
{
    native *h = self->h;

    PyObject_GC_UnTrack(self);
    self->h = NULL;
    Py_BEGIN_ALLOW_THREADS
    if (h != NULL)
        native_close(h);
    Handle_clear_refs(self);   /* expect: TS203 */
    Py_END_ALLOW_THREADS
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Handle_flush(HandleObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    Py_BEGIN_ALLOW_THREADS
    rc = native_flush(self->h);
    if (rc > 0)
        emit_warning("flush was partial", 0);   /* expect: TS203 */
    else if (rc < 0)
        emit_warning("flush failed, data kept", 1);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
Handle_detach(HandleObject *self, PyObject *Py_UNUSED(ignored))
{
    if (self->h == NULL) {
        emit_warning("handle already detached", 0);
        Py_RETURN_NONE;
    }
    self->h = NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Handle_methods[] = {
    {"flush", (PyCFunction)Handle_flush, METH_NOARGS, NULL},
    {"detach", (PyCFunction)Handle_detach, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyTypeObject Handle_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "native.Handle",
    .tp_basicsize = sizeof(HandleObject),
    .tp_dealloc = (destructor)Handle_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_clear = (inquiry)Handle_clear_refs,
    .tp_methods = Handle_methods,
};

#ifndef Py_mod_multiple_interpreters
#define Py_mod_multiple_interpreters 3
#define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#endif

static int
native_exec(PyObject *m)
{
    if (PyType_Ready(&Handle_Type) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "Handle", (PyObject *)&Handle_Type);
}

static PyModuleDef_Slot native_slots[] = {
    {Py_mod_exec, native_exec},
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {0, NULL}
};

static struct PyModuleDef nativemod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "native",
    .m_size = 0,
    .m_slots = native_slots,
};

PyMODINIT_FUNC
PyInit_native(void)
{
    return PyModuleDef_Init(&nativemod);
}
