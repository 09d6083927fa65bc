#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS202: the storage and size of bytes objects (ob_sval, ob_size)
   accessed directly while detached, for reading and for writing. PyBytes_AS_STRING()/Py_SIZE() would be calls (TS201); these
   are the hand-written struct accesses. */

#include <stdint.h>
#include <string.h>

extern uint32_t crc32_compute(const char *buf, Py_ssize_t len);
extern Py_ssize_t xor_into(char *dst, const char *src, Py_ssize_t len, uint8_t key);

static PyObject *
checksum(PyObject *module, PyObject *data)
{
    uint32_t crc;

    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "expected bytes");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    crc = crc32_compute(((PyBytesObject *)data)->ob_sval, ((PyVarObject *)data)->ob_size);   /* expect: TS202 */
    Py_END_ALLOW_THREADS
    return PyLong_FromUnsignedLong(crc);
}

static PyObject *
xor_bytes(PyObject *module, PyObject *args)
{
    const char *src;
    Py_ssize_t len;
    unsigned char key;
    PyObject *out;
    char *dst;
    Py_ssize_t n;

    if (!PyArg_ParseTuple(args, "y#b", &src, &len, &key))
        return NULL;
    out = PyBytes_FromStringAndSize(NULL, len);
    if (out == NULL)
        return NULL;
    dst = PyBytes_AS_STRING(out);
    Py_BEGIN_ALLOW_THREADS
    n = xor_into(dst, src, len, key);
    if (n < len)
        ((PyVarObject *)out)->ob_size = n;   /* expect: TS202 */
    Py_END_ALLOW_THREADS
    return out;
}

static PyMethodDef bytesops_methods[] = {
    {"checksum", checksum, METH_O, NULL},
    {"xor_bytes", xor_bytes, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef bytesops = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bytesops",
    .m_size = 0,
    .m_methods = bytesops_methods,
};

PyMODINIT_FUNC
PyInit_bytesops(void)
{
    return PyModuleDef_Init(&bytesops);
}
