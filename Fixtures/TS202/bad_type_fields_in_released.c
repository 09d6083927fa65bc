#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS202: fields of a PyTypeObject (tp_name, tp_flags) read while detached,
   through a pointer obtained before the release. */

extern void audit_log(const char *what, const void *ptr);

static PyObject *
audit(PyObject *module, PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    char line[256];

    Py_BEGIN_ALLOW_THREADS
    PyOS_snprintf(line, sizeof line, "<%s at %p>", tp->tp_name, (void *)obj);   /* expect: TS202 */
    audit_log(line, obj);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
audit_if_heap(PyObject *module, PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    const char *name = tp->tp_name;
    int heap;

    Py_BEGIN_ALLOW_THREADS
    heap = (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) != 0;   /* expect: TS202 */
    if (heap)
        audit_log(name, obj);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(heap);
}

static PyObject *
audit_ok(PyObject *module, PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    const char *name = tp->tp_name;
    int heap = (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) != 0;

    Py_BEGIN_ALLOW_THREADS
    if (heap)
        audit_log(name, obj);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(heap);
}

static PyMethodDef auditmod_methods[] = {
    {"audit", audit, METH_O, NULL},
    {"audit_if_heap", audit_if_heap, METH_O, NULL},
    {"audit_ok", audit_ok, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef auditmod = {
    PyModuleDef_HEAD_INIT,
    .m_name = "auditmod",
    .m_size = 0,
    .m_methods = auditmod_methods,
};

PyMODINIT_FUNC
PyInit_auditmod(void)
{
    return PyModuleDef_Init(&auditmod);
}
