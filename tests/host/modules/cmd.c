/* A WASI command: `cmd MODE ...`. Built by tests/host/conftest.py.
 *   echo ARGS...      print the arguments, one a line
 *   env NAME          print the environment variable NAME (or "<unset>")
 *   cat               copy stdin to stdout
 *   read PATH         print the file at PATH; exit 2 with the error on stderr if it fails
 *   write PATH TEXT   write TEXT to PATH; exit 2 with the error on stderr if it fails
 *   exit CODE         exit with CODE
 *   spin              loop forever */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *path) {
    fprintf(stderr, "%s %s: %s\n", what, path, strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: cmd MODE ...\n"); return 64; }
    const char *mode = argv[1];
    if (!strcmp(mode, "echo")) {
        for (int i = 2; i < argc; i++) printf("%s\n", argv[i]);
        return 0;
    }
    if (!strcmp(mode, "env") && argc == 3) {
        const char *v = getenv(argv[2]);
        printf("%s\n", v ? v : "<unset>");
        return 0;
    }
    if (!strcmp(mode, "cat")) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
        return 0;
    }
    if (!strcmp(mode, "read") && argc == 3) {
        FILE *f = fopen(argv[2], "r");
        if (!f) return fail("open", argv[2]);
        char buf[256];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
        fclose(f);
        return 0;
    }
    if (!strcmp(mode, "write") && argc == 4) {
        FILE *f = fopen(argv[2], "w");
        if (!f) return fail("open", argv[2]);
        if (fputs(argv[3], f) < 0 || fclose(f) != 0) return fail("write", argv[2]);
        return 0;
    }
    if (!strcmp(mode, "exit") && argc == 3) exit(atoi(argv[2]));
    if (!strcmp(mode, "spin")) {
        volatile unsigned x = 1;
        for (;;) x = x * 1103515245u + 12345u;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 64;
}
