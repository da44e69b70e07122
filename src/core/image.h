/* image.h: pictures people upload, through libvips: what a file really is
 * (from its bytes, not its name), its size before any pixel is decoded,
 * and smaller copies for screens (metadata stripped: no camera serials, no
 * GPS). Knows nothing of articles or storage. */
#ifndef GZ_IMAGE_H
#define GZ_IMAGE_H
#include <stddef.h>

struct image_info {
	int width, height;
	const char *format;   /* "jpeg", "png" or "webp" */
};

int image_init(void);      /* once, before any thread uses it; 0 or -1 */
void image_shutdown(void);
/* Reads the header only: 0 with info, or -1 with err naming why not
 * (another format, SVG, not an image, more than max_pixels). */
int image_probe(const void *buf, size_t len, long long max_pixels, struct image_info *info, char *err, size_t errlen);
/* A copy at most width pixels wide (never enlarged), as "webp", "jpeg" or
 * "png"; malloc'd bytes (free with image_free), or NULL. */
void *image_resize(const void *buf, size_t len, int width, const char *format, size_t *outlen);
void image_free(void *p);

#endif
