#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Clean: C-library callbacks (not Python entry points) that run while the
   calling method has its thread state saved in self->ts: each does
   PyEval_RestoreThread(self->ts) ... self->ts = PyEval_SaveThread() on
   every path, including an early exit taken before re-attaching.
   Player_run saves into the same field around the blocking library call
   and restores from it afterwards. */

typedef struct player player;
typedef int (*frame_fn)(void *user, const unsigned char *data, size_t len);
typedef int (*eos_fn)(void *user);
extern int player_run(player *p, frame_fn on_frame, eos_fn on_eos, void *user);

typedef struct {
    PyObject_HEAD
    player *p;
    PyObject *on_frame;
    PyObject *on_eos;
    PyThreadState *ts;
} PlayerObject;

static int
frame_cb(void *user, const unsigned char *data, size_t len)
{
    PlayerObject *self = (PlayerObject *)user;
    PyObject *r;
    int rc = 0;

    PyEval_RestoreThread(self->ts);
    r = PyObject_CallFunction(self->on_frame, "y#", data, (Py_ssize_t)len);
    if (r == NULL) {
        rc = -1;
    }
    else {
        if (r == Py_False)
            rc = 1;
        Py_DECREF(r);
    }
    self->ts = PyEval_SaveThread();
    return rc;
}

static int
eos_cb(void *user)
{
    PlayerObject *self = (PlayerObject *)user;
    PyObject *r;

    if (self->on_eos == NULL)
        return 0;
    PyEval_RestoreThread(self->ts);
    r = PyObject_CallNoArgs(self->on_eos);
    if (r == NULL) {
        self->ts = PyEval_SaveThread();
        return -1;
    }
    Py_DECREF(r);
    self->ts = PyEval_SaveThread();
    return 0;
}

static PyObject *
Player_run(PlayerObject *self, PyObject *Py_UNUSED(ignored))
{
    int rc;

    self->ts = PyEval_SaveThread();
    rc = player_run(self->p, frame_cb, eos_cb, self);
    PyEval_RestoreThread(self->ts);
    self->ts = NULL;
    if (rc < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "playback failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Player_methods[] = {
    {"run", (PyCFunction)Player_run, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Player_slots[] = {
    {Py_tp_methods, Player_methods},
    {0, NULL}
};

static PyType_Spec Player_spec = {
    .name = "media.Player",
    .basicsize = sizeof(PlayerObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Player_slots,
};

static int
media_exec(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Player_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot media_slots[] = {
    {Py_mod_exec, media_exec},
    {0, NULL}
};

static struct PyModuleDef media = {
    PyModuleDef_HEAD_INIT,
    .m_name = "media",
    .m_size = 0,
    .m_slots = media_slots,
};

PyMODINIT_FUNC
PyInit_media(void)
{
    return PyModuleDef_Init(&media);
}
