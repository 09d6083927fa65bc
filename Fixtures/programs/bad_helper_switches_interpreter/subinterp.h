#ifndef SUBINTERP_H
#define SUBINTERP_H

#include <Python.h>

/* A sub-interpreter kept alive by the module; its thread state lives in
   the struct. enter_sub() makes it current and returns the thread state
   it replaced; leave_sub() switches back to that one. */
typedef struct {
    PyThreadState *tstate;
    PyObject *globals;
} sub_ctx;

PyThreadState *enter_sub(sub_ctx *ctx);
void leave_sub(sub_ctx *ctx, PyThreadState *prev);

#endif
