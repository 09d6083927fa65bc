#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Release/re-acquire helpers keeping the saved thread state in the
   caller's Ctx (drop_gil detaches on every path, take_gil re-attaches). */

#include "gil.h"

void
drop_gil(Ctx *c)
{
    c->save = PyEval_SaveThread();
}

void
take_gil(Ctx *c)
{
    PyEval_RestoreThread(c->save);
}
