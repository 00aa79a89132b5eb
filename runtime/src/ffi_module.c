/* The builtin module _pinnace_ffi (registered before Py_Initialize; wrapped by pinnace.ffi). */
#include "ffi.h"

PyObject *ffi_jsnull = NULL;
PyObject *ffi_js_exception = NULL;
PyObject *ffi_await_js = NULL;
PyObject *ffi_describe_exc = NULL;

EM_JS(PyObject *, js_to_js, (PyObject *obj, int depth, PyObject *dict_conv, PyObject *default_conv),
      { return Module._ffi.toJsFromPython(obj, depth, dict_conv, default_conv); });
EM_JS(PyObject *, js_create_proxy, (PyObject *obj, int once),
      { return Module._ffi.createProxy(obj, once); });
EM_JS(PyObject *, js_global, (void), { return Module._ffi.globalThis(); });
EM_JS(PyObject *, js_bridge, (void), { return Module._ffi.bridgeApi(); });
EM_JS(int, js_handle_count, (void), { return Module._ffi.handleCount(); });

static PyObject *ffi_to_js(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {"obj", "depth", "dict_converter", "default_converter", NULL};
    PyObject *obj, *dict_conv = NULL, *default_conv = NULL;
    int depth = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$iOO", names, &obj, &depth, &dict_conv,
                                     &default_conv)) {
        return NULL;
    }
    return js_to_js(obj, depth, dict_conv == Py_None ? NULL : dict_conv,
                    default_conv == Py_None ? NULL : default_conv);
}

static PyObject *ffi_create_proxy(PyObject *mod, PyObject *obj)
{
    return js_create_proxy(obj, 0);
}

static PyObject *ffi_create_once_callable(PyObject *mod, PyObject *obj)
{
    if (!PyCallable_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "create_once_callable() needs a callable, not %T", obj);
        return NULL;
    }
    return js_create_proxy(obj, 1);
}

static PyObject *ffi_global(PyObject *mod, PyObject *unused)
{
    return js_global();
}

static PyObject *ffi_bridge(PyObject *mod, PyObject *unused)
{
    return js_bridge();
}

static PyObject *ffi_handle_count(PyObject *mod, PyObject *unused)
{
    return PyLong_FromLong(js_handle_count());
}

/* CPython's own (non-periodic) read of the interrupt buffer (Python/emscripten_signal.c). */
extern void _Py_CheckEmscriptenSignals(void);

/* check_interrupt(): take a signal the host wrote into the interrupt buffer now, and run its
 * Python handler (pinnace.loop calls this when the host has it run its callbacks, so that an
 * interrupt that came while Python was awaiting is seen at once, not some bytecodes later). */
static PyObject *ffi_check_interrupt(PyObject *mod, PyObject *unused)
{
    _Py_CheckEmscriptenSignals();
    if (PyErr_CheckSignals() < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* _install(jsnull, JsException, await_js, describe_exception): hooks from pinnace.ffi. */
static PyObject *ffi_install(PyObject *mod, PyObject *args)
{
    PyObject *a, *b, *c, *d;
    if (!PyArg_ParseTuple(args, "OOOO", &a, &b, &c, &d)) {
        return NULL;
    }
    Py_XSETREF(ffi_jsnull, Py_NewRef(a));
    Py_XSETREF(ffi_js_exception, Py_NewRef(b));
    Py_XSETREF(ffi_await_js, Py_NewRef(c));
    Py_XSETREF(ffi_describe_exc, Py_NewRef(d));
    Py_RETURN_NONE;
}

static PyMethodDef ffi_methods[] = {
    {"to_js", (PyCFunction)(void (*)(void))ffi_to_js, METH_VARARGS | METH_KEYWORDS, NULL},
    {"create_proxy", ffi_create_proxy, METH_O, NULL},
    {"create_once_callable", ffi_create_once_callable, METH_O, NULL},
    {"global_this", ffi_global, METH_NOARGS, NULL},
    {"bridge", ffi_bridge, METH_NOARGS, NULL},
    {"handle_count", ffi_handle_count, METH_NOARGS, NULL},
    {"check_interrupt", ffi_check_interrupt, METH_NOARGS, NULL},
    {"_install", ffi_install, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ffi_module = {
    PyModuleDef_HEAD_INIT, "_pinnace_ffi", "The C part of pinnace.ffi.", -1, ffi_methods,
};

PyMODINIT_FUNC PyInit__pinnace_ffi(void)
{
    if (PyType_Ready(&JsProxy_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&ffi_module);
    if (m != NULL && PyModule_AddObjectRef(m, "JsProxy", (PyObject *)&JsProxy_Type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
