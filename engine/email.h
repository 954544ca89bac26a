/*
** E-mail addresses of citizens: validation, normalisation and the keyed
** hash that identifies an address without storing it.
*/
#ifndef KTO_ENGINE_EMAIL_H
#define KTO_ENGINE_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

#define KTO_EMAIL_MAX 254               /* RFC 5321's limit on a path */
#define KTO_EMAIL_HASH_BYTES 32

struct kto_db;

/*
** Checks that addr is an address kto can deliver to: at most 254
** characters, one '@', a dot-atom local part of at most 64 characters and a
** domain of LDH labels with a dot.  Quoted local parts, IP-literal domains
** and non-ASCII addresses are refused: municipal systems do not produce
** them and they complicate every mail header they go into.  A CR or LF is
** refused by name, since it would otherwise smuggle SMTP commands or
** headers (HARDENING.md C5).  Returns NULL when valid, else a reason
** a clerk understands ("has no '@'").
*/
const char *kto_email_problem(const char *addr);

/* True for RFC 5322's atext: the characters of a dot-atom's atoms. */
bool kto_email_is_atext(unsigned char c);

/*
** The normal form used for hashing and for comparing addresses: surrounding
** white space removed and ASCII letters lowered.  out must hold
** KTO_EMAIL_MAX + 1 bytes; false when addr is too long.
*/
bool kto_email_normalize(const char *addr, char *out);

/*
** The keyed hash (BLAKE2b, libsodium's crypto_generichash) of a normalised
** address, with the installation's secret key (created on first use in the
** setting table).  A keyed hash, not a plain one: the small space of likely
** addresses would make a plain hash easy to reverse.
*/
enum kto_rc kto_email_hash(struct kto_db *db, const char *normalized,
                           unsigned char out[KTO_EMAIL_HASH_BYTES]);

/*
** The same in two steps, for work that runs away from the database
** connection (the import's reader thread): the installation's key, read
** (or created) once, then as many hashes as needed without the database.
** Clear the key with sodium_memzero() when done.
*/
#define KTO_EMAIL_KEY_BYTES 32
enum kto_rc kto_email_hash_key(struct kto_db *db,
                               unsigned char key[KTO_EMAIL_KEY_BYTES]);
void kto_email_hash_keyed(const unsigned char key[KTO_EMAIL_KEY_BYTES],
                          const char *normalized,
                          unsigned char out[KTO_EMAIL_HASH_BYTES]);

#endif
