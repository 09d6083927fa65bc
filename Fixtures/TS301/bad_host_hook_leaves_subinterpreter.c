#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A plug-in's init hook, found by a host program with dlsym: nothing in the
   program calls it and Python does not know it, so it is taken for a host's
   entry point. It creates a sub-interpreter for the host and returns with the
   sub-interpreter's thread state still attached, on both returns: the host,
   which may be running Python in its own interpreter, gets the wrong thread
   state back. (Tcl-style Foo_Init hook.) */

extern void host_set_data(void *host_interp, const char *key, void *data);

int
Foo_Init(void *host_interp)
{
    PyThreadState *child;
    PyObject *m;

    if (!Py_IsInitialized())
        Py_InitializeEx(0);
    child = Py_NewInterpreter();
    if (child == NULL)
        return 1;
    host_set_data(host_interp, "python", child);
    m = PyImport_ImportModule("foo");
    if (m == NULL)
        return 1;   /* expect: TS301 */
    Py_DECREF(m);
    return 0;   /* expect: TS301 */
}
