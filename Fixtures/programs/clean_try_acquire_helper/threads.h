#ifndef CURLTHREADS_H
#define CURLTHREADS_H

#include <Python.h>

/* pycurl-style: the object keeps the thread state saved while a transfer
   runs (NULL when no transfer is running). */
typedef struct {
    PyObject_HEAD
    PyThreadState *ts;
    void *handle;
    PyObject *on_data;
    PyObject *chunks;   /* list */
} Obj;

int acquire_thread(Obj *o, PyThreadState **out);
void release_thread(PyThreadState *ts);

#endif
