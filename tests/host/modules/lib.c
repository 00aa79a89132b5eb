/* A library module (wasm32-wasi reactor) exercising pinnace_host: numbers, the str/bytes
 * convention (alloc/dealloc, packed (ptr << 32 | len) results), host imports, traps deep in
 * a call chain, endless loops and memory exhaustion. Built by tests/host/conftest.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

/* --- the allocator convention --------------------------------------------------------- */
EXPORT("alloc") void *pn_alloc(int32_t size) { return malloc((size_t)size); }
EXPORT("dealloc") void pn_dealloc(void *ptr, int32_t size) { (void)size; free(ptr); }

static uint64_t pack(const void *ptr, uint32_t len) {
    return ((uint64_t)(uintptr_t)ptr << 32) | len;
}

/* --- reactor initialisation: _initialize runs constructors before any export ----------- */
static int32_t initialized_value;
__attribute__((constructor)) static void init(void) { initialized_value = 42; }
EXPORT("initialized") int32_t initialized(void) { return initialized_value; }

/* --- numbers ----------------------------------------------------------------------------- */
EXPORT("add") int32_t add(int32_t a, int32_t b) { return a + b; }
EXPORT("mul64") int64_t mul64(int64_t a, int64_t b) { return a * b; }
EXPORT("half") float half(float x) { return x / 2.0f; }
EXPORT("hypot2") double hypot2(double a, double b) { return a * a + b * b; }
EXPORT("noop") void noop(void) {}

/* --- strings and bytes ------------------------------------------------------------------- */
EXPORT("upper") uint64_t upper(const char *s, int32_t len) {
    char *out = malloc((size_t)len + 1);
    for (int32_t i = 0; i < len; i++)
        out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
    return pack(out, (uint32_t)len);
}

EXPORT("count_byte") int32_t count_byte(const uint8_t *data, int32_t len, int32_t byte) {
    int32_t n = 0;
    for (int32_t i = 0; i < len; i++) n += data[i] == (uint8_t)byte;
    return n;
}

EXPORT("concat") uint64_t concat(const char *a, int32_t alen, const char *b, int32_t blen) {
    char *out = malloc((size_t)(alen + blen) + 1);
    memcpy(out, a, (size_t)alen);
    memcpy(out + alen, b, (size_t)blen);
    return pack(out, (uint32_t)(alen + blen));
}

static int32_t live_allocations;
EXPORT("tracked_alloc") void *tracked_alloc(int32_t size) { live_allocations++; return malloc((size_t)size); }
EXPORT("live") int32_t live(void) { return live_allocations; }

/* --- host imports ------------------------------------------------------------------------ */
IMPORT("log") void host_log(const char *msg, int32_t len);
IMPORT("twice") int32_t host_twice(int32_t x);

EXPORT("greet") int32_t greet(const char *name, int32_t len) {
    char buf[128] = "hello, ";
    int32_t n = 7;
    for (int32_t i = 0; i < len && n < (int32_t)sizeof buf; i++) buf[n++] = name[i];
    host_log(buf, n);
    return host_twice(n);
}

/* --- traps ------------------------------------------------------------------------------- */
__attribute__((noinline)) static int32_t level3(int32_t x) {
    if (x > 0) __builtin_trap();
    return x;
}
__attribute__((noinline)) static int32_t level2(int32_t x) { return level3(x + 1) * 3; }
__attribute__((noinline)) static int32_t level1(int32_t x) { return level2(x + 1) * 5; }
EXPORT("deep") int32_t deep(int32_t x) { return level1(x) + 1; }

EXPORT("divide") int32_t divide(int32_t a, int32_t b) { return a / b; }

EXPORT("spin") int32_t spin(int32_t seed) {
    volatile int32_t x = seed;
    for (;;) x = x * 1103515245 + 12345;
    return x;
}

EXPORT("work") int32_t work(int32_t n) {
    volatile int32_t x = 0;
    for (int32_t i = 0; i < n; i++) x += i;
    return x;
}

/* Allocate chunks (kept on a list, so none can be optimised away) until malloc fails, then
 * abort, as C code does on allocation failure. */
static void *hoard;
EXPORT("hog") int32_t hog(int32_t chunk) {
    int32_t count = 0;
    for (;;) {
        void **p = malloc((size_t)chunk);
        if (p == NULL) abort();
        *p = hoard;
        hoard = p;
        count++;
    }
    return count;
}
