#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: Py_NewInterpreterFromConfig() (3.12+, compat prototype for the
   3.11 headers) in the shape of CPython's _xxsubinterpreters
   interp_create(): swap back to the saved thread state right after the
   call on both the failure and the success path; on a later error, swap
   into the new interpreter to end it and swap back again. */

#if PY_VERSION_HEX < 0x030C0000
typedef struct {
    int use_main_obmalloc;
    int allow_fork;
    int allow_exec;
    int allow_threads;
    int allow_daemon_threads;
    int check_multi_interp_extensions;
    int gil;
} PyInterpreterConfig;
#  define PyInterpreterConfig_OWN_GIL 2
extern PyStatus Py_NewInterpreterFromConfig(PyThreadState **tstate_p,
                                            const PyInterpreterConfig *config);
#endif

typedef struct {
    PyObject_HEAD
    PyThreadState *tstate;
    int64_t id;
} InterpObject;

static PyObject *
Interp_create(InterpObject *self, PyObject *Py_UNUSED(ignored))
{
    PyInterpreterConfig config = {
        .use_main_obmalloc = 0,
        .allow_fork = 0,
        .allow_exec = 0,
        .allow_threads = 1,
        .allow_daemon_threads = 0,
        .check_multi_interp_extensions = 1,
        .gil = PyInterpreterConfig_OWN_GIL,
    };
    PyThreadState *save_tstate = PyThreadState_Get();
    PyThreadState *tstate = NULL;
    PyStatus status;

    status = Py_NewInterpreterFromConfig(&tstate, &config);
    PyThreadState_Swap(save_tstate);
    if (PyStatus_Exception(status)) {
        PyErr_SetString(PyExc_RuntimeError, "interpreter creation failed");
        return NULL;
    }

    self->id = PyInterpreterState_GetID(PyThreadState_GetInterpreter(tstate));
    if (self->id < 0) {
        save_tstate = PyThreadState_Swap(tstate);
        Py_EndInterpreter(tstate);
        PyThreadState_Swap(save_tstate);
        return NULL;
    }
    self->tstate = tstate;
    return PyLong_FromLongLong(self->id);
}

static PyObject *
Interp_destroy(InterpObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *save_tstate;

    if (self->tstate == NULL)
        Py_RETURN_NONE;
    save_tstate = PyThreadState_Swap(self->tstate);
    Py_EndInterpreter(self->tstate);
    PyThreadState_Swap(save_tstate);
    self->tstate = NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Interp_methods[] = {
    {"create", (PyCFunction)Interp_create, METH_NOARGS, NULL},
    {"destroy", (PyCFunction)Interp_destroy, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Interp_slots[] = {
    {Py_tp_methods, Interp_methods},
    {0, NULL}
};

static PyType_Spec Interp_spec = {
    .name = "interpcfg.Interp",
    .basicsize = sizeof(InterpObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Interp_slots,
};

static int
interpcfg_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Interp_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot interpcfg_slots[] = {
    {Py_mod_exec, interpcfg_exec},
    {0, NULL}
};

static struct PyModuleDef interpcfg = {
    PyModuleDef_HEAD_INIT,
    .m_name = "interpcfg",
    .m_size = 0,
    .m_slots = interpcfg_slots,
};

PyMODINIT_FUNC
PyInit_interpcfg(void)
{
    return PyModuleDef_Init(&interpcfg);
}
