/* JsProxy: a JS value seen from Python (attribute access, calls, containers, await). */
#include "ffi.h"

EM_JS(void, js_release, (int id), { Module._ffi.release(id); });
EM_JS(PyObject *, js_getattr, (int id, const char *name, int len),
      { return Module._ffi.getattr(id, name, len); });
EM_JS(int, js_setattr, (int id, const char *name, int len, PyObject *value),
      { return Module._ffi.setattr(id, name, len, value); });
EM_JS(PyObject *, js_call,
      (int id, int this_id, PyObject *const *args, int nargs, PyObject *kwnames, int construct),
      { return Module._ffi.call(id, this_id, args, nargs, kwnames, construct); });
EM_JS(int, js_len, (int id), { return Module._ffi.len(id); });
EM_JS(int, js_bool, (int id), { return Module._ffi.bool(id); });
EM_JS(PyObject *, js_getitem, (int id, PyObject *key), { return Module._ffi.getitem(id, key); });
EM_JS(int, js_setitem, (int id, PyObject *key, PyObject *value),
      { return Module._ffi.setitem(id, key, value); });
EM_JS(int, js_contains, (int id, PyObject *key), { return Module._ffi.contains(id, key); });
EM_JS(PyObject *, js_iter, (int id), { return Module._ffi.iter(id); });
EM_JS(PyObject *, js_next, (int id), { return Module._ffi.next(id); });
EM_JS(PyObject *, js_repr, (int id), { return Module._ffi.repr(id); });
EM_JS(PyObject *, js_typeof, (int id), { return Module._ffi.typeOf(id); });
EM_JS(int, js_instanceof, (int id, int cls), { return Module._ffi.instanceOf(id, cls); });
EM_JS(PyObject *, js_to_py, (int id, int depth, PyObject *default_converter),
      { return Module._ffi.jsToPyDeep(id, depth, default_converter); });
EM_JS(PyObject *, js_to_bytes, (int id), { return Module._ffi.toBytes(id); });
EM_JS(int, js_assign, (int id, const char *buf, int len), { return Module._ffi.assign(id, buf, len); });
EM_JS(int, js_destroy, (int id), { return Module._ffi.destroyProxy(id); });
EM_JS(PyObject *, js_dir, (int id), { return Module._ffi.dir(id); });

PyObject *jsproxy_new(int id, int this_id)
{
    JsProxyObject *self = PyObject_New(JsProxyObject, &JsProxy_Type);
    if (self == NULL) {
        js_release(id);
        if (this_id) {
            js_release(this_id);
        }
        return NULL;
    }
    self->id = id;
    self->this_id = this_id;
    self->vectorcall = NULL;
    extern PyObject *jsproxy_vectorcall(PyObject *, PyObject *const *, size_t, PyObject *);
    self->vectorcall = jsproxy_vectorcall;
    return (PyObject *)self;
}

#define ID(o) (((JsProxyObject *)(o))->id)

static void jsproxy_dealloc(PyObject *o)
{
    JsProxyObject *self = (JsProxyObject *)o;
    js_release(self->id);
    if (self->this_id) {
        js_release(self->this_id);
    }
    PyObject_Free(o);
}

static PyObject *jsproxy_getattro(PyObject *o, PyObject *name)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    if (s == NULL) {
        return NULL;
    }
    /* Python's own names (those of JsProxy's type: __class__, __repr__, __await__, ...) stay
     * Python's; every other name is the JS object's, `__NEXT_DATA__` and `__proto__` too. */
    if (_PyType_Lookup(Py_TYPE(o), name) != NULL) {
        return PyObject_GenericGetAttr(o, name);
    }
    PyObject *r = js_getattr(ID(o), s, (int)len);
    if (r == FFI_MISSING) {
        PyErr_Format(PyExc_AttributeError, "JS object has no attribute '%U'", name);
        return NULL;
    }
    return r;
}

static int jsproxy_setattro(PyObject *o, PyObject *name, PyObject *value)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    if (s == NULL) {
        return -1;
    }
    int r = js_setattr(ID(o), s, (int)len, value); /* value NULL: delete */
    if (r == SET_NO_SUCH_KEY) {
        PyErr_Format(PyExc_AttributeError, "JS object has no attribute '%U'", name);
        return -1;
    }
    return r;
}

PyObject *jsproxy_vectorcall(PyObject *o, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    JsProxyObject *self = (JsProxyObject *)o;
    return js_call(self->id, self->this_id, args, (int)PyVectorcall_NARGS(nargsf), kwnames, 0);
}

static PyObject *jsproxy_new_method(PyObject *o, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    return js_call(ID(o), 0, args, (int)nargs, kwnames, 1);
}

static Py_ssize_t jsproxy_len(PyObject *o)
{
    int n = js_len(ID(o));
    if (n == FFI_NO_LENGTH) {
        PyErr_SetString(PyExc_TypeError, "JS object has no length or size");
    }
    return n < 0 ? -1 : n;
}

static int jsproxy_bool(PyObject *o)
{
    return js_bool(ID(o));
}

static PyObject *jsproxy_getitem(PyObject *o, PyObject *key)
{
    PyObject *r = js_getitem(ID(o), key);
    if (r == FFI_MISSING) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    if (r == FFI_INDEX_ERROR) {
        PyErr_SetString(PyExc_IndexError, "JS array index out of range");
        return NULL;
    }
    return r;
}

static int jsproxy_setitem(PyObject *o, PyObject *key, PyObject *value)
{
    int r = js_setitem(ID(o), key, value); /* value NULL: delete */
    if (r == SET_NO_SUCH_KEY) {
        PyErr_SetObject(PyExc_KeyError, key);
        return -1;
    }
    if (r == SET_INDEX_OUT_OF_RANGE) {
        PyErr_SetString(PyExc_IndexError, "JS array index out of range");
        return -1;
    }
    return r;
}

static int jsproxy_contains(PyObject *o, PyObject *key)
{
    return js_contains(ID(o), key);
}

static PyObject *jsproxy_iter(PyObject *o)
{
    return js_iter(ID(o));
}

static PyObject *jsproxy_iternext(PyObject *o)
{
    PyObject *r = js_next(ID(o));
    return r == FFI_MISSING ? NULL : r; /* NULL without an error: the end */
}

static PyObject *jsproxy_repr(PyObject *o)
{
    return js_repr(ID(o));
}

static Py_hash_t jsproxy_hash(PyObject *o)
{
    /* one handle per JS value while it is referenced; unsigned: no overflow, never -1 */
    Py_hash_t h = (Py_hash_t)((Py_uhash_t)(unsigned)ID(o) * 1000003u);
    return h == -1 ? -2 : h;
}

static PyObject *jsproxy_richcompare(PyObject *a, PyObject *b, int op)
{
    if (!JsProxy_Check(b) || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int same = ID(a) == ID(b);
    return PyBool_FromLong(op == Py_EQ ? same : !same);
}

static PyObject *jsproxy_await(PyObject *o)
{
    return PyObject_CallOneArg(ffi_await_js, o);
}

static PyObject *jsproxy_typeof(PyObject *o, void *closure)
{
    return js_typeof(ID(o));
}

static PyObject *jsproxy_js_id(PyObject *o, void *closure)
{
    return PyLong_FromLong(ID(o));
}

static PyObject *jsproxy_instanceof(PyObject *o, PyObject *cls)
{
    if (!JsProxy_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "instanceof() needs a JS class (a JsProxy)");
        return NULL;
    }
    int r = js_instanceof(ID(o), ID(cls));
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *jsproxy_instancecheck(PyObject *cls, PyObject *obj)
{
    if (!JsProxy_Check(obj)) {
        Py_RETURN_FALSE;
    }
    int r = js_instanceof(ID(obj), ID(cls));
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *jsproxy_to_py(PyObject *o, PyObject *args, PyObject *kw)
{
    static char *names[] = {"depth", "default_converter", NULL};
    int depth = -1;
    PyObject *conv = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$iO", names, &depth, &conv)) {
        return NULL;
    }
    return js_to_py(ID(o), depth, conv == Py_None ? NULL : conv);
}

static PyObject *jsproxy_to_bytes(PyObject *o, PyObject *unused)
{
    return js_to_bytes(ID(o));
}

static PyObject *jsproxy_to_memoryview(PyObject *o, PyObject *unused)
{
    PyObject *b = js_to_bytes(ID(o));
    if (b == NULL) {
        return NULL;
    }
    PyObject *ba = PyByteArray_FromObject(b);
    Py_DECREF(b);
    if (ba == NULL) {
        return NULL;
    }
    PyObject *mv = PyMemoryView_FromObject(ba);
    Py_DECREF(ba);
    return mv;
}

static PyObject *jsproxy_assign(PyObject *o, PyObject *src)
{
    Py_buffer view;
    if (PyObject_GetBuffer(src, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    int r = js_assign(ID(o), view.buf, (int)view.len);
    PyBuffer_Release(&view);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *jsproxy_destroy(PyObject *o, PyObject *unused)
{
    if (js_destroy(ID(o)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *jsproxy_dir(PyObject *o, PyObject *unused)
{
    PyObject *keys = js_dir(ID(o));
    if (keys == NULL) {
        return NULL;
    }
    PyObject *own = PyObject_Dir((PyObject *)Py_TYPE(o));
    if (own == NULL || PyList_SetSlice(keys, PyList_GET_SIZE(keys), PyList_GET_SIZE(keys), own) < 0) {
        Py_XDECREF(own);
        Py_DECREF(keys);
        return NULL;
    }
    Py_DECREF(own);
    return keys;
}

static PyMethodDef jsproxy_methods[] = {
    {"new", (PyCFunction)(void (*)(void))jsproxy_new_method, METH_FASTCALL | METH_KEYWORDS,
     "new(*args, **kwargs): the JS `new obj(...args)`."},
    {"instanceof", jsproxy_instanceof, METH_O, "instanceof(cls): the JS `obj instanceof cls`."},
    {"__instancecheck__", jsproxy_instancecheck, METH_O, NULL},
    {"to_py", (PyCFunction)(void (*)(void))jsproxy_to_py, METH_VARARGS | METH_KEYWORDS,
     "to_py(*, depth=-1, default_converter=None): a deep copy as list/dict/set/bytes."},
    {"to_bytes", jsproxy_to_bytes, METH_NOARGS,
     "to_bytes(): a copy of a typed array / ArrayBuffer / DataView as bytes."},
    {"to_memoryview", jsproxy_to_memoryview, METH_NOARGS,
     "to_memoryview(): a writable memoryview of a copy of a typed array / ArrayBuffer."},
    {"assign", jsproxy_assign, METH_O,
     "assign(buffer): copy a Python buffer into this typed array (one memcpy)."},
    {"destroy", jsproxy_destroy, METH_NOARGS,
     "destroy(): release the Python object behind a proxy made by create_proxy()."},
    {"__dir__", jsproxy_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef jsproxy_getset[] = {
    {"typeof", jsproxy_typeof, NULL, "The JS `typeof` of the value.", NULL},
    {"js_id", jsproxy_js_id, NULL, "The handle id (one per JS value while referenced).", NULL},
    {NULL},
};

static PyNumberMethods jsproxy_as_number = {.nb_bool = jsproxy_bool};
static PyMappingMethods jsproxy_as_mapping = {
    .mp_length = jsproxy_len,
    .mp_subscript = jsproxy_getitem,
    .mp_ass_subscript = jsproxy_setitem,
};
static PySequenceMethods jsproxy_as_sequence = {.sq_contains = jsproxy_contains};
static PyAsyncMethods jsproxy_as_async = {.am_await = jsproxy_await};

PyTypeObject JsProxy_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pinnace.ffi.JsProxy",
    .tp_doc = "A JS value seen from Python.",
    .tp_basicsize = sizeof(JsProxyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(JsProxyObject, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_dealloc = jsproxy_dealloc,
    .tp_getattro = jsproxy_getattro,
    .tp_setattro = jsproxy_setattro,
    .tp_repr = jsproxy_repr,
    .tp_hash = jsproxy_hash,
    .tp_richcompare = jsproxy_richcompare,
    .tp_iter = jsproxy_iter,
    .tp_iternext = jsproxy_iternext,
    .tp_as_number = &jsproxy_as_number,
    .tp_as_mapping = &jsproxy_as_mapping,
    .tp_as_sequence = &jsproxy_as_sequence,
    .tp_as_async = &jsproxy_as_async,
    .tp_methods = jsproxy_methods,
    .tp_getset = jsproxy_getset,
};
