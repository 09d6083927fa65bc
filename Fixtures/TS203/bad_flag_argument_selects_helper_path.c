#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A helper whose use of the C-API depends on a flag argument
   (_threadmodule.c's thread_bootstate_free(boot, decref)): called released
   with the flag clear it only frees raw memory, which is fine; with the flag
   set it drops references with no thread state. */

typedef struct {
    PyObject *func;
    void *native;
} Boot;

typedef struct {
    PyObject_HEAD
    Boot *boot;
} RunnerObject;

extern void native_close(void *native);

static void
boot_free(Boot *boot, int decref)
{
    if (decref) {
        Py_DECREF(boot->func);
    }
    PyMem_RawFree(boot);
}

static PyObject *
Runner_close(RunnerObject *self, PyObject *Py_UNUSED(ignored))
{
    Boot *boot = self->boot;
    if (boot == NULL)
        Py_RETURN_NONE;
    self->boot = NULL;
    Py_DECREF(boot->func);
    Py_BEGIN_ALLOW_THREADS
    native_close(boot->native);
    boot_free(boot, 0);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
Runner_abandon(RunnerObject *self, PyObject *Py_UNUSED(ignored))
{
    Boot *boot = self->boot;
    if (boot == NULL)
        Py_RETURN_NONE;
    self->boot = NULL;
    Py_BEGIN_ALLOW_THREADS
    native_close(boot->native);
    boot_free(boot, 1);        /* expect: TS203 */
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static void
Runner_dealloc(RunnerObject *self)
{
    if (self->boot)
        boot_free(self->boot, 1);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Runner_methods[] = {
    {"close", (PyCFunction)Runner_close, METH_NOARGS, NULL},
    {"abandon", (PyCFunction)Runner_abandon, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Runner_slots[] = {
    {Py_tp_dealloc, Runner_dealloc},
    {Py_tp_methods, Runner_methods},
    {0, NULL}
};

static PyType_Spec Runner_spec = {"flagged.Runner", sizeof(RunnerObject), 0, Py_TPFLAGS_DEFAULT, Runner_slots};

static int
flagged_exec(PyObject *module)
{
    PyObject *type = PyType_FromModuleAndSpec(module, &Runner_spec, NULL);
    if (type == NULL)
        return -1;
    if (PyModule_AddObject(module, "Runner", type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot flagged_slots[] = {
    {Py_mod_exec, flagged_exec},
    {0, NULL}
};

static struct PyModuleDef flagged_def = {PyModuleDef_HEAD_INIT, "flagged", NULL, 0, NULL, flagged_slots};

PyMODINIT_FUNC
PyInit_flagged(void)
{
    return PyModuleDef_Init(&flagged_def);
}
