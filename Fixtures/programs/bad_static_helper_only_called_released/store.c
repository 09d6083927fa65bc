#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* store_sync() (called attached from module.c) retries a flush inside its
   own released region and calls the static note_retry() there, its only
   call site: note_retry() is analysed as entered with no thread state and
   its C-API call is reported inside it (TS201), not at the call (no
   TS203). */

#include "store.h"

extern int kv_flush(kv_file *f);

static void
note_retry(StoreObject *s, int attempt)
{
    s->retries++;
    if (s->on_retry != NULL) {
        PyObject *r = PyObject_CallFunction(s->on_retry, "i", attempt);   /* expect: TS201 */
        Py_XDECREF(r);
    }
}

int
store_sync(StoreObject *s)
{
    int rc, attempt = 0;

    Py_BEGIN_ALLOW_THREADS
    while ((rc = kv_flush(s->file)) == 1 && attempt < 3) {
        attempt++;
        note_retry(s, attempt);
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_OSError, "flush failed");
        return -1;
    }
    return 0;
}
