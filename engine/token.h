/*
** Personal links: a token of 128 random bits per invitation (DESIGN.md
** section 7).  The database keeps the token's hash to find the invitation
** by; the token itself only travels in the citizen's mail.
*/
#ifndef KTO_ENGINE_TOKEN_H
#define KTO_ENGINE_TOKEN_H

#include <stdbool.h>

#include "base/status.h"

#define KTO_TOKEN_BYTES 16           /* 128 bits from the system's CSPRNG */
#define KTO_TOKEN_CHARS 22           /* base64url without padding */
#define KTO_TOKEN_HASH_BYTES 32      /* SHA-256 */

/* A new token, NUL-terminated in out; KTO_EINTERNAL only when the system
 * has no randomness to give (libsodium could not start). */
enum kto_rc kto_token_new(char out[KTO_TOKEN_CHARS + 1]);

/* The hash stored for a token (SHA-256 of its text). */
void kto_token_hash(const char *token, unsigned char out[KTO_TOKEN_HASH_BYTES]);

/* True when s has the form of a token: 22 base64url characters. */
bool kto_token_wellformed(const char *s);

#endif
