#ifndef STORE_H
#define STORE_H

#include <Python.h>

typedef struct kv_file kv_file;

typedef struct {
    PyObject_HEAD
    kv_file *file;
    long retries;
    unsigned long crc;
    char last_key[128];
} StoreObject;

int store_sync(StoreObject *s);

#endif
