/* What JS calls into: Python operations on a PyObject* for PyProxy, and value constructors for
 * converting JS values to Python.  Conventions: functions returning PyObject* return a new
 * reference, or NULL with a Python error set (JS then calls pinnace_take_error); arguments
 * named `stolen` are new references the function takes over.  FFI_MISSING (1) means "no such
 * attribute / end of iteration", with no error set. */
#include "ffi.h"
#include <stdint.h>
#include <math.h>
#include <string.h>

static union {
    double d;
    int32_t i[4];
} scratch;

static char *scratch_buf = NULL;
static size_t scratch_size = 0;

EMSCRIPTEN_KEEPALIVE void *pinnace_scratch_addr(void) { return &scratch; }

/* A reusable buffer of at least n bytes, for strings JS passes in. */
EMSCRIPTEN_KEEPALIVE char *pinnace_scratch(size_t n)
{
    if (n > scratch_size) {
        size_t size = n < 256 ? 256 : n * 2;
        char *buf = realloc(scratch_buf, size);
        if (buf == NULL) {
            return NULL;
        }
        scratch_buf = buf;
        scratch_size = size;
    }
    return scratch_buf;
}

/* ---- Python value -> JS: classify (enum ffi_kind) ---- */

EMSCRIPTEN_KEEPALIVE int pinnace_kind(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    if (t == &PyUnicode_Type) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(o, &len);
        if (s == NULL) {
            /* lone surrogates (a JS string may hold them too): handed over as WTF-8, kept in
             * wtf8_held until the next string (JS reads it at once, loader-js/src/ffi/strings.ts) */
            static PyObject *wtf8_held = NULL;
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
                return -1;
            }
            PyErr_Clear();
            PyObject *b = PyUnicode_AsEncodedString(o, "utf-8", "surrogatepass");
            if (b == NULL) {
                return -1;
            }
            Py_XSETREF(wtf8_held, b);
            s = PyBytes_AS_STRING(b);
            len = PyBytes_GET_SIZE(b);
        }
        scratch.i[0] = (int32_t)(intptr_t)s;
        scratch.i[1] = (int32_t)len;
        return K_STR;
    }
    if (t == &PyLong_Type) {
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (!overflow && v <= 9007199254740991LL && v >= -9007199254740991LL) {
            scratch.d = (double)v;
            return K_INT;
        }
        return K_BIGINT;
    }
    if (t == &PyFloat_Type) {
        scratch.d = PyFloat_AS_DOUBLE(o);
        return K_FLOAT;
    }
    if (o == Py_None) {
        return K_NONE;
    }
    if (t == &PyBool_Type) {
        return o == Py_True ? K_TRUE : K_FALSE;
    }
    if (o == ffi_jsnull) {
        return K_JSNULL;
    }
    if (JsProxy_Check(o)) {
        scratch.i[0] = ((JsProxyObject *)o)->id;
        scratch.i[1] = ((JsProxyObject *)o)->this_id;
        return K_JSPROXY;
    }
    return K_OTHER;
}

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_int_hex(PyObject *o) { return PyNumber_ToBase(o, 16); }

/* ---- JS value -> Python: constructors ---- */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_none(void) { return Py_NewRef(Py_None); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_jsnull(void) { return Py_NewRef(ffi_jsnull); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_bool(int b) { return PyBool_FromLong(b); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_int(double d) { return PyLong_FromLongLong((long long)d); } /* a safe integer */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_int64(int64_t v) { return PyLong_FromLongLong(v); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_int_from_hex(const char *s) { return PyLong_FromString(s, NULL, 16); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_float(double d) { return PyFloat_FromDouble(d); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_str(const char *s, int len) { return PyUnicode_DecodeUTF8(s, len, "surrogatepass"); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_jsproxy(int id, int this_id) { return jsproxy_new(id, this_id); }
EMSCRIPTEN_KEEPALIVE void pinnace_incref(PyObject *o) { Py_INCREF(o); }
EMSCRIPTEN_KEEPALIVE void pinnace_decref(PyObject *o) { Py_DECREF(o); }

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_list_new_n(int n) { return PyList_New(n); }
/* A list of the n doubles at v: ints for safe integers, floats otherwise (JS number arrays). */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_list_from_f64(const double *v, int n)
{
    PyObject *list = PyList_New(n);
    for (int i = 0; list != NULL && i < n; i++) {
        double d = v[i];
        /* as bridge.ts's toPy: a safe integer is an int, except -0 (its sign would be lost) */
        PyObject *x = (d == floor(d) && fabs(d) <= 9007199254740991.0 && !(d == 0 && signbit(d)))
                          ? PyLong_FromLongLong((long long)d)
                          : PyFloat_FromDouble(d);
        if (x == NULL) {
            Py_CLEAR(list);
        } else {
            PyList_SET_ITEM(list, i, x);
        }
    }
    return list;
}
/* Fill slot i of a list made by pinnace_list_new_n (taking over item). */
EMSCRIPTEN_KEEPALIVE void pinnace_list_set(PyObject *list, int i, PyObject *stolen) { PyList_SET_ITEM(list, i, stolen); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_dict_new(void) { return PyDict_New(); }
EMSCRIPTEN_KEEPALIVE int pinnace_dict_set(PyObject *d, PyObject *key, PyObject *value)
{
    int r = PyObject_SetItem(d, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    return r;
}
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_set_new(void) { return PySet_New(NULL); }
EMSCRIPTEN_KEEPALIVE int pinnace_set_add(PyObject *s, PyObject *stolen)
{
    int r = PySet_Add(s, stolen);
    Py_DECREF(stolen);
    return r;
}
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_bytes_alloc(int len) { return PyBytes_FromStringAndSize(NULL, len); }
EMSCRIPTEN_KEEPALIVE char *pinnace_bytes_data(PyObject *b) { return PyBytes_AS_STRING(b); }

/* ---- walking Python containers (to_js) ---- */
EMSCRIPTEN_KEEPALIVE int pinnace_container_kind(PyObject *o)
{
    if (PyList_Check(o) || PyTuple_Check(o)) return CONTAINER_SEQUENCE;
    if (PyDict_Check(o)) return CONTAINER_MAPPING;
    if (PyAnySet_Check(o)) return CONTAINER_SET;
    if (PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o)) return CONTAINER_BYTES;
    return CONTAINER_OTHER;
}
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_seq_fast(PyObject *o) { return PySequence_Fast(o, "not a sequence"); }
EMSCRIPTEN_KEEPALIVE int pinnace_seq_len(PyObject *seq) { return (int)PySequence_Fast_GET_SIZE(seq); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_seq_item(PyObject *seq, int i) { return PySequence_Fast_GET_ITEM(seq, i); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_items(PyObject *o) { return PyDict_Check(o) ? PyDict_Items(o) : PyMapping_Items(o); }

/* ---- operations (PyProxy) ---- */
static PyObject *name_of(const char *s, int len) { return PyUnicode_FromStringAndSize(s, len); }

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_getattr(PyObject *o, const char *s, int len)
{
    PyObject *name = name_of(s, len);
    if (name == NULL) return NULL;
    PyObject *r = PyObject_GetAttr(o, name);
    Py_DECREF(name);
    if (r == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return FFI_MISSING;
    }
    return r;
}

EMSCRIPTEN_KEEPALIVE int pinnace_setattr(PyObject *o, const char *s, int len, PyObject *stolen)
{
    PyObject *name = name_of(s, len);
    if (name == NULL) {
        Py_XDECREF(stolen);
        return -1;
    }
    int r = PyObject_SetAttr(o, name, stolen);
    Py_DECREF(name);
    Py_XDECREF(stolen);
    return r;
}

EMSCRIPTEN_KEEPALIVE int pinnace_hasattr(PyObject *o, const char *s, int len)
{
    PyObject *name = name_of(s, len);
    if (name == NULL) return -1;
    int r = PyObject_HasAttrWithError(o, name);
    Py_DECREF(name);
    return r;
}

EMSCRIPTEN_KEEPALIVE PyObject *pinnace_getitem(PyObject *o, PyObject *key)
{
    PyObject *r = PyObject_GetItem(o, key);
    Py_DECREF(key);
    return r;
}

EMSCRIPTEN_KEEPALIVE int pinnace_setitem(PyObject *o, PyObject *key, PyObject *stolen)
{
    int r = stolen ? PyObject_SetItem(o, key, stolen) : PyObject_DelItem(o, key);
    Py_DECREF(key);
    Py_XDECREF(stolen);
    return r;
}

EMSCRIPTEN_KEEPALIVE int pinnace_contains(PyObject *o, PyObject *key)
{
    int r = PySequence_Contains(o, key);
    Py_DECREF(key);
    return r;
}

/* argv: nargs new references (taken over) in a scratch area JS reuses, so they are copied
 * first; kwargs: a dict (taken over), or NULL. */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_call(PyObject *o, PyObject **argv, int nargs, PyObject *kwargs)
{
    PyObject *small[8];
    PyObject **args = nargs <= 8 ? small : PyMem_Malloc(sizeof(PyObject *) * (size_t)nargs);
    if (args == NULL) {
        for (int i = 0; i < nargs; i++) {
            Py_DECREF(argv[i]);
        }
        Py_XDECREF(kwargs);
        return PyErr_NoMemory();
    }
    memcpy(args, argv, sizeof(PyObject *) * (size_t)nargs);
    PyObject *r = kwargs ? PyObject_VectorcallDict(o, args, nargs, kwargs)
                         : PyObject_Vectorcall(o, args, nargs, NULL);
    for (int i = 0; i < nargs; i++) {
        Py_DECREF(args[i]);
    }
    if (args != small) {
        PyMem_Free(args);
    }
    Py_XDECREF(kwargs);
    return r;
}

/* The C recursion budget: how many nested C calls (repr of a nested list, json.dumps,
 * pickle.dumps, C -> Python -> C calls, the compiler's passes) CPython allows before it raises
 * RecursionError.  CPython sizes its default (Py_C_RECURSION_LIMIT, 10000 on wasm32-emscripten)
 * for an 8 MB native stack, but wasm frames live on the JS engine's stack (~1 MB on a page, in
 * a worker and in node by default), so the loader lowers it to what the host's stack holds
 * (loader-js/src/pinnace.ts: recursionBudget, which explains the numbers).  Pure Python
 * recursion takes no native stack (CPython 3.13 runs Python -> Python calls in one C frame);
 * sys.setrecursionlimit still bounds it. */
static int c_recursion_budget = Py_C_RECURSION_LIMIT;

/* Set the budget; returns the previous one.  Keeps the depth in use (the loader calls it at
 * startup, where that is 0).  CPython's compiler measures its depth as Py_C_RECURSION_LIMIT
 * minus what remains, so it is bounded by the budget too. */
EMSCRIPTEN_KEEPALIVE int pinnace_set_recursion_budget(int budget)
{
    PyThreadState *ts = PyThreadState_Get();
    int previous = c_recursion_budget;
    ts->c_recursion_remaining += budget - previous;
    c_recursion_budget = budget;
    return previous;
}

/* pinnace_call for WebAssembly.promising (loader-js/src/jspi.ts: the asyncio loop's callbacks
 * where a lazy import may suspend).  V8 runs it on a separate stack, which measured smaller
 * than a page's main stack (Chromium 156: Python -> C -> Python recursion overflowed it at
 * ~1000 levels, the main stack at ~1250), so the C recursion budget counts a quarter lower
 * inside it: deep recursion ends in RecursionError, not in an overflow of the wasm stack
 * (which unwinds through C frames and leaves the interpreter unusable). */
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_call_suspendable(PyObject *o, PyObject **argv, int nargs,
                                                        PyObject *kwargs)
{
    PyThreadState *ts = PyThreadState_Get();
    int margin = c_recursion_budget / 4;
    ts->c_recursion_remaining -= margin;
    PyObject *r = pinnace_call(o, argv, nargs, kwargs);
    ts->c_recursion_remaining += margin;
    return r;
}

EMSCRIPTEN_KEEPALIVE int pinnace_len(PyObject *o) { return (int)PyObject_Length(o); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_iter(PyObject *o) { return PyObject_GetIter(o); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_next(PyObject *it)
{
    PyObject *r = PyIter_Next(it);
    return (r == NULL && !PyErr_Occurred()) ? FFI_MISSING : r;
}
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_repr(PyObject *o) { return PyObject_Repr(o); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_str_of(PyObject *o) { return PyObject_Str(o); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_dir(PyObject *o) { return PyObject_Dir(o); }
EMSCRIPTEN_KEEPALIVE PyObject *pinnace_type_name(PyObject *o) { return PyType_GetQualName(Py_TYPE(o)); }

EMSCRIPTEN_KEEPALIVE int pinnace_flags(PyObject *o)
{
    PyTypeObject *t = Py_TYPE(o);
    int f = 0;
    if (PyCallable_Check(o)) f |= FLAG_CALLABLE;
    if (t->tp_iter || PySequence_Check(o)) f |= FLAG_ITERABLE;
    if (PyIter_Check(o)) f |= FLAG_ITERATOR;
    if (t->tp_as_async && t->tp_as_async->am_await) f |= FLAG_AWAITABLE;
    if (t->tp_as_async && t->tp_as_async->am_aiter) f |= FLAG_ASYNC_ITERABLE;
    if ((t->tp_as_sequence && t->tp_as_sequence->sq_length) ||
        (t->tp_as_mapping && t->tp_as_mapping->mp_length)) f |= FLAG_HAS_LENGTH;
    if (t->tp_as_buffer && t->tp_as_buffer->bf_getbuffer) f |= FLAG_BUFFER;
    if (t->tp_as_async && t->tp_as_async->am_anext) f |= FLAG_ASYNC_ITERATOR;
    return f;
}

/* ---- buffers (PyProxy.getBuffer): zero-copy views of C-contiguous buffers ---- */
EMSCRIPTEN_KEEPALIVE Py_buffer *pinnace_get_buffer(PyObject *o)
{
    Py_buffer *view = PyMem_Calloc(1, sizeof(Py_buffer));
    if (view == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyMem_Free(view);
        return NULL;
    }
    scratch.i[0] = (int32_t)(intptr_t)view->buf;
    scratch.i[1] = (int32_t)view->len;
    scratch.i[2] = (int32_t)view->itemsize;
    scratch.i[3] = view->readonly;
    return view;
}
EMSCRIPTEN_KEEPALIVE const char *pinnace_buffer_format(Py_buffer *view) { return view->format ? view->format : "B"; }
EMSCRIPTEN_KEEPALIVE int pinnace_buffer_ndim(Py_buffer *view) { return view->ndim; }
EMSCRIPTEN_KEEPALIVE Py_ssize_t *pinnace_buffer_shape(Py_buffer *view) { return view->shape; }
EMSCRIPTEN_KEEPALIVE void pinnace_buffer_release(Py_buffer *view)
{
    PyBuffer_Release(view);
    PyMem_Free(view);
}
