#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: PyGILState_Ensure()/PyGILState_Release() inside a loop body, with
   `continue` and `break` paths that release before leaving the iteration,
   in a function run on a thread Python did not create. */

typedef struct sample {
    int channel;
    double value;
} sample;

typedef struct sampler sampler;
extern int sampler_next(sampler *s, sample *out);
extern int sampler_stopped(const sampler *s);

typedef struct {
    PyObject_HEAD
    PyObject *sink;
    sampler *src;
    int channel;
} MonitorObject;

void *
monitor_thread_main(void *arg)
{
    MonitorObject *self = (MonitorObject *)arg;
    sample s;

    while (sampler_next(self->src, &s) == 0) {
        PyGILState_STATE st;
        PyObject *r;

        if (s.channel != self->channel)
            continue;

        st = PyGILState_Ensure();
        if (sampler_stopped(self->src)) {
            PyGILState_Release(st);
            break;
        }
        r = PyObject_CallFunction(self->sink, "id", s.channel, s.value);
        if (r == NULL) {
            PyErr_WriteUnraisable(self->sink);
            PyGILState_Release(st);
            continue;
        }
        if (r == Py_False) {
            Py_DECREF(r);
            PyGILState_Release(st);
            break;
        }
        Py_DECREF(r);
        PyGILState_Release(st);
    }
    return NULL;
}

int
monitor_flush(MonitorObject *self, int n)
{
    int i, delivered = 0;

    for (i = 0; i < n; i++) {
        PyGILState_STATE st = PyGILState_Ensure();
        PyObject *r = PyObject_CallMethod(self->sink, "flush", NULL);
        if (r == NULL) {
            PyErr_Clear();
            PyGILState_Release(st);
            continue;
        }
        Py_DECREF(r);
        delivered++;
        PyGILState_Release(st);
    }
    return delivered;
}
