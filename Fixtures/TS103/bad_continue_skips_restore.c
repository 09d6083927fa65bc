#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS103 + TS201: a `continue` skips PyEval_RestoreThread(). The next
   iteration detaches again while detached (TS103); if the skipped item was
   the last one, the loop exits detached and PyLong_FromSsize_t() runs with
   no thread state (TS201), and the function returns with it released
   (TS101). */

#define BATCH_SKIP 1

typedef struct batch batch;
extern int batch_apply_one(batch *b, Py_ssize_t i);

typedef struct {
    PyObject_HEAD
    batch *batch;
    Py_ssize_t count;
} BatchObject;

static PyObject *
Batch_apply(BatchObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *ts;
    Py_ssize_t i, applied = 0;
    int rc;

    for (i = 0; i < self->count; i++) {
        ts = PyEval_SaveThread();   /* expect: TS103 */
        rc = batch_apply_one(self->batch, i);
        if (rc == BATCH_SKIP)
            continue;
        PyEval_RestoreThread(ts);
        if (rc < 0)
            return PyErr_Format(PyExc_RuntimeError, "item %zd failed", i);
        applied++;
    }
    return PyLong_FromSsize_t(applied);   /* expect: TS201 TS101 */
}

static PyMethodDef Batch_methods[] = {
    {"apply", (PyCFunction)Batch_apply, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Batch_slots[] = {
    {Py_tp_methods, Batch_methods},
    {0, NULL}
};

static PyType_Spec Batch_spec = {
    .name = "batchmod.Batch",
    .basicsize = sizeof(BatchObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Batch_slots,
};

static int
batchmod_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Batch_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot batchmod_slots[] = {
    {Py_mod_exec, batchmod_exec},
    {0, NULL}
};

static struct PyModuleDef batchmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "batchmod",
    .m_size = 0,
    .m_slots = batchmod_slots,
};

PyMODINIT_FUNC
PyInit_batchmod(void)
{
    return PyModuleDef_Init(&batchmod);
}
