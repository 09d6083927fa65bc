#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS103: Py_BEGIN_ALLOW_THREADS nested inside another released block (an
   inner region left over after inlining a helper): the inner
   PyEval_SaveThread() runs with no thread state attached. */

typedef struct archive archive;
extern int archive_next(archive *ar);
extern int archive_extract_current(archive *ar, const char *dest);

typedef struct {
    PyObject_HEAD
    archive *ar;
} ArchiveObject;

static PyObject *
Archive_extract_all(ArchiveObject *self, PyObject *args)
{
    const char *dest;
    int rc = 0;
    long count = 0;

    if (!PyArg_ParseTuple(args, "s", &dest))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    while (rc == 0 && archive_next(self->ar)) {
        Py_BEGIN_ALLOW_THREADS   /* expect: TS103 */
        rc = archive_extract_current(self->ar, dest);
        Py_END_ALLOW_THREADS
        count++;
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_Format(PyExc_OSError, "extraction failed (%d)", rc);
        return NULL;
    }
    return PyLong_FromLong(count);
}

static PyObject *
Archive_extract_one(ArchiveObject *self, PyObject *args)
{
    const char *dest;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &dest))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = archive_extract_current(self->ar, dest);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef Archive_methods[] = {
    {"extract_all", (PyCFunction)Archive_extract_all, METH_VARARGS, NULL},
    {"extract_one", (PyCFunction)Archive_extract_one, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Archive_slots[] = {
    {Py_tp_methods, Archive_methods},
    {0, NULL}
};

static PyType_Spec Archive_spec = {
    .name = "arcmod.Archive",
    .basicsize = sizeof(ArchiveObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Archive_slots,
};

static int
arcmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Archive_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot arcmod_slots[] = {
    {Py_mod_exec, arcmod_exec},
    {0, NULL}
};

static struct PyModuleDef arcmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "arcmod",
    .m_size = 0,
    .m_slots = arcmod_slots,
};

PyMODINIT_FUNC
PyInit_arcmod(void)
{
    return PyModuleDef_Init(&arcmod);
}
