/*
 * Stand-alone measurement of what bounds a loader of contiguous [batch, ...] buffers in Window order over
 * lz4 chunks, with no ShardStore code on the path: native LZ4 decode of MNIST-like chunks (784 float32 images,
 * the runner's generator) against
 *   - decode + one streaming-store copy of every sample to a random place in batch memory (the loader's design);
 *   - decode + the same copy with ordinary stores;
 *   - chunks stored as one independent LZ4 block per sample, each decoded straight into its place in batch
 *     memory (no copy, but no cross-sample matches and ordinary stores into memory not in the cache);
 *   - chunks stored as linked blocks of 20 samples (about 62 KB), decoded into a two-block ring that stays in
 *     the cache, each block then copied out with streaming stores.
 * Build and run (needs only liblz4.so.1, no headers):
 *   gcc -O2 -mavx2 -o copy-floor copy-floor.c -l:liblz4.so.1 -lpthread && ./copy-floor
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LZ4_compress_default(const char *src, char *dst, int srcSize, int dstCapacity);
int LZ4_decompress_safe(const char *src, char *dst, int compressedSize, int dstCapacity);
int LZ4_decompress_safe_usingDict(const char *src, char *dst, int srcSize, int dstCapacity, const char *dict, int dictSize);
void *LZ4_createStream(void);
void LZ4_resetStream_fast(void *stream);
int LZ4_compress_fast_continue(void *stream, const char *src, char *dst, int srcSize, int dstCapacity, int acceleration);

enum { PIXELS = 784, IMAGE = PIXELS * 4, SAMPLES = 200000, PER_CHUNK = 1337, LINKED = 20, ROUNDS = 6 };
enum { DECODE, DECODE_STREAM_COPY, DECODE_COPY, PER_SAMPLE_IN_PLACE, LINKED_RING_STREAM_COPY, MODES };
static const char *names[MODES] = {"decode (baseline)", "decode + streaming copy", "decode + ordinary copy",
                                   "per-sample blocks, decoded in place", "linked blocks, ring + streaming copy"};

static int chunks;
static char **whole, **perSample, **linked;
static int *wholeSize, **perSampleSize, **linkedSize;
static char *batchMemory;
static long places;
static int *placeOf;
static int mode, threads;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int samplesIn(int c) { return c == chunks - 1 ? SAMPLES - c * PER_CHUNK : PER_CHUNK; }
static int blocksIn(int c) { return (samplesIn(c) + LINKED - 1) / LINKED; }
static char *placeFor(int c, int i) { return batchMemory + (long)placeOf[c * PER_CHUNK + i] * IMAGE; }

static void streamCopy(char *to, const char *from, int n)
{
    int i = 0;
    for (; i + 32 <= n; i += 32)
        _mm256_stream_si256((__m256i *)(to + i), _mm256_loadu_si256((const __m256i *)(from + i)));
    memcpy(to + i, from + i, n - i);
}

static void *work(void *arg)
{
    int t = (int)(intptr_t)arg;
    char *buffer = aligned_alloc(4096, (size_t)PER_CHUNK * IMAGE);
    char *ring = aligned_alloc(4096, 2 * LINKED * IMAGE);
    for (int c = t; c < chunks; c += threads)
    {
        int n = samplesIn(c);
        if (mode <= DECODE_COPY)
        {
            LZ4_decompress_safe(whole[c], buffer, wholeSize[c], n * IMAGE);
            for (int i = 0; mode != DECODE && i < n; i++)
            {
                if (mode == DECODE_STREAM_COPY)
                    streamCopy(placeFor(c, i), buffer + i * IMAGE, IMAGE);
                else
                    memcpy(placeFor(c, i), buffer + i * IMAGE, IMAGE);
            }
        }
        else if (mode == PER_SAMPLE_IN_PLACE)
        {
            for (int i = 0, at = 0; i < n; at += perSampleSize[c][i], i++)
                LZ4_decompress_safe(perSample[c] + at, placeFor(c, i), perSampleSize[c][i], IMAGE);
        }
        else
        {
            for (int b = 0, at = 0; b < blocksIn(c); at += linkedSize[c][b], b++)
            {
                int k = b == blocksIn(c) - 1 ? n - b * LINKED : LINKED;
                char *out = ring + (b & 1) * LINKED * IMAGE;
                LZ4_decompress_safe_usingDict(linked[c] + at, out, linkedSize[c][b], k * IMAGE,
                                              ring + ((b + 1) & 1) * LINKED * IMAGE, b ? LINKED * IMAGE : 0);
                for (int i = 0; i < k; i++)
                    streamCopy(placeFor(c, b * LINKED + i), out + i * IMAGE, IMAGE);
            }
        }
    }
    _mm_sfence();
    free(buffer);
    free(ring);
    return NULL;
}

static double run(int m, int t)
{
    pthread_t th[16];
    mode = m;
    threads = t;
    double start = now();
    for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, work, (void *)(intptr_t)i);
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
    return now() - start;
}

int main(void)
{
    chunks = (SAMPLES + PER_CHUNK - 1) / PER_CHUNK;
    char *raw = aligned_alloc(64, (size_t)SAMPLES * IMAGE);
    float image[PIXELS];
    for (int s = 0; s < SAMPLES; s++)
    {
        long label = next() % 10;
        memset(image, 0, sizeof image);
        int cx = 10 + (int)(label % 4 * 2), cy = 10 + (int)(label / 4 * 3);
        for (int y = cy - 8; y <= cy + 8; y++)
            for (int x = cx - 7; x <= cx + 7; x++)
                if ((next() & 7) != 0) image[y * 28 + x] = (next() & 255) / 255.f;
        memcpy(raw + (size_t)s * IMAGE, image, IMAGE);
    }

    whole = malloc(chunks * sizeof *whole); wholeSize = malloc(chunks * sizeof *wholeSize);
    perSample = malloc(chunks * sizeof *perSample); perSampleSize = malloc(chunks * sizeof *perSampleSize);
    linked = malloc(chunks * sizeof *linked); linkedSize = malloc(chunks * sizeof *linkedSize);
    void *stream = LZ4_createStream();
    size_t stored[3] = {0, 0, 0};
    for (int c = 0; c < chunks; c++)
    {
        int n = samplesIn(c), bytes = n * IMAGE, capacity = bytes + bytes / 100 + 64 * n;
        const char *src = raw + (size_t)c * PER_CHUNK * IMAGE;
        whole[c] = malloc(capacity);
        stored[0] += wholeSize[c] = LZ4_compress_default(src, whole[c], bytes, capacity);
        perSample[c] = malloc(capacity); perSampleSize[c] = malloc(n * sizeof(int));
        for (int i = 0, at = 0; i < n; at += perSampleSize[c][i], i++)
            stored[1] += perSampleSize[c][i] = LZ4_compress_default(src + i * IMAGE, perSample[c] + at, IMAGE, capacity - at);
        linked[c] = malloc(capacity); linkedSize[c] = malloc(blocksIn(c) * sizeof(int));
        LZ4_resetStream_fast(stream);
        for (int b = 0, at = 0; b < blocksIn(c); at += linkedSize[c][b], b++)
        {
            int k = b == blocksIn(c) - 1 ? n - b * LINKED : LINKED;
            stored[2] += linkedSize[c][b] = LZ4_compress_fast_continue(stream, src + (size_t)b * LINKED * IMAGE, linked[c] + at, k * IMAGE, capacity - at, 1);
        }
    }
    free(raw);
    printf("stored / raw: whole chunks %.3f, per-sample blocks %.3f, linked blocks %.3f\n",
           (double)stored[0] / SAMPLES / IMAGE, (double)stored[1] / SAMPLES / IMAGE, (double)stored[2] / SAMPLES / IMAGE);

    // Batch memory like the loader's slots for two windows: 85 MB; every sample goes to its own place in it.
    places = (85L << 20) / IMAGE;
    batchMemory = aligned_alloc(4096, places * IMAGE);
    memset(batchMemory, 1, places * IMAGE);
    placeOf = malloc(SAMPLES * sizeof(int));
    for (int i = 0; i < SAMPLES; i++) placeOf[i] = (int)(next() % places);

    for (int t = 1; t <= 2; t++)
    {
        double best[MODES];
        for (int m = 0; m < MODES; m++) best[m] = 1e9;
        for (int r = 0; r < ROUNDS; r++)
            for (int m = 0; m < MODES; m++)
            {
                double s = run(m, t);
                if (s < best[m]) best[m] = s;
            }
        printf("%d thread%s, best of %d rounds:\n", t, t > 1 ? "s" : "", ROUNDS);
        for (int m = 0; m < MODES; m++)
            printf("  %-40s %7.1f ms  %5.2f GB/s  %.2fx of decode\n", names[m], best[m] * 1e3, (double)SAMPLES * IMAGE / best[m] / 1e9, best[DECODE] / best[m]);
    }
    return 0;
}
