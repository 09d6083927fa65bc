#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: Archive_extract() releases with drop_gil() before opening
   the archive and again (copy-paste) before extracting, with no take_gil()
   in between: the second drop_gil() releases while already released
   (TS103 at that call; nothing more is reported on that path).
   Archive_list() is correct. */

#include "gil.h"

typedef struct archive archive;
extern archive *arc_open(const char *path);
extern int arc_extract_all(archive *a, const char *dest);
extern long arc_count(archive *a);
extern void arc_close(archive *a);

static PyObject *
Archive_extract(PyObject *module, PyObject *args)
{
    const char *path, *dest;
    archive *a;
    Ctx c;
    int rc;

    if (!PyArg_ParseTuple(args, "ss", &path, &dest))
        return NULL;
    drop_gil(&c);
    a = arc_open(path);
    drop_gil(&c);   /* expect: TS103 */
    rc = a == NULL ? -1 : arc_extract_all(a, dest);
    if (a != NULL)
        arc_close(a);
    take_gil(&c);
    if (rc < 0) {
        PyErr_Format(PyExc_OSError, "cannot extract %s", path);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Archive_list(PyObject *module, PyObject *args)
{
    const char *path;
    archive *a;
    long n = -1;
    Ctx c;

    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    drop_gil(&c);
    a = arc_open(path);
    if (a != NULL) {
        n = arc_count(a);
        arc_close(a);
    }
    take_gil(&c);
    if (n < 0) {
        PyErr_Format(PyExc_OSError, "cannot read %s", path);
        return NULL;
    }
    return PyLong_FromLong(n);
}

static PyMethodDef archive_methods[] = {
    {"extract", Archive_extract, METH_VARARGS, NULL},
    {"list", Archive_list, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
