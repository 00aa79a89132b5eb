/* _pinnace_packages: how Python's package code (pinnace._packages) reaches the JS loader's
 * package manager (loader-js/src/packages/).
 *
 * ops() -> the loader's table of operations (loader-js/src/packages/ops.ts), a JsProxy of
 * Module.pinnacePackages, or None where no loader installed one.  Python calls its "sync"
 * operations through the FFI and awaits its "promise" ones; a JS error arrives as a
 * JsException carrying the JS error (its name and fields), never as text to be parsed.
 *
 * suspend(op, json) -> str | None is the "suspend" way, for an operation that must wait (a
 * download on a browser's main thread): its import, pinnace_packages_js_suspend, is replaced by
 * the loader at instantiation with a JSPI-suspending one (loader-js/src/jspi.ts), so the wasm
 * stack suspends until the loader's promise settles.  The argument and the result are JSON; a
 * failure comes back as the handle of the JS error, raised here as that error's JsException.
 * None means Python could not suspend here (no JSPI, or Python was entered synchronously from
 * JS).  It must be a wasm import of its own: a call through the FFI would put JS frames on the
 * stack, where the engine cannot suspend.
 */
#include "ffi.h"
#include <stdlib.h>

EM_JS(PyObject *, pinnace_packages_js_ops, (void), { return Module._ffi.toPy(Module["pinnacePackages"]); });

/* Without JSPI: 0, "could not suspend".  The loader replaces this import (see above).  Returns a
 * malloc'd string: "o" + the result's JSON, or "e" + the handle id of the JS error. */
EM_JS(char *, pinnace_packages_js_suspend, (const char *op, const char *arg), { return 0; });

/* Python runs again after a suspension: the loader lifts its guard on entries into Python. */
EM_JS(void, pinnace_packages_js_resumed, (void), {
    const table = Module["pinnacePackages"];
    if (table) table.sync.resumed();
});

static PyObject *packages_ops(PyObject *self, PyObject *unused) { return pinnace_packages_js_ops(); }

static PyObject *packages_suspend(PyObject *self, PyObject *args)
{
    const char *op, *arg;
    if (!PyArg_ParseTuple(args, "ss:suspend", &op, &arg)) {
        return NULL;
    }
    char *out = pinnace_packages_js_suspend(op, arg);
    pinnace_packages_js_resumed();
    if (out == NULL) {
        Py_RETURN_NONE;
    }
    PyObject *result = NULL;
    if (out[0] == 'e') {
        pinnace_raise_js(atoi(out + 1));
    } else {
        result = PyUnicode_FromString(out + 1);
    }
    free(out);
    return result;
}

static PyMethodDef packages_methods[] = {
    {"ops", packages_ops, METH_NOARGS,
     "ops() -> the JS loader's table of package operations (see pinnace._packages), or None."},
    {"suspend", packages_suspend, METH_VARARGS,
     "suspend(op, json) -> str | None: run one of the table's \"suspend\" operations, suspending "
     "Python until it is done; its result as JSON, or None where Python cannot suspend."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef packages_module = {
    PyModuleDef_HEAD_INIT, "_pinnace_packages", NULL, -1, packages_methods,
};

PyMODINIT_FUNC PyInit__pinnace_packages(void)
{
    return PyModule_Create(&packages_module);
}
