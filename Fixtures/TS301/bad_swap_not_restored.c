#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS301: PyThreadState_Swap() to a sub-interpreter's thread state, then an
   error return before swapping back: the Python entry point returns with
   the sub-interpreter attached. Interp_exec_file is the correct goto form. */

#include <stdio.h>

typedef struct {
    PyObject_HEAD
    PyThreadState *sub_ts;   /* thread state of a sub-interpreter owned by this object */
} InterpObject;

static PyObject *
Interp_run(InterpObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *save;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    save = PyThreadState_Swap(self->sub_ts);
    rc = PyRun_SimpleString(code);
    if (rc < 0) {
        PyErr_SetString(PyExc_RuntimeError, "script failed");
        return NULL;   /* expect: TS301 */
    }
    PyThreadState_Swap(save);
    Py_RETURN_NONE;
}

static PyObject *
Interp_exec_file(InterpObject *self, PyObject *args)
{
    const char *path;
    PyThreadState *save;
    FILE *fp;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    fp = fopen(path, "r");
    if (fp == NULL)
        return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    save = PyThreadState_Swap(self->sub_ts);
    rc = PyRun_SimpleFile(fp, path);
    fclose(fp);
    if (rc < 0)
        goto done;
    rc = PyRun_SimpleString("import gc; gc.collect()");
done:
    PyThreadState_Swap(save);
    if (rc < 0) {
        PyErr_Format(PyExc_RuntimeError, "%s failed", path);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Interp_methods[] = {
    {"run", (PyCFunction)Interp_run, METH_VARARGS, NULL},
    {"exec_file", (PyCFunction)Interp_exec_file, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Interp_slots[] = {
    {Py_tp_methods, Interp_methods},
    {0, NULL}
};

static PyType_Spec Interp_spec = {
    .name = "subinterp.Interp",
    .basicsize = sizeof(InterpObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Interp_slots,
};

static int
subinterp_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Interp_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot subinterp_slots[] = {
    {Py_mod_exec, subinterp_exec},
    {0, NULL}
};

static struct PyModuleDef subinterp = {
    PyModuleDef_HEAD_INIT,
    .m_name = "subinterp",
    .m_size = 0,
    .m_slots = subinterp_slots,
};

PyMODINIT_FUNC
PyInit_subinterp(void)
{
    return PyModuleDef_Init(&subinterp);
}
