#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a worker thread started with PyThread_start_new_thread (entered
   with nothing attached) that attaches its own thread state per work item
   with PyEval_AcquireThread / PyEval_ReleaseThread, releases before every
   `continue`, and at the end clears the thread state while attached,
   detaches, and deletes it (PyThreadState_Delete needs no thread state). */

typedef struct work_item {
    long id;
} work_item;

typedef struct job_queue job_queue;
extern work_item *queue_pop(job_queue *q);
extern void item_free(work_item *item);
extern job_queue *queue_open(const char *name);

typedef struct job {
    PyObject *callback;
    PyThreadState *tstate;
    job_queue *queue;
} job;

static void
worker_main(void *arg)
{
    job *jb = (job *)arg;
    PyThreadState *ts = jb->tstate;
    work_item *item;

    while ((item = queue_pop(jb->queue)) != NULL) {
        PyObject *r;

        if (item->id < 0) {
            item_free(item);
            continue;
        }
        PyEval_AcquireThread(ts);
        r = PyObject_CallFunction(jb->callback, "l", item->id);
        item_free(item);
        if (r == NULL) {
            PyErr_Print();
            PyEval_ReleaseThread(ts);
            continue;
        }
        Py_DECREF(r);
        PyEval_ReleaseThread(ts);
    }

    PyEval_AcquireThread(ts);
    Py_CLEAR(jb->callback);
    PyThreadState_Clear(ts);
    PyEval_ReleaseThread(ts);
    PyThreadState_Delete(ts);
    PyMem_RawFree(jb);
}

static PyObject *
start_worker(PyObject *module, PyObject *args)
{
    PyObject *callback;
    const char *name;
    job *jb;

    if (!PyArg_ParseTuple(args, "Os", &callback, &name))
        return NULL;
    jb = PyMem_RawMalloc(sizeof *jb);
    if (jb == NULL)
        return PyErr_NoMemory();
    jb->queue = queue_open(name);
    jb->callback = Py_NewRef(callback);
    jb->tstate = PyThreadState_New(PyInterpreterState_Get());
    if (jb->tstate == NULL) {
        Py_DECREF(jb->callback);
        PyMem_RawFree(jb);
        return PyErr_NoMemory();
    }
    if (PyThread_start_new_thread(worker_main, jb) == PYTHREAD_INVALID_THREAD_ID) {
        PyThreadState_Clear(jb->tstate);
        PyThreadState_Delete(jb->tstate);
        Py_DECREF(jb->callback);
        PyMem_RawFree(jb);
        PyErr_SetString(PyExc_RuntimeError, "cannot start worker");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef workers_methods[] = {
    {"start_worker", start_worker, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef workers = {
    PyModuleDef_HEAD_INIT,
    .m_name = "workers",
    .m_size = 0,
    .m_methods = workers_methods,
};

PyMODINIT_FUNC
PyInit_workers(void)
{
    return PyModuleDef_Init(&workers);
}
