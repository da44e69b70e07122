/* totp.c: RFC 6238 codes over OpenSSL's HMAC-SHA1 (libsodium has no SHA-1,
 * and authenticator apps expect it), compared in constant time. */
#include "totp.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
totp_code(const unsigned char *key, size_t keylen, long long step)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) || maclen < 20)
		return -1;
	int off = mac[maclen - 1] & 0x0f;
	unsigned long bin = ((unsigned long)(mac[off] & 0x7f) << 24) | ((unsigned long)mac[off + 1] << 16) |
	    ((unsigned long)mac[off + 2] << 8) | mac[off + 3];
	return (int)(bin % 1000000);
}

long long
totp_verify(const unsigned char *key, size_t keylen, const char *code, long long now, long long after)
{
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return -1;
	long long found = -1, step = now / TOTP_STEP;
	for (long long s = step - 1; s <= step + 1; s++) {
		char want[8];
		snprintf(want, sizeof want, "%06d", totp_code(key, keylen, s));
		/* every candidate compared, in constant time */
		if (sodium_memcmp(want, code, 6) == 0 && s > after && found < 0)
			found = s;
	}
	return found;
}

void
base32_encode(const unsigned char *in, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = 0;
	unsigned buffer = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		buffer = (buffer << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(buffer << (5 - bits)) & 31];
	out[o] = 0;
}
