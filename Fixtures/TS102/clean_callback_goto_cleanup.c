#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: a callback invoked on a C library thread takes the GIL with
   PyGILState_Ensure() and every path, including the error gotos, reaches
   the single `done:` label that calls PyGILState_Release() last. */

typedef struct {
    PyObject_HEAD
    PyObject *on_message;
    PyObject *on_error;
} ClientObject;

typedef struct msg {
    const char *topic;
    const void *data;
    size_t len;
} msg;

typedef int (*message_fn)(void *user, const msg *m);
extern void mq_set_message_callback(void *client, message_fn fn, void *user);

static int
on_message(void *user, const msg *m)
{
    ClientObject *self = (ClientObject *)user;
    PyGILState_STATE gstate;
    PyObject *topic = NULL, *payload = NULL, *res = NULL;
    int rc = -1;

    gstate = PyGILState_Ensure();

    topic = PyUnicode_FromString(m->topic);
    if (topic == NULL)
        goto error;
    payload = PyBytes_FromStringAndSize((const char *)m->data, (Py_ssize_t)m->len);
    if (payload == NULL)
        goto error;
    res = PyObject_CallFunctionObjArgs(self->on_message, topic, payload, NULL);
    if (res == NULL)
        goto error;
    rc = 0;
    goto done;

error:
    if (self->on_error != NULL) {
        PyObject *r2 = PyObject_CallNoArgs(self->on_error);
        Py_XDECREF(r2);
    }
    PyErr_WriteUnraisable(self->on_message);
done:
    Py_XDECREF(res);
    Py_XDECREF(payload);
    Py_XDECREF(topic);
    PyGILState_Release(gstate);
    return rc;
}

void
client_install(ClientObject *self, void *client)
{
    mq_set_message_callback(client, on_message, self);
}
