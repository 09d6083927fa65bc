#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* TS102, as found in CPython 3.11.2 and 3.13.5 Modules/_ssl/debughelpers.c
   (_PySSL_keylog_callback): an OpenSSL callback takes the GIL with PyGILState_Ensure() and
   returns early without releasing it when no key log file is configured. */

typedef struct bio_st BIO;
typedef struct ssl_st SSL;
extern void *SSL_get_app_data(const SSL *ssl);
extern int BIO_printf(BIO *bio, const char *format, ...);

typedef struct {
    PyObject_HEAD
    BIO *keylog_bio;
    PyObject *keylog_filename;
} ContextObject;

typedef struct {
    PyObject_HEAD
    ContextObject *ctx;
} SocketObject;

static void
keylog_callback(const SSL *ssl, const char *line)
{
    PyGILState_STATE threadstate;
    SocketObject *ssl_obj;
    int res;

    threadstate = PyGILState_Ensure();
    ssl_obj = (SocketObject *)SSL_get_app_data(ssl);
    if (ssl_obj->ctx->keylog_bio == NULL) {
        return; /* expect: TS102 */
    }
    Py_BEGIN_ALLOW_THREADS
    res = BIO_printf(ssl_obj->ctx->keylog_bio, "%s\n", line);
    Py_END_ALLOW_THREADS
    if (res == -1)
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, ssl_obj->ctx->keylog_filename);
    PyGILState_Release(threadstate);
}
