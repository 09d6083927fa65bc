#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Release/re-acquire helpers: the saved thread state is kept in the guard
   the caller passes, so neither helper is reported on its own. */

#include "guard.h"

void
guard_release(gil_guard *g)
{
    g->save = PyEval_SaveThread();
}

void
guard_acquire(gil_guard *g)
{
    PyEval_RestoreThread(g->save);
}
