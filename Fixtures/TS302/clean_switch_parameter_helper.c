#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A helper that creates a sub-interpreter for one value of an enum parameter,
   chosen with `switch`: its summary says so ("when parameter 1 is 1"), so a
   caller passing the other value has nothing attached to switch back from. */

enum kind { SHARE_MAIN, NEW_CHILD };

typedef struct {
    PyObject_HEAD
    PyThreadState *child;
} HostObject;

static void
setup(HostObject *self, enum kind k)
{
    switch (k) {
    case SHARE_MAIN:
        break;
    case NEW_CHILD:
        self->child = Py_NewInterpreter();
        break;
    }
}

static PyObject *
Host_share(HostObject *self, PyObject *Py_UNUSED(ignored))
{
    setup(self, SHARE_MAIN);
    Py_RETURN_NONE;
}

static PyMethodDef Host_methods[] = {
    {"share", (PyCFunction)Host_share, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};
