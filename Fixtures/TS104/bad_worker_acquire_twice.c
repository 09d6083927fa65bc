#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS104 + TS301: a worker thread (started with PyThread_start_new_thread,
   entered with nothing attached) attaches its thread state per work item;
   the error path `continue`s without PyEval_ReleaseThread(), so the next
   iteration attaches while attached (TS104), and if the queue is then
   empty the thread function ends with its thread state still attached
   while its other paths detach (TS301 on the closing brace). */

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

        PyEval_AcquireThread(ts);   /* expect: TS104 */
        r = PyObject_CallFunction(jb->callback, "l", item->id);
        item_free(item);
        if (r == NULL) {
            PyErr_Print();
            continue;
        }
        Py_DECREF(r);
        PyEval_ReleaseThread(ts);
    }
}   /* expect: TS301 */

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
