#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Try-acquire helpers (pycurl's pycurl_acquire_thread /
   pycurl_release_thread): acquire_thread() returns 0 without attaching
   when the object has no saved thread state, else attaches it and
   returns 1; release_thread() detaches it again. */

#include "threads.h"

int
acquire_thread(Obj *o, PyThreadState **out)
{
    if (o->ts == NULL)
        return 0;
    PyEval_AcquireThread(o->ts);
    *out = o->ts;
    return 1;
}

void
release_thread(PyThreadState *ts)
{
    PyEval_ReleaseThread(ts);
}
