#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS301: PyEval_SaveThread() then PyEval_RestoreThread() of ANOTHER thread
   state (a worker sub-interpreter's), i.e. an interpreter switch through
   the PyEval API; the error path returns without switching back. */

typedef struct {
    PyObject_HEAD
    PyThreadState *worker_ts;   /* saved (detached) thread state of the worker interpreter */
} WorkerObject;

static PyObject *
Worker_run(WorkerObject *self, PyObject *args)
{
    const char *code;
    PyThreadState *mine;
    int rc;

    if (!PyArg_ParseTuple(args, "s", &code))
        return NULL;
    mine = PyEval_SaveThread();
    PyEval_RestoreThread(self->worker_ts);
    rc = PyRun_SimpleString(code);
    if (rc < 0)
        return NULL;   /* expect: TS301 */
    self->worker_ts = PyEval_SaveThread();
    PyEval_RestoreThread(mine);
    Py_RETURN_NONE;
}

static PyObject *
Worker_ping(WorkerObject *self, PyObject *Py_UNUSED(ignored))
{
    PyThreadState *mine;
    int rc;

    mine = PyEval_SaveThread();
    PyEval_RestoreThread(self->worker_ts);
    rc = PyRun_SimpleString("pass");
    self->worker_ts = PyEval_SaveThread();
    PyEval_RestoreThread(mine);
    return PyBool_FromLong(rc == 0);
}

static PyMethodDef Worker_methods[] = {
    {"run", (PyCFunction)Worker_run, METH_VARARGS, NULL},
    {"ping", (PyCFunction)Worker_ping, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Worker_slots[] = {
    {Py_tp_methods, Worker_methods},
    {0, NULL}
};

static PyType_Spec Worker_spec = {
    .name = "interpworker.Worker",
    .basicsize = sizeof(WorkerObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Worker_slots,
};

static int
interpworker_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Worker_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot interpworker_slots[] = {
    {Py_mod_exec, interpworker_exec},
    {0, NULL}
};

static struct PyModuleDef interpworker = {
    PyModuleDef_HEAD_INIT,
    .m_name = "interpworker",
    .m_size = 0,
    .m_slots = interpworker_slots,
};

PyMODINIT_FUNC
PyInit_interpworker(void)
{
    return PyModuleDef_Init(&interpworker);
}
