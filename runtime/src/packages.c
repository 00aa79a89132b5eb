/* _pinnace_packages: the narrow bridge from Python's package code to the JS loader.
 *
 * call(op, arg) -> str forwards to Module.pinnacePackages.call(op, arg), an object the loader
 * installs (loader-js/src/packages.ts).  Strings cross as UTF-8; a JS exception comes back as
 * OSError carrying the loader's message (which names the package and URL).
 *
 * suspend(op, arg) -> str | None does the same for an operation that needs to wait (a download
 * on a browser's main thread): its import, pinnace_packages_js_suspend, is replaced by the
 * loader at instantiation with a JSPI-suspending one (loader-js/src/jspi.ts), so the wasm stack
 * suspends until the loader's promise settles.  None means it could not suspend here (no JSPI,
 * or Python was entered synchronously from JS).  It is deliberately tiny and self-contained so
 * that the general FFI can replace it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>
#include <stdlib.h>

/* Returns a malloc'd string: "o" + result, or "e" + error message. */
EM_JS(char *, pinnace_packages_js_call, (const char *op, const char *arg), {
    let out;
    try {
        const bridge = Module["pinnacePackages"];
        if (!bridge) {
            throw new Error("the Pinnace loader has not installed its package manager");
        }
        out = "o" + bridge.call(UTF8ToString(op), UTF8ToString(arg));
    } catch (e) {
        out = "e" + ((e && e.message) || String(e));
    }
    return stringToNewUTF8(out);
});

/* Without JSPI: 0, "could not suspend".  The loader replaces this import (see above). */
EM_JS(char *, pinnace_packages_js_suspend, (const char *op, const char *arg), { return 0; });

/* The result string of the loader ("o" + result, or "e" + error message) as str / OSError. */
static PyObject *packages_result(char *out)
{
    PyObject *text = PyUnicode_FromString(out + 1);
    if (text != NULL && out[0] == 'e') {
        PyErr_SetObject(PyExc_OSError, text);
        Py_CLEAR(text);
    }
    free(out);
    return text;
}

static PyObject *packages_call(PyObject *self, PyObject *args)
{
    const char *op, *arg;
    if (!PyArg_ParseTuple(args, "ss:call", &op, &arg)) {
        return NULL;
    }
    char *out = pinnace_packages_js_call(op, arg);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    return packages_result(out);
}

static PyObject *packages_suspend(PyObject *self, PyObject *args)
{
    const char *op, *arg;
    if (!PyArg_ParseTuple(args, "ss:suspend", &op, &arg)) {
        return NULL;
    }
    char *out = pinnace_packages_js_suspend(op, arg);
    /* Running (again): let the loader lift its guard on entries into Python. */
    free(pinnace_packages_js_call("resumed", ""));
    if (out == NULL) {
        Py_RETURN_NONE;
    }
    return packages_result(out);
}

static PyMethodDef packages_methods[] = {
    {"call", packages_call, METH_VARARGS,
     "call(op, arg) -> str: ask the JS loader's package manager (see pinnace._packages)."},
    {"suspend", packages_suspend, METH_VARARGS,
     "suspend(op, arg) -> str | None: like call, suspending Python until the loader's "
     "asynchronous operation is done; None where Python cannot suspend."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef packages_module = {
    PyModuleDef_HEAD_INIT, "_pinnace_packages", NULL, -1, packages_methods,
};

PyMODINIT_FUNC PyInit__pinnace_packages(void)
{
    return PyModule_Create(&packages_module);
}
