// The sandbox's interpreter as a WASI reactor (build/pinnace_build/wasi_sandbox.py): started
// once (pinnace_start: CPython initialised, the runner imported), its memory then taken as a
// snapshot by the build, and every copy of that snapshot runs one program (pinnace_run).
// pinnace_host.python calls it; runtime/wasi/_pinnace_sandbox.py does the Python side.
#include "Python.h"

// wasi-libc: forget the preopened folders it has seen, so a copy finds its own grants.
extern void __wasilibc_reset_preopens(void);

static PyObject *runner;

__attribute__((export_name("pinnace_start"))) int pinnace_start(void) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.write_bytecode = 0;  // the stdlib is granted read-only, and copies share nothing
    PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        return 1;
    }
    PyObject *module = PyImport_ImportModule("_pinnace_sandbox");
    if (module == NULL) {
        PyErr_Print();
        return 2;
    }
    runner = PyObject_GetAttrString(module, "run");
    Py_DECREF(module);
    if (runner == NULL) {
        PyErr_Print();
        return 3;
    }
    return 0;
}

// Run one program: `request` is the runner's JSON (code or script, argv, env, path).  Returns
// the exit status, as `python -c`/`python FILE` would end.
__attribute__((export_name("pinnace_run"))) int pinnace_run(const char *request, int length) {
    __wasilibc_reset_preopens();
    PyObject *arg = PyBytes_FromStringAndSize(request, length);
    PyObject *result = arg == NULL ? NULL : PyObject_CallOneArg(runner, arg);
    Py_XDECREF(arg);
    if (result == NULL) {  // the runner itself failed: say so, like an uncaught exception
        PyErr_Print();
        Py_FinalizeEx();
        return 1;
    }
    long code = PyLong_AsLong(result);
    Py_DECREF(result);
    // The end of the program, as at the end of `python -c`: atexit functions, streams flushed,
    // files closed.  This copy is thrown away after it.
    if (Py_FinalizeEx() < 0 && code == 0) {
        code = 120;  // what CPython's own main returns when flushing at the end failed
    }
    return (int)code;
}
