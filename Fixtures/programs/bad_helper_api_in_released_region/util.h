#ifndef IMGUTIL_H
#define IMGUTIL_H

#include <Python.h>

/* Helpers shared by the module (util.c). All of them use the C-API. */
int img_set_error(int code, const char *where);
void img_drop_ref(PyObject **slot);
int img_notify(PyObject *callback, Py_ssize_t done, Py_ssize_t total);

#endif
