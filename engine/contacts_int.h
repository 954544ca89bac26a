/*
** engine/contacts internals, shared by contacts.c (validating and storing
** one contact) and contact_import.c (a CSV file of them).
*/
#ifndef KTO_ENGINE_CONTACTS_INT_H
#define KTO_ENGINE_CONTACTS_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/contacts.h"
#include "engine/email.h"

/* A contact after validation, ready to store. */
struct contact_row {
	const char *external_id;
	enum kto_channel channel;
	char contact_at[20];
	char email[KTO_EMAIL_MAX + 1];     /* "" when none */
	unsigned char email_hash[KTO_EMAIL_HASH_BYTES];
	const char *product, *team;        /* NULL when none */
	const char *language;              /* "nl" or "en" */
};

/*
** What validation needs from the database, read once: validation itself
** then runs without the connection, so the import can do it in a thread
** of its own.
*/
struct contact_checker {
	unsigned char email_key[KTO_EMAIL_KEY_BYTES];
	int64_t today_end;     /* seconds at the end of today: later is "future" */
};

enum kto_rc contact_checker_init(struct kto_db *db, struct contact_checker *c);
void contact_checker_clear(struct contact_checker *c);

/*
** Checks one contact; fills *row (whose strings point into *in), or writes
** the reason a clerk can act on and returns false.
*/
bool contact_validate(const struct contact_checker *c,
                      const struct kto_contact_input *in,
                      struct contact_row *row, char *reason, size_t rlen);

/* The statements that store contacts, prepared once per import. */
struct contact_stmts {
	sqlite3_stmt *find, *insert, *update, *touch, *sampled;
	char now[24];        /* created_at, bound once rather than per row */
};

enum kto_rc contact_stmts_prepare(struct kto_db *db, struct contact_stmts *s);
void contact_stmts_release(struct contact_stmts *s);

/*
** Stores a validated contact of municipality `mid`: added, updated,
** unchanged, or rejected with a reason (given twice in import `import_id`,
** or changed after being sampled).  import_id 0: not from a file.
*/
enum kto_rc contact_store(struct kto_db *db, struct contact_stmts *s,
                          int64_t mid, const struct contact_row *r,
                          int64_t import_id, int64_t row_no,
                          enum kto_contact_outcome *outcome, char *reason,
                          size_t rlen);

#endif
