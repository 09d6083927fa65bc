#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS101 in helpers (not Python entry points; entry state inferred as
   attached because PyEval_SaveThread comes first):
   - stream_write_all: the error path returns without restoring, while the
     other path through the same PyEval_SaveThread restores;
   - stream_sync: the saved thread state lives only in a local that dies,
     on every path (a lost thread state, not a wrapper).
   stream_release / stream_reacquire are wrappers that keep the token in the
   object and must stay silent. */

#include <errno.h>
#include <unistd.h>

typedef struct {
    PyObject_HEAD
    int fd;
    PyThreadState *saved;
} StreamObject;

int
stream_write_all(StreamObject *self, const char *buf, size_t len)
{
    PyThreadState *ts = PyEval_SaveThread();

    while (len > 0) {
        ssize_t n = write(self->fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;   /* expect: TS101 */
        }
        buf += n;
        len -= (size_t)n;
    }
    PyEval_RestoreThread(ts);
    return 0;
}

int
stream_sync(StreamObject *self)
{
    PyThreadState *ts = PyEval_SaveThread();
    int rc = fsync(self->fd);
    return rc;   /* expect: TS101 */
}

void
stream_release(StreamObject *self)
{
    self->saved = PyEval_SaveThread();
}

void
stream_reacquire(StreamObject *self)
{
    PyEval_RestoreThread(self->saved);
    self->saved = NULL;
}
