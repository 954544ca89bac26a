#include "engine/email.h"

#include <string.h>

#include <sodium.h>

#include "engine/db_int.h"

#define KEY_SETTING "address_hash_key"

bool
kto_email_is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static const char *
domain_problem(const char *d)
{
	size_t label = 0;
	int labels = 1;
	const char *start = d;

	if (*d == '\0')
		return "has nothing after the '@'";
	if (*d == '[')
		return "has an IP address instead of a domain";
	for (; *d; d++) {
		unsigned char c = (unsigned char)*d;

		if (c == '.') {
			if (label == 0)
				return "has an empty part in the domain ('..' or a dot "
				    "at the start)";
			if (d[-1] == '-')
				return "has a domain part that ends with '-'";
			label = 0;
			labels++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return "has a character that is not allowed in the domain";
		if (c == '-' && label == 0)
			return "has a domain part that starts with '-'";
		if (++label > 63)
			return "has a domain part longer than 63 characters";
	}
	if (label == 0)
		return "ends with a dot";
	if (d[-1] == '-')
		return "has a domain part that ends with '-'";
	if (labels < 2)
		return "has a domain without a dot (such as 'example.nl')";
	(void)start;
	return NULL;
}

const char *
kto_email_problem(const char *addr)
{
	const char *at, *p;
	size_t n = strlen(addr), local;

	if (n == 0)
		return "is empty";
	if (strpbrk(addr, "\r\n") != NULL)
		return "contains a line break";
	if (n > KTO_EMAIL_MAX)
		return "is longer than 254 characters";
	for (p = addr; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			return "contains characters outside ASCII";
		if ((unsigned char)*p <= ' ' || *p == 0x7F)
			return "contains a space or a control character";
	}
	at = strchr(addr, '@');
	if (at == NULL)
		return "has no '@'";
	if (strchr(at + 1, '@') != NULL)
		return "has more than one '@'";
	local = (size_t)(at - addr);
	if (local == 0)
		return "has nothing before the '@'";
	if (local > 64)
		return "has more than 64 characters before the '@'";
	if (addr[0] == '.' || at[-1] == '.')
		return "has a dot at the start or end of the part before the '@'";
	for (p = addr; p < at; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return "has two dots in a row";
			continue;
		}
		if (!kto_email_is_atext((unsigned char)*p))
			return "has a character that is not allowed before the '@'";
	}
	return domain_problem(at + 1);
}

bool
kto_email_normalize(const char *addr, char *out)
{
	size_t n;

	while (*addr == ' ' || *addr == '\t')
		addr++;
	n = strlen(addr);
	while (n > 0 && (addr[n - 1] == ' ' || addr[n - 1] == '\t'))
		n--;
	if (n > KTO_EMAIL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = addr[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return true;
}

_Static_assert(KTO_EMAIL_KEY_BYTES == crypto_generichash_KEYBYTES,
    "the address key is a BLAKE2b key");

/* The installation's key for address hashes, created once. */
static enum kto_rc
hash_key(struct kto_db *db, unsigned char key[crypto_generichash_KEYBYTES])
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT value FROM setting WHERE key = ?", "t",
	    KEY_SETTING);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		if (sqlite3_column_bytes(st, 0) != crypto_generichash_KEYBYTES) {
			sqlite3_finalize(st);
			return kto_db_seterr(db, KTO_EINTERNAL, "the address hash key "
			    "in the database has the wrong length");
		}
		memcpy(key, sqlite3_column_blob(st, 0), crypto_generichash_KEYBYTES);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK || row)
		return rc;
	if (sodium_init() < 0)
		return kto_db_seterr(db, KTO_EINTERNAL, "libsodium could not start");
	randombytes_buf(key, crypto_generichash_KEYBYTES);
	/* OR IGNORE: another process may have created it first; read theirs. */
	rc = kto_db_exec(db, "INSERT OR IGNORE INTO setting (key, value) VALUES (?, ?)",
	    "tb", KEY_SETTING, key, (size_t)crypto_generichash_KEYBYTES);
	if (rc != KTO_OK)
		return rc;
	return hash_key(db, key);
}

enum kto_rc
kto_email_hash_key(struct kto_db *db, unsigned char key[KTO_EMAIL_KEY_BYTES])
{
	enum kto_rc rc;

	if (!db->hash_key_ready) {
		if ((rc = hash_key(db, db->hash_key)) != KTO_OK)
			return rc;
		db->hash_key_ready = true;
	}
	memcpy(key, db->hash_key, KTO_EMAIL_KEY_BYTES);
	return KTO_OK;
}

void
kto_email_hash_keyed(const unsigned char key[KTO_EMAIL_KEY_BYTES],
                     const char *normalized, unsigned char out[KTO_EMAIL_HASH_BYTES])
{
	crypto_generichash(out, KTO_EMAIL_HASH_BYTES, (const unsigned char *)normalized,
	    strlen(normalized), key, KTO_EMAIL_KEY_BYTES);
}

enum kto_rc
kto_email_hash(struct kto_db *db, const char *normalized,
               unsigned char out[KTO_EMAIL_HASH_BYTES])
{
	unsigned char key[KTO_EMAIL_KEY_BYTES];
	enum kto_rc rc;

	if ((rc = kto_email_hash_key(db, key)) != KTO_OK)
		return rc;
	kto_email_hash_keyed(key, normalized, out);
	sodium_memzero(key, sizeof key);
	return KTO_OK;
}
