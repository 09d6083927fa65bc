#ifndef STORE_H
#define STORE_H

#include <Python.h>

typedef struct kv_file kv_file;

typedef struct {
    PyObject_HEAD
    kv_file *file;
    PyObject *on_retry;   /* callable or NULL */
    long retries;
    PyObject *cached;     /* last value read, or NULL */
    long generation;
} StoreObject;

int store_sync(StoreObject *s);

#endif
