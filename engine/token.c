#include "engine/token.h"

#include <string.h>

#include <sodium.h>

enum kto_rc
kto_token_new(char out[KTO_TOKEN_CHARS + 1])
{
	unsigned char raw[KTO_TOKEN_BYTES];

	/* sodium_init() is idempotent and thread-safe. */
	if (sodium_init() < 0)
		return KTO_EINTERNAL;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, KTO_TOKEN_CHARS + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return KTO_OK;
}

void
kto_token_hash(const char *token, unsigned char out[KTO_TOKEN_HASH_BYTES])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

bool
kto_token_wellformed(const char *s)
{
	size_t n = strlen(s);

	if (n != KTO_TOKEN_CHARS)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}
