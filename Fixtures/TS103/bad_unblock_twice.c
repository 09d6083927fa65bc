#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS103: Py_UNBLOCK_THREADS on a path where the block was never
   re-acquired: Py_BLOCK_THREADS only runs when check_signals is set, but
   Py_UNBLOCK_THREADS runs on every interrupted wake-up. */

#define EV_INTERRUPTED (-2)

typedef struct event_handle event_handle;
extern int ev_wait(event_handle *ev, int timeout_ms);

typedef struct {
    PyObject_HEAD
    event_handle *ev;
    int timeout_ms;
} WaiterObject;

static PyObject *
Waiter_wait(WaiterObject *self, PyObject *args)
{
    int r, err = 0, check_signals = 1;

    if (!PyArg_ParseTuple(args, "|p", &check_signals))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        r = ev_wait(self->ev, self->timeout_ms);
        if (r != EV_INTERRUPTED)
            break;
        if (check_signals) {
            Py_BLOCK_THREADS
            err = PyErr_CheckSignals();
        }
        Py_UNBLOCK_THREADS   /* expect: TS103 */
        if (err)
            break;
    }
    Py_END_ALLOW_THREADS
    if (err)
        return NULL;
    return PyLong_FromLong(r);
}

static PyMethodDef Waiter_methods[] = {
    {"wait", (PyCFunction)Waiter_wait, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Waiter_slots[] = {
    {Py_tp_methods, Waiter_methods},
    {0, NULL}
};

static PyType_Spec Waiter_spec = {
    .name = "evmod.Waiter",
    .basicsize = sizeof(WaiterObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Waiter_slots,
};

static int
evmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Waiter_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot evmod_slots[] = {
    {Py_mod_exec, evmod_exec},
    {0, NULL}
};

static struct PyModuleDef evmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "evmod",
    .m_size = 0,
    .m_slots = evmod_slots,
};

PyMODINIT_FUNC
PyInit_evmod(void)
{
    return PyModuleDef_Init(&evmod);
}
