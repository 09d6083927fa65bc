#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Program case: the guard_release()/guard_acquire() helpers of guard.c
   used wrongly from Python methods:
   - Cam_capture returns on the timeout path between guard_release() and
     guard_acquire(): the method exits detached (TS101 at that return);
   - Cam_stop calls guard_acquire() on the error path and then again after
     the branch: the second call attaches while attached (TS104 at it).
   Cam_start is correct. */

#include "guard.h"

typedef struct camera camera;
extern int cam_wait_frame(camera *c, int timeout_ms);
extern long cam_copy_frame(camera *c, void *dst, size_t cap);
extern int cam_start(camera *c);
extern int cam_stop(camera *c);

typedef struct {
    PyObject_HEAD
    camera *cam;
    int timeout_ms;
} CameraObject;

static PyObject *
Cam_capture(CameraObject *self, PyObject *arg)
{
    Py_ssize_t cap = PyLong_AsSsize_t(arg);
    PyObject *frame;
    char *dst;
    gil_guard g;
    long n;

    if (cap < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "negative size");
    frame = PyBytes_FromStringAndSize(NULL, cap);
    if (frame == NULL)
        return NULL;
    dst = PyBytes_AS_STRING(frame);
    guard_release(&g);
    if (cam_wait_frame(self->cam, self->timeout_ms) <= 0)
        return NULL;   /* expect: TS101 */
    n = cam_copy_frame(self->cam, dst, (size_t)cap);
    guard_acquire(&g);
    if (n < 0) {
        Py_DECREF(frame);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (_PyBytes_Resize(&frame, n) < 0)
        return NULL;
    return frame;
}

static PyObject *
Cam_start(CameraObject *self, PyObject *Py_UNUSED(ignored))
{
    gil_guard g;
    int rc;

    guard_release(&g);
    rc = cam_start(self->cam);
    guard_acquire(&g);
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError, "cannot start capture");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Cam_stop(CameraObject *self, PyObject *Py_UNUSED(ignored))
{
    gil_guard g;
    int rc;

    guard_release(&g);
    rc = cam_stop(self->cam);
    if (rc < 0) {
        guard_acquire(&g);
        PyErr_SetString(PyExc_OSError, "cannot stop capture");
    }
    guard_acquire(&g);   /* expect: TS104 */
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef Camera_methods[] = {
    {"capture", (PyCFunction)Cam_capture, METH_O, NULL},
    {"start", (PyCFunction)Cam_start, METH_NOARGS, NULL},
    {"stop", (PyCFunction)Cam_stop, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Camera_slots[] = {
    {Py_tp_methods, Camera_methods},
    {0, NULL}
};

static PyType_Spec Camera_spec = {
    .name = "camera.Camera",
    .basicsize = sizeof(CameraObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Camera_slots,
};
