#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Recursive helpers:
   - tree_flatten() / flatten_children() are mutually recursive and use
     the C-API throughout; they are only ever called attached (from
     module.c and from each other);
   - scan_tree() recurses into sub-directories; around each blocking
     directory read it releases with Py_BEGIN_ALLOW_THREADS and re-attaches
     with Py_END_ALLOW_THREADS before building Python objects and before
     the recursive call, so every level is balanced. */

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include "tree.h"

#define MAX_DEPTH 64

static int flatten_children(PyObject *seq, PyObject *out, int depth);

int
tree_flatten(PyObject *node, PyObject *out, int depth)
{
    if (depth > MAX_DEPTH) {
        PyErr_SetString(PyExc_RecursionError, "tree too deep");
        return -1;
    }
    if (PyList_Check(node) || PyTuple_Check(node))
        return flatten_children(node, out, depth + 1);
    return PyList_Append(out, node);
}

static int
flatten_children(PyObject *seq, PyObject *out, int depth)
{
    PyObject *fast = PySequence_Fast(seq, "expected a sequence");
    Py_ssize_t i, n;
    int rc = 0;

    if (fast == NULL)
        return -1;
    n = PySequence_Fast_GET_SIZE(fast);
    for (i = 0; i < n && rc == 0; i++)
        rc = tree_flatten(PySequence_Fast_GET_ITEM(fast, i), out, depth);
    Py_DECREF(fast);
    return rc;
}

int
scan_tree(const char *path, PyObject *out, int depth)
{
    DIR *d;
    struct dirent *ent;
    char child[4096];
    int is_dir;

    if (depth > MAX_DEPTH)
        return 0;
    Py_BEGIN_ALLOW_THREADS
    d = opendir(path);
    Py_END_ALLOW_THREADS
    if (d == NULL) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        return -1;
    }
    for (;;) {
        struct stat st;
        PyObject *name;

        Py_BEGIN_ALLOW_THREADS
        ent = readdir(d);
        is_dir = 0;
        if (ent != NULL) {
            snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
            is_dir = stat(child, &st) == 0 && S_ISDIR(st.st_mode)
                     && strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0;
        }
        Py_END_ALLOW_THREADS
        if (ent == NULL)
            break;
        name = PyUnicode_DecodeFSDefault(child);
        if (name == NULL || PyList_Append(out, name) < 0) {
            Py_XDECREF(name);
            closedir(d);
            return -1;
        }
        Py_DECREF(name);
        if (is_dir && scan_tree(child, out, depth + 1) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}
