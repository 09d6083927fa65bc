#include <Python.h>

/* An embedding helper that creates sub-interpreters and also uses PyGILState for its
   worker threads: those threads always get the main interpreter. */
static PyThreadState *sub_ts;

int
start_plugin_interpreter(void)
{
    PyThreadState *main_ts = PyThreadState_Get();
    sub_ts = Py_NewInterpreter();
    PyThreadState_Swap(main_ts);
    return sub_ts != NULL ? 0 : -1;
}

void
plugin_worker_tick(void)
{
    PyGILState_STATE gil = PyGILState_Ensure(); /* expect: TS304 */
    PyRun_SimpleString("tick()");
    PyGILState_Release(gil);
}
