#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The timer callback SDL runs on its own thread takes a thread state with
   PyGILState_Ensure() before the C-API and gives it back on every path. */

typedef unsigned int Uint32;
typedef Uint32 (*SDL_TimerCallback)(Uint32 interval, void *param);
typedef int SDL_TimerID;
extern SDL_TimerID SDL_AddTimer(Uint32 interval, SDL_TimerCallback callback, void *param);

static Uint32
on_tick(Uint32 interval, void *param)
{
    PyGILState_STATE gil;
    PyObject *r;

    if (param == NULL)
        return 0;
    gil = PyGILState_Ensure();
    r = PyObject_CallNoArgs((PyObject *)param);
    if (r == NULL)
        PyErr_WriteUnraisable((PyObject *)param);
    Py_XDECREF(r);
    PyGILState_Release(gil);
    return interval;
}

static PyObject *
start_timer(PyObject *module, PyObject *callable)
{
    Py_INCREF(callable);
    if (SDL_AddTimer(100, on_tick, callable) == 0) {
        Py_DECREF(callable);
        PyErr_SetString(PyExc_RuntimeError, "SDL_AddTimer failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef timer_methods[] = {
    {"start_timer", start_timer, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
