#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: python-ldap's LDAP_BEGIN/END_ALLOW_THREADS macros keep the saved
   thread state in the object (through a block-local alias `lo`) instead
   of a local, with a Py_FatalError() guard against saving twice; the END
   macro reloads it from the field and restores it. The token is stored,
   not lost, and the thread state restored is the one saved. */

typedef struct ldap_handle LDAP;
typedef struct ldap_control LDAPControl;
extern int ldap_unbind_ext(LDAP *ld, LDAPControl **sctrls, LDAPControl **cctrls);
extern int ldap_whoami_s(LDAP *ld, char **authzid);
extern void ldap_memfree(void *p);
extern const char *ldap_err2string(int err);

#define LDAP_SUCCESS 0

typedef struct {
    PyObject_HEAD
    LDAP *ldap;
    PyThreadState *_save;
    int valid;
} LDAPObject;

#define LDAP_BEGIN_ALLOW_THREADS( l )                                   \
	{                                                               \
	  LDAPObject *lo = (l);                                         \
	  if (lo->_save != NULL)                                        \
	  	Py_FatalError( "saving thread twice?" );                \
	  lo->_save = PyEval_SaveThread();                              \
	}

#define LDAP_END_ALLOW_THREADS( l )                                     \
	{                                                               \
	  LDAPObject *lo = (l);                                         \
	  PyThreadState *_save = lo->_save;                               \
	  lo->_save = NULL;                                             \
	  PyEval_RestoreThread( _save );                                \
	}

static PyObject *
l_ldap_unbind_ext(LDAPObject *self, PyObject *Py_UNUSED(ignored))
{
    int ldaperror;

    LDAP_BEGIN_ALLOW_THREADS(self);
    ldaperror = ldap_unbind_ext(self->ldap, NULL, NULL);
    LDAP_END_ALLOW_THREADS(self);

    if (ldaperror != LDAP_SUCCESS) {
        PyErr_SetString(PyExc_RuntimeError, ldap_err2string(ldaperror));
        return NULL;
    }
    self->valid = 0;
    Py_RETURN_NONE;
}

static PyObject *
l_ldap_whoami_s(LDAPObject *self, PyObject *Py_UNUSED(ignored))
{
    char *authzid = NULL;
    PyObject *result;
    int ldaperror;

    LDAP_BEGIN_ALLOW_THREADS(self);
    ldaperror = ldap_whoami_s(self->ldap, &authzid);
    LDAP_END_ALLOW_THREADS(self);

    if (ldaperror != LDAP_SUCCESS) {
        PyErr_SetString(PyExc_RuntimeError, ldap_err2string(ldaperror));
        return NULL;
    }
    result = PyUnicode_FromString(authzid ? authzid : "");
    ldap_memfree(authzid);
    return result;
}

static PyMethodDef LDAP_methods[] = {
    {"unbind_ext", (PyCFunction)l_ldap_unbind_ext, METH_NOARGS, NULL},
    {"whoami_s", (PyCFunction)l_ldap_whoami_s, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot LDAP_slots[] = {
    {Py_tp_methods, LDAP_methods},
    {0, NULL}
};

static PyType_Spec LDAP_spec = {
    .name = "ldaplite.LDAPObject",
    .basicsize = sizeof(LDAPObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = LDAP_slots,
};

static int
ldaplite_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &LDAP_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot ldaplite_slots[] = {
    {Py_mod_exec, ldaplite_exec},
    {0, NULL}
};

static struct PyModuleDef ldaplite = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ldaplite",
    .m_size = 0,
    .m_slots = ldaplite_slots,
};

PyMODINIT_FUNC
PyInit_ldaplite(void)
{
    return PyModuleDef_Init(&ldaplite);
}
