/* compress.h: gzip (libdeflate, or ISA-L for one reader) and brotli
 * encodings of a response body. */
#ifndef GZ_COMPRESS_H
#define GZ_COMPRESS_H
#include <stdbool.h>
#include <stddef.h>

/* Each returns a malloc'd buffer (caller frees) and its length, or NULL
 * when compression fails or would not make the body smaller. */
char *compress_gzip(const char *in, size_t len, int level, size_t *outlen);
/* The same for a body sent to one reader only: the fastest deflate, at
 * some cost in ratio. */
char *compress_gzip_quick(const char *in, size_t len, size_t *outlen);
char *compress_brotli(const char *in, size_t len, int quality, size_t *outlen);
/* Is a body of this Content-Type worth compressing? */
bool compress_worth(const char *content_type, size_t len);
/* Parses Accept-Encoding: bit 1 = gzip acceptable, bit 2 = br acceptable. */
unsigned compress_accepted(const char *accept_encoding);

#endif
