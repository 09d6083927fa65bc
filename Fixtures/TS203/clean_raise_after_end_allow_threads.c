#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: C-API helpers called only with the thread state attached. The
   released regions keep a status code (and errno) and the error helpers
   run after Py_END_ALLOW_THREADS, or under Py_BLOCK_THREADS inside the
   region (a per-block progress callback in a dbm-style bulk loader). */

#include <errno.h>
#include <string.h>

typedef struct kv_db kv_db;
extern int kv_put(kv_db *db, const char *k, size_t kl, const char *v, size_t vl);
extern int kv_sync(kv_db *db);
extern const char *kv_strerror(int code);

typedef struct {
    PyObject_HEAD
    kv_db *db;
    PyObject *on_block;
} DbObject;

static PyObject *
raise_kv_error(int code, int saved_errno)
{
    if (code == -1 && saved_errno != 0) {
        errno = saved_errno;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    PyErr_SetString(PyExc_RuntimeError, kv_strerror(code));
    return NULL;
}

static int
notify_block(DbObject *self, Py_ssize_t count)
{
    PyObject *r;

    if (self->on_block == NULL)
        return 0;
    r = PyObject_CallFunction(self->on_block, "n", count);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *
Db_sync(DbObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc, err = 0;

    Py_BEGIN_ALLOW_THREADS
    rc = kv_sync(self->db);
    if (rc != 0)
        err = errno;
    Py_END_ALLOW_THREADS
    if (rc != 0)
        return raise_kv_error(rc, err);
    Py_RETURN_NONE;
}

static PyObject *
Db_load(DbObject *self, PyObject *args)
{
    const char **keys, **vals;
    PyObject *items, *fast;
    Py_ssize_t n, i;
    int rc = 0, cb = 0;

    if (!PyArg_ParseTuple(args, "O", &items))
        return NULL;
    fast = PySequence_Fast(items, "expected a sequence of pairs");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    keys = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    vals = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    if (keys == NULL || vals == NULL) {
        PyMem_Free(keys);
        PyMem_Free(vals);
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    for (i = 0; i < n; i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyArg_ParseTuple(pair, "ss", &keys[i], &vals[i])) {
            rc = -2;
            break;
        }
    }
    if (rc == 0) {
        Py_BEGIN_ALLOW_THREADS
        for (i = 0; i < n && rc == 0; i++) {
            rc = kv_put(self->db, keys[i], strlen(keys[i]), vals[i], strlen(vals[i]));
            if (rc == 0 && (i + 1) % 1024 == 0) {
                Py_BLOCK_THREADS
                cb = notify_block(self, i + 1);
                Py_UNBLOCK_THREADS
                if (cb < 0)
                    break;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyMem_Free(keys);
    PyMem_Free(vals);
    Py_DECREF(fast);
    if (rc == -2 || cb < 0)
        return NULL;
    if (rc != 0)
        return raise_kv_error(rc, 0);
    Py_RETURN_NONE;
}

static PyMethodDef Db_methods[] = {
    {"sync", (PyCFunction)Db_sync, METH_NOARGS, NULL},
    {"load", (PyCFunction)Db_load, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
