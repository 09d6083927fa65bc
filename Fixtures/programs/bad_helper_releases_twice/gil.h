#ifndef GILCTX_H
#define GILCTX_H

#include <Python.h>

typedef struct {
    PyThreadState *save;
    int depth;
} Ctx;

void drop_gil(Ctx *c);
void take_gil(Ctx *c);

#endif
