#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS502: a `continue` skips the unlock, so the next iteration locks a
   PyMutex this path already holds (self-deadlock, reported on the lock
   call), and when the skipped line was the last one the function returns
   with the mutex held while the other paths through the same lock call
   unlock (reported on the return). */

#if PY_VERSION_HEX < 0x030D0000
typedef struct { unsigned char _bits; } PyMutex;
extern void PyMutex_Lock(PyMutex *m);
extern void PyMutex_Unlock(PyMutex *m);
#endif

extern void log_append(void *log, const char *line);

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    void *log;
} LogObject;

static PyObject *
Log_write_all(LogObject *self, PyObject *lines)
{
    Py_ssize_t i, n;

    if (!PyList_Check(lines)) {
        PyErr_SetString(PyExc_TypeError, "expected a list of str");
        return NULL;
    }
    n = PyList_GET_SIZE(lines);
    for (i = 0; i < n; i++) {
        const char *s;

        PyMutex_Lock(&self->mutex);   /* expect: TS502 */
        s = PyUnicode_AsUTF8(PyList_GET_ITEM(lines, i));
        if (s == NULL) {
            PyMutex_Unlock(&self->mutex);
            return NULL;
        }
        if (s[0] == '\0')
            continue;
        log_append(self->log, s);
        PyMutex_Unlock(&self->mutex);
    }
    Py_RETURN_NONE;   /* expect: TS502 */
}

static PyMethodDef Log_methods[] = {
    {"write_all", (PyCFunction)Log_write_all, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Log_slots[] = {
    {Py_tp_methods, Log_methods},
    {0, NULL}
};

static PyType_Spec Log_spec = {
    .name = "logmod.Log",
    .basicsize = sizeof(LogObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Log_slots,
};

static int
logmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Log_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot logmod_slots[] = {
    {Py_mod_exec, logmod_exec},
    {0, NULL}
};

static struct PyModuleDef logmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "logmod",
    .m_size = 0,
    .m_slots = logmod_slots,
};

PyMODINIT_FUNC
PyInit_logmod(void)
{
    return PyModuleDef_Init(&logmod);
}
