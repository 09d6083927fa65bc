#ifndef TREE_H
#define TREE_H

#include <Python.h>

/* tree.c: recursive walks. */
int tree_flatten(PyObject *node, PyObject *out, int depth);
int scan_tree(const char *path, PyObject *out, int depth);

#endif
