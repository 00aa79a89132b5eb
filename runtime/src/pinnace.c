/* The runtime's C part, linked into the Pinnace main module.
 *
 * The JS loader drives the interpreter through these exports:
 *   main(argc, argv)          the command-line interpreter (`pinnace python`), via callMain
 *   pinnace_init(argc, argv)  initialise CPython (home "/", stdlib from /lib/python313.zip)
 *   pinnace_set_signal_polling(on)  let the host interrupt Python (setInterruptBuffer)
 * Running code and exchanging objects is the FFI's job (ffi_run.c, pyexports.c, jsproxy.c).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>
#include <stdlib.h>

#include "ffi.h"

PyMODINIT_FUNC PyInit__pinnace_packages(void); /* packages.c */

static int fail_status(PyStatus status)
{
    if (PyStatus_IsExit(status)) {
        return status.exitcode;
    }
    Py_ExitStatusException(status); /* prints the error and calls exit() */
    return 1;
}

/* Lazy per-import fetching: put pinnace.importer's finder on sys.meta_path.  Done where site
 * ran (not under -S, sys.flags.no_site), as a .pth file in site-packages would do it. */
static void install_importer(void)
{
    PyObject *flags = PySys_GetObject("flags"); /* borrowed */
    PyObject *no_site = flags ? PyObject_GetAttrString(flags, "no_site") : NULL;
    int skip = no_site ? PyObject_IsTrue(no_site) : -1;
    Py_XDECREF(no_site);
    if (skip != 0) {
        if (skip < 0) {
            PyErr_Print();
        }
        return;
    }
    PyObject *r = NULL;
    PyObject *importer = PyImport_ImportModule("pinnace.importer");
    if (importer != NULL) {
        r = PyObject_CallMethod(importer, "install", NULL);
        Py_DECREF(importer);
    }
    if (r == NULL) {
        PyErr_Print(); /* like site with a failing .pth line: reported, and Python goes on */
    }
    Py_XDECREF(r);
}

/* Initialise from argv.  parse_argv: 1 = command-line options (main), 0 = argv is sys.argv. */
static PyStatus initialize(int argc, char **argv, int parse_argv)
{
    static int inittab_done = 0;
    if (!inittab_done) {
        if (PyImport_AppendInittab("_pinnace_ffi", PyInit__pinnace_ffi) < 0 ||
            PyImport_AppendInittab("_pinnace_packages", PyInit__pinnace_packages) < 0) {
            return PyStatus_NoMemory();
        }
        inittab_done = 1;
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.parse_argv = parse_argv;
    config.install_signal_handlers = 1; /* SIGINT -> KeyboardInterrupt, via the interrupt buffer */
    config.buffered_stdio = 0; /* output reaches the host as it is written */
    PyStatus status = PyConfig_SetString(&config, &config.home, L"/");
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetBytesArgv(&config, argc, argv);
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (!PyStatus_Exception(status)) {
        install_importer();
    }
    return status;
}

/* pinnace._run.start(host_loop): the runtime's parts wired together (pinnace/_run.py).
 * Returns 0, or -1 with a Python exception set. */
static int start_runtime(int host_loop)
{
    PyObject *mod = PyImport_ImportModule("pinnace._run");
    if (mod == NULL) {
        return -1;
    }
    PyObject *started = PyObject_CallMethod(mod, "start", "O", host_loop ? Py_True : Py_False);
    Py_DECREF(mod);
    if (started == NULL) {
        return -1;
    }
    Py_DECREF(started);
    return 0;
}

/* The command line: `python [options] [-c cmd | -m mod | file] [args]`, like CPython's. */
int main(int argc, char **argv)
{
    PyStatus status = initialize(argc, argv, 1);
    if (PyStatus_Exception(status)) {
        return fail_status(status);
    }
    if (start_runtime(0) != 0) { /* `import js`; no host event loop: the program is the main one */
        PyErr_Print();
    }
    return Py_RunMain();
}

EMSCRIPTEN_KEEPALIVE int pinnace_init(int argc, char **argv)
{
    PyStatus status = initialize(argc, argv, 0);
    if (PyStatus_Exception(status)) {
        return fail_status(status);
    }
    if (start_runtime(1) != 0) {
        PyErr_Print();
        return 1;
    }
    return 0;
}

/* CPython polls Module.Py_EmscriptenSignalBuffer while this flag is set (see
 * Python/emscripten_signal.c).  Set it from C: the address Emscripten's glue reports for the
 * symbol is not the relocated one in a MAIN_MODULE build. */
extern int Py_EMSCRIPTEN_SIGNAL_HANDLING;

EMSCRIPTEN_KEEPALIVE void pinnace_set_signal_polling(int on)
{
    Py_EMSCRIPTEN_SIGNAL_HANDLING = on ? 1 : 0;
}
