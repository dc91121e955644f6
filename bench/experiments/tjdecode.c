/*
 * TurboJPEG's own single-core JPEG decode rate, the baseline for ShardStore's ImageDecoder: every *.jpg of a folder
 * is read into memory, then decoded with tjDecompressHeader3 + tjDecompress2 to packed RGB (TJPF_RGB, default
 * accurate integer DCT, TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS as ImageDecoder passes) on one thread, pass after
 * pass, for at least SECONDS after one warm-up pass.
 *
 * Usage: tjdecode DIR [SCALES] [SECONDS]
 *   DIR      folder of *.jpg files
 *   SCALES   optional file of lines "NAME NUM DENOM": decode NAME at the DCT scale NUM/DENOM (TJSCALED), as the image
 *            transform picks it per image for its crop; files not listed decode at full size. "-" for none.
 *   SECONDS  minimum measured time, 3 by default
 * Prints: "tjdecode images=N seconds=S images_per_s=R mp_per_s=M" (M: decoded output megapixels per second).
 *
 * Build (Debian libturbojpeg0-dev for turbojpeg.h; the library itself is libturbojpeg0):
 *   gcc -O2 -o tjdecode tjdecode.c -lturbojpeg
 * The runner's --images scenario builds and runs it this way.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

typedef struct
{
    char name[256];
    unsigned char *data;
    unsigned long size;
    int num, denom;
} image_t;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_name(const void *a, const void *b) { return strcmp(((const image_t *)a)->name, ((const image_t *)b)->name); }

int main(int argc, char **argv)
{
    if (argc < 2)
    {
        fprintf(stderr, "usage: %s DIR [SCALES|-] [SECONDS]\n", argv[0]);
        return 2;
    }

    const char *dir = argv[1];
    const char *scales = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    double seconds = argc > 3 ? atof(argv[3]) : 3.0;

    DIR *d = opendir(dir);
    if (!d)
    {
        perror(dir);
        return 1;
    }

    int count = 0, capacity = 1024;
    image_t *images = calloc(capacity, sizeof(image_t));
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
    {
        size_t n = strlen(e->d_name);
        if (n < 5 || n >= sizeof(images[0].name) || strcmp(e->d_name + n - 4, ".jpg") != 0)
            continue;
        if (count == capacity)
            images = realloc(images, (capacity *= 2) * sizeof(image_t));
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
        {
            perror(path);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        image_t *im = &images[count++];
        memset(im, 0, sizeof *im);
        strcpy(im->name, e->d_name);
        im->data = malloc(size);
        im->size = (unsigned long)size;
        im->num = im->denom = 1;
        if (fread(im->data, 1, size, f) != (size_t)size)
        {
            perror(path);
            return 1;
        }
        fclose(f);
    }
    closedir(d);
    if (count == 0)
    {
        fprintf(stderr, "no .jpg files in %s\n", dir);
        return 1;
    }
    qsort(images, count, sizeof(image_t), by_name);

    if (scales)
    {
        FILE *f = fopen(scales, "r");
        if (!f)
        {
            perror(scales);
            return 1;
        }
        char name[256];
        int num, denom;
        while (fscanf(f, "%255s %d %d", name, &num, &denom) == 3)
        {
            image_t key;
            strcpy(key.name, name);
            image_t *im = bsearch(&key, images, count, sizeof(image_t), by_name);
            if (im)
            {
                im->num = num;
                im->denom = denom;
            }
        }
        fclose(f);
    }

    tjhandle tj = tjInitDecompress();
    unsigned char *out = NULL;
    size_t out_size = 0;
    long decoded = 0;
    double pixels = 0, start = 0;
    for (int pass = 0;; pass++)
    {
        if (pass == 1)
        {
            start = now();
            decoded = 0;
            pixels = 0;
        }
        for (int i = 0; i < count; i++)
        {
            image_t *im = &images[i];
            int w, h, sub, cs;
            if (tjDecompressHeader3(tj, im->data, im->size, &w, &h, &sub, &cs) != 0)
            {
                fprintf(stderr, "%s: %s\n", im->name, tjGetErrorStr2(tj));
                return 1;
            }
            tjscalingfactor sf = {im->num, im->denom};
            int sw = TJSCALED(w, sf), sh = TJSCALED(h, sf);
            size_t need = (size_t)sw * sh * 3;
            if (need > out_size)
            {
                free(out);
                out = malloc(need);
                out_size = need;
            }
            if (tjDecompress2(tj, im->data, im->size, out, sw, 0, sh, TJPF_RGB, TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0)
            {
                fprintf(stderr, "%s: %s\n", im->name, tjGetErrorStr2(tj));
                return 1;
            }
            decoded++;
            pixels += (double)sw * sh;
        }
        if (pass >= 1 && now() - start >= seconds)
            break;
    }
    double elapsed = now() - start;
    printf("tjdecode images=%ld seconds=%.3f images_per_s=%.1f mp_per_s=%.2f\n", decoded, elapsed, decoded / elapsed, pixels / elapsed / 1e6);
    tjDestroy(tj);
    return 0;
}
