/* image.c: libvips behind image.h. Loading is lazy in libvips: opening a
 * buffer reads the header, so the pixel bound is checked before a
 * decompression bomb is decoded; only the three loaders for JPEG, PNG and
 * WebP are accepted, which keeps SVG (and everything else libvips could
 * open) out. libvips' own operation cache is off: every upload is new. */
#include "image.h"
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

int
image_init(void)
{
	if (VIPS_INIT("gazette") != 0)
		return -1;
	vips_cache_set_max(0);
	vips_concurrency_set(2);
	return 0;
}

void
image_shutdown(void)
{
	vips_shutdown();
}

static const char *
format_of(const char *loader)
{
	if (!loader)
		return NULL;
	if (strcmp(loader, "VipsForeignLoadJpegBuffer") == 0)
		return "jpeg";
	if (strcmp(loader, "VipsForeignLoadPngBuffer") == 0 || strcmp(loader, "VipsForeignLoadPngBufferSpng") == 0 ||
	    strncmp(loader, "VipsForeignLoadPng", 18) == 0)
		return "png";
	if (strcmp(loader, "VipsForeignLoadWebpBuffer") == 0)
		return "webp";
	return NULL;
}

int
image_probe(const void *buf, size_t len, long long max_pixels, struct image_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof *info);
	const char *loader = len ? vips_foreign_find_load_buffer(buf, len) : NULL;
	vips_error_clear();
	info->format = format_of(loader);
	if (!info->format) {
		snprintf(err, errlen, "not a JPEG, PNG or WebP image");
		return -1;
	}
	VipsImage *im = vips_image_new_from_buffer(buf, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
	if (!im) {
		vips_error_clear();
		snprintf(err, errlen, "the image cannot be read");
		return -1;
	}
	info->width = vips_image_get_width(im);
	info->height = vips_image_get_height(im);
	g_object_unref(im);
	if (info->width < 1 || info->height < 1 || (long long)info->width * info->height > max_pixels) {
		snprintf(err, errlen, "the image is %d × %d pixels, more than %lld", info->width, info->height, max_pixels);
		return -1;
	}
	return 0;
}

void *
image_resize(const void *buf, size_t len, int width, const char *format, size_t *outlen)
{
	VipsImage *t = NULL;
	void *out = NULL;
	*outlen = 0;
	if (vips_thumbnail_buffer((void *)buf, len, &t, width, "height", 100000, "size", VIPS_SIZE_DOWN, NULL) != 0)
		goto fail;
	int rc;
	if (strcmp(format, "webp") == 0)
		rc = vips_webpsave_buffer(t, &out, outlen, "Q", 80, "strip", TRUE, NULL);
	else if (strcmp(format, "png") == 0)
		rc = vips_pngsave_buffer(t, &out, outlen, "strip", TRUE, "compression", 6, NULL);
	else
		rc = vips_jpegsave_buffer(t, &out, outlen, "Q", 82, "strip", TRUE, "interlace", TRUE, NULL);
	g_object_unref(t);
	if (rc != 0)
		goto fail;
	return out;
fail:
	vips_error_clear();
	return NULL;
}

void
image_free(void *p)
{
	g_free(p);
}
