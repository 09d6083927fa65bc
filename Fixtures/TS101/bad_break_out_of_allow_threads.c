#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101: `break` inside Py_BEGIN_ALLOW_THREADS leaves both the loop and the
   released block; the return after the loop runs detached.
   Link_status shows the boundary: a `break` out of a switch that is
   entirely inside the block does not leave the block. */

enum { LINK_UP, LINK_DOWN };

extern int link_connect(const char *addr);
extern int link_state(int sock);

typedef struct {
    PyObject_HEAD
    int sock;
} LinkObject;

static int
Link_init(LinkObject *self, PyObject *args, PyObject *kwds)
{
    const char *addr;
    int attempt;

    if (!PyArg_ParseTuple(args, "s", &addr))
        return -1;
    for (attempt = 0; ; attempt++) {
        Py_BEGIN_ALLOW_THREADS
        self->sock = link_connect(addr);
        if (self->sock >= 0)
            break;
        Py_END_ALLOW_THREADS
        if (attempt == 3) {
            PyErr_Format(PyExc_ConnectionError, "cannot connect to %s", addr);
            return -1;
        }
        if (PyErr_CheckSignals())
            return -1;
    }
    return 0;   /* expect: TS101 */
}

static PyObject *
Link_status(LinkObject *self, PyObject *Py_UNUSED(ignored))
{
    const char *name;

    Py_BEGIN_ALLOW_THREADS
    switch (link_state(self->sock)) {
    case LINK_UP:
        name = "up";
        break;
    case LINK_DOWN:
        name = "down";
        break;
    default:
        name = "unknown";
        break;
    }
    Py_END_ALLOW_THREADS
    return PyUnicode_FromString(name);
}

static PyMethodDef Link_methods[] = {
    {"status", (PyCFunction)Link_status, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Link_slots[] = {
    {Py_tp_init, Link_init},
    {Py_tp_methods, Link_methods},
    {0, NULL}
};

static PyType_Spec Link_spec = {
    .name = "linkmod.Link",
    .basicsize = sizeof(LinkObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Link_slots,
};

static int
linkmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Link_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot linkmod_slots[] = {
    {Py_mod_exec, linkmod_exec},
    {0, NULL}
};

static struct PyModuleDef linkmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "linkmod",
    .m_size = 0,
    .m_slots = linkmod_slots,
};

PyMODINIT_FUNC
PyInit_linkmod(void)
{
    return PyModuleDef_Init(&linkmod);
}
