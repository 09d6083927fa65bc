#include <Python.h>

/* Multi-phase, no Py_mod_multiple_interpreters slot: supported by default, so every
   interpreter that imports it shares these. */
static PyObject *ParserError; /* expect: TS402 */
static PyObject *interned_names[8]; /* expect: TS402 */
static struct {
    int calls;
    PyObject *last_result; /* the field that makes the struct state */
} stats; /* expect: TS402 */
PyTypeObject *NodeType; /* expect: TS402 */
static const char *const keywords[] = {"text", "strict", NULL};

static PyObject *
parse(PyObject *module, PyObject *text)
{
    static PyObject *empty_tuple; /* expect: TS402 */
    if (empty_tuple == NULL) {
        empty_tuple = PyTuple_New(0);
        if (empty_tuple == NULL)
            return NULL;
    }
    stats.calls++;
    Py_XSETREF(stats.last_result, Py_NewRef(text));
    PyErr_SetString(ParserError, keywords[0]);
    return NULL;
}

static int
exec_module(PyObject *module)
{
    ParserError = PyErr_NewException("parser.ParserError", NULL, NULL);
    return ParserError == NULL ? -1 : PyModule_AddObjectRef(module, "ParserError", ParserError);
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef parser_module = {
    PyModuleDef_HEAD_INIT, .m_name = "parser", .m_size = 0, .m_methods = methods, .m_slots = slots,
};

PyMODINIT_FUNC
PyInit_parser(void)
{
    return PyModuleDef_Init(&parser_module);
}
