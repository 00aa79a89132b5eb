/* The wasm module of the server demo: a few functions written in C, called from Python.
 *
 * Built by app.py (or by hand):
 *   clang-19 --target=wasm32-wasi -O2 -mexec-model=reactor checks.c -o checks.wasm
 *
 * Strings and bytes cross through the alloc/dealloc convention of pinnace_host (docs/host.md):
 * the host copies an argument into memory from alloc() and passes (ptr, len); a text result is
 * returned as (ptr << 32) | len in memory from alloc(), which the host frees after copying.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("alloc") void *alloc(int32_t size) { return malloc(size); }
EXPORT("dealloc") void dealloc(void *ptr, int32_t size) { (void)size; free(ptr); }

/* CRC-32 (IEEE 802.3, the one zlib and PNG use), bit by bit. */
EXPORT("crc32") uint32_t crc32(const uint8_t *data, int32_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    for (int32_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

/* How many primes are below `limit` (a sieve of Eratosthenes); -1 if it cannot allocate. */
EXPORT("count_primes") int32_t count_primes(int32_t limit) {
    if (limit < 3) return 0;
    uint8_t *composite = calloc(limit, 1);
    if (!composite) return -1;
    int32_t count = 0;
    for (int64_t n = 2; n < limit; n++) {
        if (composite[n]) continue;
        count++;
        for (int64_t m = n * n; m < limit; m += n) composite[m] = 1;
    }
    free(composite);
    return count;
}

/* The text with its ASCII letters rotated by 13 places (ROT13); other bytes unchanged. */
EXPORT("rot13") uint64_t rot13(const char *text, int32_t len) {
    char *out = malloc(len > 0 ? len : 1);
    for (int32_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= 'a' && c <= 'z') c = 'a' + (c - 'a' + 13) % 26;
        else if (c >= 'A' && c <= 'Z') c = 'A' + (c - 'A' + 13) % 26;
        out[i] = c;
    }
    return ((uint64_t)(uintptr_t)out << 32) | (uint32_t)len;
}
