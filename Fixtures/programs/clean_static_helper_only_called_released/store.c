#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* store_sync() (called attached from module.c) retries a flush inside its
   own released region; the static note_retry() called there only does C
   work (a counter and a back-off computed in plain C). */

#include <unistd.h>
#include "store.h"

extern int kv_flush(kv_file *f);

static unsigned
note_retry(StoreObject *s, int attempt)
{
    s->retries++;
    return 1000u << (attempt < 10 ? attempt : 10);
}

int
store_sync(StoreObject *s)
{
    int rc, attempt = 0;

    Py_BEGIN_ALLOW_THREADS
    while ((rc = kv_flush(s->file)) == 1 && attempt < 3) {
        attempt++;
        usleep(note_retry(s, attempt));
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_OSError, "flush failed");
        return -1;
    }
    return 0;
}
