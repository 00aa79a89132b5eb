/* The JS <-> Python bridge (FFI): declarations shared by the runtime's C files.
 *
 * JS values live in a handle table on the JS side (loader-js/src/ffi/handles.ts); Python sees
 * them as JsProxy objects holding a handle id.  Python objects are seen from JS as PyProxy
 * objects holding a PyObject* and a reference.  Each EM_JS function here is a thin call into
 * Module._ffi (loader-js/src/ffi/ffi.ts), which converts values and catches JS exceptions:
 * a JS exception is turned into a Python exception (set with PyErr_*) and the EM_JS call
 * returns 0 (NULL), so C only checks for NULL / -1.
 */
#ifndef PINNACE_FFI_H
#define PINNACE_FFI_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

typedef struct {
    PyObject_HEAD
    int id;      /* handle of the JS value */
    int this_id; /* handle of the object a method was read from (0: none) */
    vectorcallfunc vectorcall;
} JsProxyObject;

extern PyTypeObject JsProxy_Type;
#define JsProxy_Check(o) PyObject_TypeCheck((o), &JsProxy_Type)

/* Sentinels some JS calls return instead of a PyObject*: "no such attribute/key". */
#define FFI_MISSING ((PyObject *)1)
#define FFI_INDEX_ERROR ((PyObject *)2)

/* A new JsProxy owning the handle references id and this_id. */
PyObject *jsproxy_new(int id, int this_id);

/* Objects and callables set by pinnace.ffi at import time (_pinnace_ffi._install). */
extern PyObject *ffi_jsnull;        /* the jsnull singleton */
extern PyObject *ffi_js_exception;  /* JsException(js_error_proxy) */
extern PyObject *ffi_await_js;      /* await_js(proxy) -> iterator, for __await__ */
extern PyObject *ffi_describe_exc;  /* describe(exc) -> "TypeName\ntraceback" */

PyMODINIT_FUNC PyInit__pinnace_ffi(void);

#endif
