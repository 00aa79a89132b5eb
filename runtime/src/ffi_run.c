/* Errors across the boundary, and the entry points of the JS side's runPython & co. */
#include "ffi.h"

/* The pending Python exception (a new reference), cleared; NULL if there is none. */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_take_error(void) { return PyErr_GetRaisedException(); }

/* "TypeName\nformatted traceback (user frames only)" as a str, or NULL. */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_describe(PyObject *exc)
{
    if (ffi_describe_exc == NULL) {
        return PyUnicode_FromFormat("%s\n%S", Py_TYPE(exc)->tp_name, exc);
    }
    PyObject *r = PyObject_CallOneArg(ffi_describe_exc, exc);
    if (r == NULL) { /* never hide the original error behind a formatting failure */
        PyErr_Clear();
        return PyUnicode_FromFormat("%s\n%s: <the traceback could not be formatted>\n",
                                    Py_TYPE(exc)->tp_name, Py_TYPE(exc)->tp_name);
    }
    return r;
}

/* If exc is a JsException wrapping a JS value, the handle id of that value, else 0. */
EMSCRIPTEN_KEEPALIVE int pinnace_js_error_id(PyObject *exc)
{
    if (ffi_js_exception == NULL || !PyObject_TypeCheck(exc, (PyTypeObject *)ffi_js_exception)) {
        return 0;
    }
    PyObject *js = PyObject_GetAttrString(exc, "js_error");
    if (js == NULL) {
        PyErr_Clear();
        return 0;
    }
    int id = JsProxy_Check(js) ? ((JsProxyObject *)js)->id : 0;
    Py_DECREF(js);
    return id;
}

/* Re-raise a Python exception that came back from JS (kept by a PythonError). */
EMSCRIPTEN_KEEPALIVE void pinnace_restore_error(PyObject *exc)
{
    PyErr_SetRaisedException(Py_NewRef(exc));
}

/* Raise JsException wrapping the JS value with handle id (the reference is taken over). */
EMSCRIPTEN_KEEPALIVE void pinnace_raise_js(int id)
{
    PyObject *proxy = jsproxy_new(id, 0);
    if (proxy == NULL) {
        return;
    }
    if (ffi_js_exception == NULL) {
        PyErr_Format(PyExc_RuntimeError, "a JS exception: %R", proxy);
        Py_DECREF(proxy);
        return;
    }
    PyObject *exc = PyObject_CallOneArg(ffi_js_exception, proxy);
    Py_DECREF(proxy);
    if (exc != NULL) {
        PyErr_SetRaisedException(exc);
    }
}

/* Raise a Python exception of a builtin kind (enum ffi_error_kind). */
EMSCRIPTEN_KEEPALIVE void pinnace_set_error(int kind, const char *message)
{
    PyObject *types[ERROR_KINDS] = {
        [ERROR_TYPE] = PyExc_TypeError, [ERROR_VALUE] = PyExc_ValueError,
        [ERROR_RUNTIME] = PyExc_RuntimeError,
    };
    PyErr_SetString(types[kind >= 0 && kind < ERROR_KINDS ? kind : ERROR_RUNTIME], message);
}

static PyObject *run_module = NULL;

static PyObject *run_func(const char *name)
{
    if (run_module == NULL) {
        run_module = PyImport_ImportModule("pinnace._run");
        if (run_module == NULL) {
            return NULL;
        }
    }
    return PyObject_GetAttrString(run_module, name);
}

static PyObject *call_run(const char *func, const char *code, const char *filename, PyObject *globals)
{
    PyObject *f = run_func(func);
    if (f == NULL) {
        return NULL;
    }
    PyObject *r = PyObject_CallFunction(f, "ssO", code, filename, globals ? globals : Py_None);
    Py_DECREF(f);
    return r;
}

/* runPython: the value of the trailing expression (new reference), or NULL with the error set. */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_run_ffi(const char *code, const char *filename, PyObject *globals)
{
    return call_run("run", code, filename, globals);
}

/* runPythonAsync: an asyncio future of the value, or NULL. */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_run_async(const char *code, const char *filename, PyObject *globals)
{
    return call_run("run_async", code, filename, globals);
}

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_import(const char *name) { return PyImport_ImportModule(name); }

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_main_dict(void)
{
    PyObject *main = PyImport_AddModule("__main__"); /* borrowed */
    return main ? Py_NewRef(PyModule_GetDict(main)) : NULL;
}

/* registerJsModule: sys.modules[name] = JsProxy(handle id). */
EMSCRIPTEN_KEEPALIVE int pinnace_register_js_module(const char *name, int id)
{
    PyObject *proxy = jsproxy_new(id, 0);
    if (proxy == NULL) {
        return -1;
    }
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    int r = PyDict_SetItemString(modules, name, proxy);
    Py_DECREF(proxy);
    return r;
}
