#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Host entry points that give the host back what it had: Bar_Init() creates
   a sub-interpreter and switches back to the caller's thread state on every
   path; Embed_Start() initialises Python and returns with the main thread
   state attached, as an embedding host expects (no sub-interpreter: not held
   to the rule). */

extern void host_set_data(void *host_interp, const char *key, void *data);

int
Bar_Init(void *host_interp)
{
    PyThreadState *caller = PyThreadState_Get();
    PyThreadState *child = Py_NewInterpreter();
    PyObject *m;
    int rc = 0;

    if (child == NULL) {
        PyThreadState_Swap(caller);
        return 1;
    }
    host_set_data(host_interp, "python", child);
    m = PyImport_ImportModule("bar");
    if (m == NULL) {
        PyErr_Clear();
        rc = 1;
    }
    Py_XDECREF(m);
    PyThreadState_Swap(caller);
    return rc;
}

int
Embed_Start(const char *program)
{
    Py_InitializeEx(0);
    return PyRun_SimpleString(program);
}
