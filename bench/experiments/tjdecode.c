/*
 * TurboJPEG's own single-core JPEG decode rate, the baseline for ShardStore's ImageDecoder: every *.jpg of a folder
 * is read into memory, then decoded with tjDecompressHeader3 + tjDecompress2 to packed RGB (TJPF_RGB, default
 * accurate integer DCT, TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS as ImageDecoder passes) on one thread, pass after
 * pass, for at least SECONDS after one warm-up pass.
 *
 * Usage: tjdecode DIR [SCALES] [SECONDS]
 *   DIR      folder of *.jpg files, or of folders of them (an ImageFolder layout: one level of class folders)
 *   SCALES   optional file of lines "NAME NUM DENOM": decode NAME (relative to DIR, e.g. class3/img_00042.jpg) at the DCT scale NUM/DENOM (TJSCALED), as the image
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
#include <sys/stat.h>
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

static image_t *images;
static int count, capacity;

/* Reads every *.jpg of FOLDER/PREFIX, and of its subfolders (one level: an ImageFolder's class folders). */
static int load_folder(const char *root, const char *prefix, int depth)
{
    char folder[4096];
    snprintf(folder, sizeof folder, "%s/%s", root, prefix);
    DIR *d = opendir(folder);
    if (!d)
    {
        perror(folder);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
    {
        if (e->d_name[0] == '.')
            continue;
        char name[512], path[4096];
        snprintf(name, sizeof name, "%s%s", prefix, e->d_name);
        snprintf(path, sizeof path, "%s/%s", root, name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
        {
            if (depth == 0)
            {
                char sub[512];
                snprintf(sub, sizeof sub, "%s/", name);
                if (load_folder(root, sub, 1) != 0)
                    return 1;
            }
            continue;
        }
        size_t n = strlen(name);
        if (n < 5 || n >= sizeof(images[0].name) || strcmp(name + n - 4, ".jpg") != 0)
            continue;
        if (count == capacity)
            images = realloc(images, (capacity = capacity ? capacity * 2 : 1024) * sizeof(image_t));
        FILE *f = fopen(path, "rb");
        if (!f)
        {
            perror(path);
            return 1;
        }
        image_t *im = &images[count++];
        memset(im, 0, sizeof *im);
        strcpy(im->name, name);
        im->size = (unsigned long)st.st_size;
        im->data = malloc(im->size);
        im->num = im->denom = 1;
        if (fread(im->data, 1, im->size, f) != im->size)
        {
            perror(path);
            return 1;
        }
        fclose(f);
    }
    closedir(d);
    return 0;
}

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

    if (load_folder(dir, "", 0) != 0)
        return 1;
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
