#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS205 after attaching: a C library callback takes the GIL with
   PyGILState_Ensure() and then waits on a pthread mutex and condition
   variable (stalling every Python thread); a worker thread attaches its
   thread state with PyEval_AcquireThread() and then sleep()s; a method
   joins a thread after Py_END_ALLOW_THREADS. Queue_put_ok() locks before
   attaching. */

#include <pthread.h>
#include <unistd.h>

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty;
    PyObject *items;        /* list */
    PyThreadState *worker_ts;
    PyObject *on_tick;
    pthread_t worker;
    int count;
} queue_ctx;

void
queue_on_item(void *user, const char *name)
{
    queue_ctx *q = (queue_ctx *)user;
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject *s = PyUnicode_FromString(name);

    pthread_mutex_lock(&q->mu);   /* expect: TS205 */
    while (q->count > 1024)
        pthread_cond_wait(&q->nonempty, &q->mu);   /* expect: TS205 */
    if (s != NULL && PyList_Append(q->items, s) == 0)
        q->count++;
    pthread_mutex_unlock(&q->mu);
    Py_XDECREF(s);
    PyGILState_Release(st);
}

void
queue_put_ok(void *user, const char *name)
{
    queue_ctx *q = (queue_ctx *)user;
    PyGILState_STATE st;
    PyObject *s;

    pthread_mutex_lock(&q->mu);
    while (q->count > 1024)
        pthread_cond_wait(&q->nonempty, &q->mu);
    q->count++;
    pthread_mutex_unlock(&q->mu);

    st = PyGILState_Ensure();
    s = PyUnicode_FromString(name);
    if (s == NULL || PyList_Append(q->items, s) < 0)
        PyErr_Clear();
    Py_XDECREF(s);
    PyGILState_Release(st);
}

static void *
ticker(void *arg)
{
    queue_ctx *q = (queue_ctx *)arg;
    int i;

    for (i = 0; i < 10; i++) {
        PyObject *r;

        PyEval_AcquireThread(q->worker_ts);
        r = PyObject_CallNoArgs(q->on_tick);
        Py_XDECREF(r);
        sleep(1);   /* expect: TS205 */
        PyEval_ReleaseThread(q->worker_ts);
    }
    return NULL;
}

static PyObject *
start_ticker(PyObject *module, PyObject *arg)
{
    queue_ctx *q = PyLong_AsVoidPtr(arg);

    if (q == NULL)
        return NULL;
    q->worker_ts = PyThreadState_New(PyInterpreterState_Get());
    if (pthread_create(&q->worker, NULL, ticker, q) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "cannot start ticker");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
stop_ticker(PyObject *module, PyObject *arg)
{
    queue_ctx *q = PyLong_AsVoidPtr(arg);
    int rc;

    if (q == NULL)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = pthread_mutex_trylock(&q->mu);
    if (rc == 0)
        pthread_mutex_unlock(&q->mu);
    Py_END_ALLOW_THREADS
    pthread_join(q->worker, NULL);   /* expect: TS205 */
    Py_RETURN_NONE;
}

static PyMethodDef ticker_methods[] = {
    {"start_ticker", start_ticker, METH_O, NULL},
    {"stop_ticker", stop_ticker, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
