#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: helpers called inside released regions that do not need the
   thread state of their caller: log_to_python() attaches one itself with
   PyGILState_Ensure() before any C-API use (like a library log hook that
   is also called directly), and checksum() / pack_header() are pure C. */

#include <stdint.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    PyObject *logger;     /* callable or NULL */
    unsigned char *buf;
    size_t len;
} PacketObject;

extern int link_send(const unsigned char *buf, size_t len);

static void
log_to_python(PyObject *logger, const char *msg)
{
    PyGILState_STATE st = PyGILState_Ensure();
    if (logger != NULL) {
        PyObject *r = PyObject_CallFunction(logger, "s", msg);
        if (r == NULL)
            PyErr_WriteUnraisable(logger);
        else
            Py_DECREF(r);
    }
    PyGILState_Release(st);
}

static uint32_t
checksum(const unsigned char *p, size_t n)
{
    uint32_t s = 0;
    while (n--)
        s = (s << 5) + s + *p++;
    return s;
}

static void
pack_header(unsigned char *hdr, size_t len, uint32_t sum)
{
    memcpy(hdr, &len, sizeof(uint32_t));
    memcpy(hdr + 4, &sum, sizeof(uint32_t));
}

static PyObject *
Packet_send(PacketObject *self, PyObject *Py_UNUSED(ignored))
{
    unsigned char hdr[8];
    int rc;

    Py_BEGIN_ALLOW_THREADS
    pack_header(hdr, self->len, checksum(self->buf, self->len));
    rc = link_send(hdr, sizeof hdr);
    if (rc == 0)
        rc = link_send(self->buf, self->len);
    if (rc != 0)
        log_to_python(self->logger, "link_send failed, packet dropped");
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(rc == 0);
}

static PyObject *
Packet_log(PacketObject *self, PyObject *args)
{
    const char *msg;

    if (!PyArg_ParseTuple(args, "s", &msg))
        return NULL;
    log_to_python(self->logger, msg);
    Py_RETURN_NONE;
}

static PyMethodDef Packet_methods[] = {
    {"send", (PyCFunction)Packet_send, METH_NOARGS, NULL},
    {"log", (PyCFunction)Packet_log, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
