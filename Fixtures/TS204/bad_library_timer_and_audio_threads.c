#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Libraries that run callbacks on threads of their own (Rules/model/
   library-threads.toml): SDL runs a timer callback on its timer thread, and
   PortAudio the stream callback on its audio thread. Neither thread has a
   thread state, so the C-API needs PyGILState_Ensure() first. The library
   headers are declared here as they are in SDL_timer.h and portaudio.h. */

typedef unsigned int Uint32;
typedef Uint32 (*SDL_TimerCallback)(Uint32 interval, void *param);
typedef int SDL_TimerID;
extern SDL_TimerID SDL_AddTimer(Uint32 interval, SDL_TimerCallback callback, void *param);

typedef void PaStream;
typedef int PaError;
typedef unsigned long PaSampleFormat;
typedef int PaStreamCallback(const void *input, void *output, unsigned long frameCount,
                             const void *timeInfo, unsigned long statusFlags, void *userData);
extern PaError Pa_OpenDefaultStream(PaStream **stream, int numInputChannels, int numOutputChannels,
                                    PaSampleFormat sampleFormat, double sampleRate, unsigned long framesPerBuffer,
                                    PaStreamCallback *streamCallback, void *userData);

static Uint32
on_tick(Uint32 interval, void *param)
{
    PyObject *r = PyObject_CallNoArgs((PyObject *)param);   /* expect: TS204 */
    Py_XDECREF(r);
    return interval;
}

static int
on_audio(const void *input, void *output, unsigned long frames, const void *time_info,
         unsigned long flags, void *user)
{
    PyObject *r = PyObject_CallFunction((PyObject *)user, "k", frames);   /* expect: TS204 */
    Py_XDECREF(r);
    return 0;
}

static PyObject *
start_timer(PyObject *module, PyObject *callable)
{
    Py_INCREF(callable);
    if (SDL_AddTimer(100, on_tick, callable) == 0) {
        Py_DECREF(callable);
        PyErr_SetString(PyExc_RuntimeError, "SDL_AddTimer failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
open_stream(PyObject *module, PyObject *callable)
{
    PaStream *stream;

    Py_INCREF(callable);
    if (Pa_OpenDefaultStream(&stream, 0, 2, 1, 44100.0, 256, on_audio, callable) != 0) {
        Py_DECREF(callable);
        PyErr_SetString(PyExc_RuntimeError, "Pa_OpenDefaultStream failed");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef media_methods[] = {
    {"start_timer", start_timer, METH_O, NULL},
    {"open_stream", open_stream, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};
