#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Interpreter-switching helpers: enter_sub() leaves the sub-interpreter's
   thread state current on every path (on purpose; not reported itself). */

#include "subinterp.h"

PyThreadState *
enter_sub(sub_ctx *ctx)
{
    return PyThreadState_Swap(ctx->tstate);
}

void
leave_sub(sub_ctx *ctx, PyThreadState *prev)
{
    PyThreadState *mine = PyThreadState_Swap(prev);
    ctx->tstate = mine;
}
