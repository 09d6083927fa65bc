#ifndef GIL_GUARD_H
#define GIL_GUARD_H

#include <Python.h>

/* Release/re-acquire helpers keeping the saved thread state in a struct
   (guard.c). guard_release() detaches on every path; guard_acquire()
   re-attaches the state it saved. */
typedef struct {
    PyThreadState *save;
} gil_guard;

void guard_release(gil_guard *g);
void guard_acquire(gil_guard *g);

#endif
