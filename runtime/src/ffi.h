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

/* The enums below mirror loader-js/src/ffi/exports.ts (Kind, Flag, ContainerKind, ErrorKind,
 * SetItemResult, NO_LENGTH): change both together. */

/* What pinnace_kind says a Python object converts to. */
enum ffi_kind { K_NONE, K_FALSE, K_TRUE, K_INT, K_BIGINT, K_FLOAT, K_STR, K_JSNULL, K_JSPROXY, K_OTHER };

/* The bits of pinnace_flags: what a PyProxy of the object supports. */
enum ffi_flag {
    FLAG_CALLABLE = 1, FLAG_ITERABLE = 2, FLAG_ITERATOR = 4, FLAG_AWAITABLE = 8,
    FLAG_ASYNC_ITERABLE = 16, FLAG_HAS_LENGTH = 32, FLAG_BUFFER = 64, FLAG_ASYNC_ITERATOR = 256,
};

/* What pinnace_container_kind says, for the deep copies (to_js). */
enum ffi_container { CONTAINER_OTHER, CONTAINER_SEQUENCE, CONTAINER_MAPPING, CONTAINER_SET, CONTAINER_BYTES };

/* The builtin exceptions JS raises by kind (pinnace_set_error). */
enum ffi_error_kind { ERROR_TYPE, ERROR_VALUE, ERROR_RUNTIME, ERROR_KINDS };

/* What the JS side's setitem/setattr return besides -1 (an exception is set). */
enum ffi_set_result { SET_DONE = 0, SET_NO_SUCH_KEY = 1, SET_INDEX_OUT_OF_RANGE = 2 };

/* What the JS side's len returns for an object with neither length nor size. */
#define FFI_NO_LENGTH (-2)

/* Sentinels some JS calls return instead of a PyObject*: "no such attribute/key". */
#define FFI_MISSING ((PyObject *)1)
#define FFI_INDEX_ERROR ((PyObject *)2)

/* A new JsProxy owning the handle references id and this_id. */
PyObject *jsproxy_new(int id, int this_id);

/* Raise JsException wrapping the JS value with handle id (the reference is taken over). */
void pinnace_raise_js(int id);

/* Objects and callables set by pinnace.ffi at import time (_pinnace_ffi._install). */
extern PyObject *ffi_jsnull;        /* the jsnull singleton */
extern PyObject *ffi_js_exception;  /* JsException(js_error_proxy) */
extern PyObject *ffi_await_js;      /* await_js(proxy) -> iterator, for __await__ */
extern PyObject *ffi_describe_exc;  /* describe(exc) -> "TypeName\ntraceback" */

PyMODINIT_FUNC PyInit__pinnace_ffi(void);

#endif
