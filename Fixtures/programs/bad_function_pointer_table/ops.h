#ifndef OPS_H
#define OPS_H

#include <Python.h>

/* A table of checks (ops.c), indexed by a check code. */
struct ops {
    const char *name;
    int (*run)(PyObject *);
};

extern const struct ops table[];
extern const size_t table_len;

#endif
