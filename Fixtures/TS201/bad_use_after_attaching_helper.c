#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A finding inside a helper does not end the checking of its callers.
   enter_worker() uses the C-API before it attaches the worker's thread state
   (TS201 inside it: it is entered with none); its summary stays exact, so
   after it run_job() is still checked: it releases and then uses the C-API
   inside the released block (TS201), and run_twice() releases twice
   (TS103). */

extern PyThreadState *worker_tstate;

void
enter_worker(void)
{
    PyObject *marker = PyLong_FromLong(1);   /* expect: TS201 */

    Py_XDECREF(marker);
    PyEval_RestoreThread(worker_tstate);
}

int
run_job(PyObject *job)
{
    enter_worker();
    Py_BEGIN_ALLOW_THREADS
    Py_DECREF(job);   /* expect: TS201 */
    Py_END_ALLOW_THREADS
    worker_tstate = PyEval_SaveThread();
    return 0;
}

int
run_twice(void)
{
    PyThreadState *first, *second;

    enter_worker();
    first = PyEval_SaveThread();
    second = PyEval_SaveThread();   /* expect: TS103 */
    PyEval_RestoreThread(second);
    PyEval_RestoreThread(first);
    return 0;
}
