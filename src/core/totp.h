/* totp.h: time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second
 * steps, 6 digits), the kind authenticator apps make, and the base32 text
 * and otpauth:// address that set one up. */
#ifndef GZ_TOTP_H
#define GZ_TOTP_H
#include <stdbool.h>
#include <stddef.h>

#define TOTP_STEP 30

/* The 6-digit code of key at time step (Unix time / 30). */
int totp_code(const unsigned char *key, size_t keylen, long long step);
/* The step whose code equals code within one step either side of now,
 * and later than after (a code is good once); -1 if none. code must be
 * six digits. */
long long totp_verify(const unsigned char *key, size_t keylen, const char *code, long long now, long long after);
/* RFC 4648 base32 without padding, into out (8/5 of n plus one bytes). */
void base32_encode(const unsigned char *in, size_t n, char *out);

#endif
