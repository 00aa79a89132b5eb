/* time.sleep that blocks instead of spinning (docs/interrupts.md#timesleep).
 *
 * Emscripten's libc without pthreads sleeps by spinning on the clock (emscripten_thread_sleep),
 * burning a CPU core for the whole sleep.  CPython's time.sleep calls clock_nanosleep, which
 * musl defines weakly: this definition replaces it and asks the loader to wait with
 * Atomics.wait (loader-js/src/sleep.ts), which returns early when the host interrupts Python;
 * where the thread may not block (a browser page's main thread) it spins as before.  (C code
 * that calls nanosleep, sleep or usleep reaches musl's __clock_nanosleep, which still spins:
 * the main module links all of libc, so those strong symbols cannot be replaced.)
 */
#include <emscripten.h>
#include <emscripten/threading.h>
#include <errno.h>
#include <time.h>

/* 0: this thread cannot block; 1: slept; 2: a signal ended the sleep (loader-js/src/sleep.ts) */
EM_JS(int, js_sleep, (double ms), { return Module._pinnaceSleep ? Module._pinnaceSleep(ms) : 0; });

void _Py_CheckEmscriptenSignals(void); /* CPython's Python/emscripten_signal.c */

/* 0, or EINTR when a signal ended the sleep (then tripped, for time.sleep to raise it) */
static int sleep_ms(double ms)
{
    if (ms <= 0) {
        return 0;
    }
    switch (js_sleep(ms)) {
    case 0:
        emscripten_thread_sleep(ms);
        return 0;
    case 2:
        _Py_CheckEmscriptenSignals();
        return EINTR;
    default:
        return 0;
    }
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    (void)rem;
    if (clk == CLOCK_THREAD_CPUTIME_ID) {
        return EINVAL;
    }
    if (!req || req->tv_nsec < 0 || req->tv_nsec > 999999999L || req->tv_sec < 0) {
        return EINVAL;
    }
    double ms = req->tv_sec * 1000.0 + req->tv_nsec / 1e6;
    if (flags & TIMER_ABSTIME) {
        struct timespec now;
        if (clock_gettime(clk, &now) != 0) {
            return EINVAL;
        }
        ms -= now.tv_sec * 1000.0 + now.tv_nsec / 1e6;
    }
    return sleep_ms(ms);
}
