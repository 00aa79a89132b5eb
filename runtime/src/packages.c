/* _pinnace_packages: the narrow bridge from Python's package code to the JS loader.
 *
 * One function, call(op, arg) -> str, forwards to Module.pinnacePackages.call(op, arg), an
 * object the loader installs (loader-js/src/packages.ts).  Strings cross as UTF-8; a JS
 * exception comes back as OSError carrying the loader's message (which names the package and
 * URL).  It is deliberately tiny and self-contained so that the general FFI can replace it.
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
    PyObject *text = PyUnicode_FromString(out + 1);
    if (text != NULL && out[0] == 'e') {
        PyErr_SetObject(PyExc_OSError, text);
        Py_CLEAR(text);
    }
    free(out);
    return text;
}

static PyMethodDef packages_methods[] = {
    {"call", packages_call, METH_VARARGS,
     "call(op, arg) -> str: ask the JS loader's package manager (see pinnace._packages)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef packages_module = {
    PyModuleDef_HEAD_INIT, "_pinnace_packages", NULL, -1, packages_methods,
};

PyMODINIT_FUNC PyInit__pinnace_packages(void)
{
    return PyModule_Create(&packages_module);
}
