/*
 * A stand-in for libcuda.so.1 that records every driver call ShardStore.Cuda makes, for tests on machines without a
 * GPU. "Device" memory is host memory; each stream is a FIFO run by a worker thread (copies, host functions, kernels
 * that sleep for their spin time, event records and waits), so the ordering rules of the driver hold.
 *
 * Each call appends one line to the file named by SHARDSTORE_STANDIN_LOG:
 *   <entry point> ctx=<1 if a context is current on the calling thread, else 0> [flags=<event flags>]
 * Calls that need a current context fail with CUDA_ERROR_INVALID_CONTEXT without one, as the driver does.
 *
 * Build: cc -shared -fPIC -O1 -pthread -o libcuda-standin.so cuda_standin.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))
typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum { OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, INVALID_DEVICE = 101, INVALID_PTX = 218, INVALID_CONTEXT = 201,
       INVALID_HANDLE = 400, NOT_FOUND = 500, NOT_READY = 600, ALREADY_REGISTERED = 712, NOT_REGISTERED = 713 };

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_log = -1;
static int g_context;               /* the primary context is &g_context */
static long long g_allocated;
static __thread int t_depth;        /* this thread's context stack depth */

static void record(const char *name, int needs_context, int has_flags, unsigned flags)
{
    char line[160];
    int n = has_flags ? snprintf(line, sizeof line, "%s ctx=%d flags=%u\n", name, t_depth > 0, flags)
                      : snprintf(line, sizeof line, "%s ctx=%d\n", name, t_depth > 0);
    (void)needs_context;
    pthread_mutex_lock(&g_mu);
    if (g_log < 0) {
        const char *path = getenv("SHARDSTORE_STANDIN_LOG");
        g_log = path ? open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : -2;
    }
    if (g_log >= 0) (void)!write(g_log, line, (size_t)n);
    pthread_mutex_unlock(&g_mu);
}

#define ENTER(name) record(name, 1, 0, 0); if (t_depth == 0) return INVALID_CONTEXT
#define ENTER_FREE(name) record(name, 0, 0, 0)

/* Events and streams, all guarded by g_mu; any progress broadcasts g_cv. */
typedef struct event { unsigned flags; long recorded, done; struct timespec at; } event;
enum { OP_COPY, OP_HOSTFN, OP_KERNEL, OP_RECORD, OP_WAIT, OP_STOP };
typedef struct op { int kind; void *dst; const void *src; size_t n; void (*fn)(void *); void *user; event *ev; long gen;
                    unsigned long long ns; struct op *next; } op;
typedef struct stream { op *head, *tail; long queued, done; pthread_t thread; } stream;

static void complete(event *e, long gen)
{
    clock_gettime(CLOCK_MONOTONIC, &e->at);
    if (gen > e->done) e->done = gen;
}

static void *run_stream(void *arg)
{
    stream *s = arg;
    pthread_mutex_lock(&g_mu);
    for (;;) {
        while (!s->head) pthread_cond_wait(&g_cv, &g_mu);
        op *o = s->head;
        if (o->kind == OP_STOP) break;
        if (o->kind == OP_WAIT) {
            while (o->ev->done < o->gen) pthread_cond_wait(&g_cv, &g_mu);
        } else if (o->kind == OP_RECORD) {
            complete(o->ev, o->gen);
        } else {
            pthread_mutex_unlock(&g_mu);
            if (o->kind == OP_COPY) memcpy(o->dst, o->src, o->n);
            else if (o->kind == OP_HOSTFN) o->fn(o->user);
            else { struct timespec t = { (time_t)(o->ns / 1000000000ull), (long)(o->ns % 1000000000ull) }; nanosleep(&t, NULL); }
            pthread_mutex_lock(&g_mu);
        }
        s->head = o->next;
        if (!s->head) s->tail = NULL;
        s->done++;
        free(o);
        pthread_cond_broadcast(&g_cv);
    }
    pthread_mutex_unlock(&g_mu);
    free(s->head);
    free(s);
    return NULL;
}

/* Enqueues on a stream; the NULL stream (0) runs the work at once on the calling thread. */
static void enqueue(stream *s, op o)
{
    if (!s) {
        if (o.kind == OP_COPY) memcpy(o.dst, o.src, o.n);
        else if (o.kind == OP_HOSTFN) o.fn(o.user);
        pthread_mutex_lock(&g_mu);
        if (o.kind == OP_RECORD) complete(o.ev, o.gen);
        if (o.kind == OP_WAIT) while (o.ev->done < o.gen) pthread_cond_wait(&g_cv, &g_mu);
        pthread_cond_broadcast(&g_cv);
        pthread_mutex_unlock(&g_mu);
        return;
    }
    op *p = malloc(sizeof *p);
    *p = o;
    p->next = NULL;
    pthread_mutex_lock(&g_mu);
    if (s->tail) s->tail->next = p; else s->head = p;
    s->tail = p;
    s->queued++;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

API CUresult cuInit(unsigned flags) { (void)flags; ENTER_FREE("cuInit"); return OK; }
API CUresult cuDriverGetVersion(int *v) { ENTER_FREE("cuDriverGetVersion"); *v = 12060; return OK; }
API CUresult cuGetErrorName(CUresult e, const char **s)
{
    ENTER_FREE("cuGetErrorName");
    switch (e) {
    case INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; return OK;
    case OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
    case ALREADY_REGISTERED: *s = "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED"; return OK;
    case NOT_REGISTERED: *s = "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED"; return OK;
    default: *s = "CUDA_ERROR_UNKNOWN"; return OK;
    }
}
API CUresult cuGetErrorString(CUresult e, const char **s) { (void)e; ENTER_FREE("cuGetErrorString"); *s = "stand-in driver error"; return OK; }
API CUresult cuDeviceGetCount(int *n) { ENTER_FREE("cuDeviceGetCount"); *n = 1; return OK; }
API CUresult cuDeviceGet(int *d, int ordinal) { ENTER_FREE("cuDeviceGet"); if (ordinal != 0) return INVALID_DEVICE; *d = 0; return OK; }
API CUresult cuDeviceGetName(char *name, int len, int d) { (void)d; ENTER_FREE("cuDeviceGetName"); snprintf(name, (size_t)len, "stand-in driver"); return OK; }
API CUresult cuDeviceTotalMem_v2(size_t *b, int d) { (void)d; ENTER_FREE("cuDeviceTotalMem_v2"); *b = 16ull << 30; return OK; }
API CUresult cuDevicePrimaryCtxRetain(void **c, int d) { (void)d; ENTER_FREE("cuDevicePrimaryCtxRetain"); *c = &g_context; return OK; }
API CUresult cuDevicePrimaryCtxRelease_v2(int d) { (void)d; ENTER_FREE("cuDevicePrimaryCtxRelease_v2"); return OK; }
API CUresult cuCtxPushCurrent_v2(void *c) { ENTER_FREE("cuCtxPushCurrent_v2"); if (c != &g_context) return INVALID_CONTEXT; t_depth++; return OK; }
API CUresult cuCtxPopCurrent_v2(void **c) { ENTER_FREE("cuCtxPopCurrent_v2"); if (t_depth == 0) return INVALID_CONTEXT; t_depth--; if (c) *c = &g_context; return OK; }

API CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
    ENTER("cuMemGetInfo_v2");
    pthread_mutex_lock(&g_mu);
    *total = 16ull << 30;
    *free_bytes = *total - (size_t)g_allocated;
    pthread_mutex_unlock(&g_mu);
    return OK;
}
API CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n)
{
    ENTER("cuMemAlloc_v2");
    char *base = calloc(1, n + 256);
    if (!base) return OUT_OF_MEMORY;
    *(size_t *)base = n;
    pthread_mutex_lock(&g_mu); g_allocated += (long long)n; pthread_mutex_unlock(&g_mu);
    *p = (CUdeviceptr)(uintptr_t)(base + 256);
    return OK;
}
API CUresult cuMemFree_v2(CUdeviceptr p)
{
    ENTER("cuMemFree_v2");
    char *base = (char *)(uintptr_t)p - 256;
    pthread_mutex_lock(&g_mu); g_allocated -= (long long)*(size_t *)base; pthread_mutex_unlock(&g_mu);
    free(base);
    return OK;
}

/* Registered host ranges; a range overlapping one already registered is refused, as the driver does. */
static struct { char *p; size_t n; } g_ranges[4096];
API CUresult cuMemHostRegister_v2(void *p, size_t n, unsigned flags)
{
    (void)flags;
    ENTER("cuMemHostRegister_v2");
    CUresult r = OUT_OF_MEMORY;
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < 4096; i++)
        if (g_ranges[i].p && (char *)p < g_ranges[i].p + g_ranges[i].n && g_ranges[i].p < (char *)p + n) { r = ALREADY_REGISTERED; goto done; }
    for (int i = 0; i < 4096; i++)
        if (!g_ranges[i].p) { g_ranges[i].p = p; g_ranges[i].n = n; r = OK; break; }
done:
    pthread_mutex_unlock(&g_mu);
    return r;
}
API CUresult cuMemHostUnregister(void *p)
{
    ENTER("cuMemHostUnregister");
    CUresult r = NOT_REGISTERED;
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < 4096; i++)
        if (g_ranges[i].p == p) { g_ranges[i].p = NULL; r = OK; break; }
    pthread_mutex_unlock(&g_mu);
    return r;
}

API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *s, size_t n, void *st)
{
    ENTER("cuMemcpyHtoDAsync_v2");
    enqueue(st, (op){ .kind = OP_COPY, .dst = (void *)(uintptr_t)d, .src = s, .n = n });
    return OK;
}
API CUresult cuMemcpyDtoHAsync_v2(void *d, CUdeviceptr s, size_t n, void *st)
{
    ENTER("cuMemcpyDtoHAsync_v2");
    enqueue(st, (op){ .kind = OP_COPY, .dst = d, .src = (const void *)(uintptr_t)s, .n = n });
    return OK;
}
API CUresult cuMemcpyDtoH_v2(void *d, CUdeviceptr s, size_t n) { ENTER("cuMemcpyDtoH_v2"); memcpy(d, (void *)(uintptr_t)s, n); return OK; }
API CUresult cuMemsetD8_v2(CUdeviceptr d, unsigned char v, size_t n) { ENTER("cuMemsetD8_v2"); memset((void *)(uintptr_t)d, v, n); return OK; }

API CUresult cuStreamCreate(void **out, unsigned flags)
{
    (void)flags;
    ENTER("cuStreamCreate");
    stream *s = calloc(1, sizeof *s);
    pthread_create(&s->thread, NULL, run_stream, s);
    pthread_detach(s->thread);
    *out = s;
    return OK;
}
API CUresult cuStreamDestroy_v2(void *s)
{
    ENTER("cuStreamDestroy_v2");
    /* Work already queued completes first; the worker frees the stream after it. */
    enqueue(s, (op){ .kind = OP_STOP });
    return OK;
}
API CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags)
{
    (void)flags;
    ENTER("cuStreamWaitEvent");
    pthread_mutex_lock(&g_mu);
    long gen = ((event *)e)->recorded;
    pthread_mutex_unlock(&g_mu);
    enqueue(s, (op){ .kind = OP_WAIT, .ev = e, .gen = gen });
    return OK;
}
API CUresult cuLaunchHostFunc(void *s, void (*fn)(void *), void *user)
{
    ENTER("cuLaunchHostFunc");
    enqueue(s, (op){ .kind = OP_HOSTFN, .fn = fn, .user = user });
    return OK;
}

API CUresult cuEventCreate(void **out, unsigned flags)
{
    record("cuEventCreate", 1, 1, flags);
    if (t_depth == 0) return INVALID_CONTEXT;
    event *e = calloc(1, sizeof *e);
    e->flags = flags;
    *out = e;
    return OK;
}
/* Events are never freed: a record still queued on a stream may name one destroyed (the driver allows that). */
API CUresult cuEventDestroy_v2(void *e) { (void)e; ENTER("cuEventDestroy_v2"); return OK; }
API CUresult cuEventRecord(void *e, void *s)
{
    ENTER("cuEventRecord");
    pthread_mutex_lock(&g_mu);
    long gen = ++((event *)e)->recorded;
    pthread_mutex_unlock(&g_mu);
    enqueue(s, (op){ .kind = OP_RECORD, .ev = e, .gen = gen });
    return OK;
}
API CUresult cuEventQuery(void *p)
{
    event *e = p;
    record("cuEventQuery", 1, 1, e->flags);
    if (t_depth == 0) return INVALID_CONTEXT;
    pthread_mutex_lock(&g_mu);
    CUresult r = e->done >= e->recorded ? OK : NOT_READY;
    pthread_mutex_unlock(&g_mu);
    return r;
}
API CUresult cuEventSynchronize(void *p)
{
    event *e = p;
    record("cuEventSynchronize", 1, 1, e->flags);
    if (t_depth == 0) return INVALID_CONTEXT;
    pthread_mutex_lock(&g_mu);
    long gen = e->recorded;
    while (e->done < gen) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
    return OK;
}
API CUresult cuEventElapsedTime(float *ms, void *a, void *b)
{
    ENTER("cuEventElapsedTime");
    event *s = a, *e = b;
    if ((s->flags & 2) || (e->flags & 2) || !s->done || !e->done) return INVALID_HANDLE;
    *ms = (float)((double)(e->at.tv_sec - s->at.tv_sec) * 1e3 + (double)(e->at.tv_nsec - s->at.tv_nsec) / 1e6);
    return OK;
}

API CUresult cuModuleLoadData(void **m, const void *image)
{
    ENTER("cuModuleLoadData");
    if (!strstr(image, ".entry")) return INVALID_PTX;
    *m = strdup(image);
    return OK;
}
API CUresult cuModuleUnload(void *m) { ENTER("cuModuleUnload"); free(m); return OK; }
API CUresult cuModuleGetFunction(void **f, void *m, const char *name)
{
    ENTER("cuModuleGetFunction");
    char entry[256];
    snprintf(entry, sizeof entry, ".entry %s(", name);
    if (!strstr(m, entry)) return NOT_FOUND;
    *f = m;
    return OK;
}
/* A kernel's first parameter is taken as its spin time in nanoseconds (the benchmark's spin kernel), capped at 50 ms. */
API CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned shared, void *s, void **params, void **extra)
{
    (void)f; (void)gx; (void)gy; (void)gz; (void)bx; (void)by; (void)bz; (void)shared; (void)extra;
    ENTER("cuLaunchKernel");
    unsigned long long ns = params && params[0] ? *(unsigned long long *)params[0] : 0;
    enqueue(s, (op){ .kind = OP_KERNEL, .ns = ns > 50000000ull ? 50000000ull : ns });
    return OK;
}
