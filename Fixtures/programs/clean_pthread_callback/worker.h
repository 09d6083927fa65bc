#ifndef WORKER_H
#define WORKER_H

#include <Python.h>

/* A download job run on a pthread (worker.c); module.c starts it. */
typedef struct {
    char url[512];
    PyObject *on_done;     /* callable(status, body) */
    int status;
    char *body;
    size_t body_len;
} download_job;

void *download_thread(void *arg);

#endif
