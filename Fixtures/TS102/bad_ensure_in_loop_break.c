#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS102: PyGILState_Ensure() per loop iteration; the error path breaks out
   of the loop with the token still held, and the function returns. The
   `continue` path in deliver_filtered releases first and is correct. */

typedef struct event {
    int kind;
    const char *payload;
} event;

typedef struct event_queue event_queue;
extern event *queue_pop(event_queue *q);
extern void event_free(event *ev);

/* Runs on the library's dispatcher thread. */
long
deliver_events(event_queue *q, PyObject *handler)
{
    long delivered = 0;
    event *ev;

    while ((ev = queue_pop(q)) != NULL) {
        PyGILState_STATE st = PyGILState_Ensure();
        PyObject *r = PyObject_CallFunction(handler, "is", ev->kind, ev->payload);
        event_free(ev);
        if (r == NULL) {
            PyErr_Print();
            break;
        }
        Py_DECREF(r);
        PyGILState_Release(st);
        delivered++;
    }
    return delivered;   /* expect: TS102 */
}

long
deliver_filtered(event_queue *q, PyObject *handler, int kind)
{
    long delivered = 0;
    event *ev;

    while ((ev = queue_pop(q)) != NULL) {
        PyGILState_STATE st = PyGILState_Ensure();
        PyObject *r;
        if (ev->kind != kind) {
            event_free(ev);
            PyGILState_Release(st);
            continue;
        }
        r = PyObject_CallFunction(handler, "s", ev->payload);
        event_free(ev);
        if (r == NULL)
            PyErr_Print();
        else
            Py_DECREF(r);
        PyGILState_Release(st);
        delivered++;
    }
    return delivered;
}
