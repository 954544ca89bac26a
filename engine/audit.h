/*
** The audit log: who did what, when.  Rows are append-only (triggers
** refuse updates and deletes).  Callers write the entry inside the same
** transaction as the change it records, so the log and the data never
** disagree.  No entry ever holds a password, a token or a key: only who,
** what, which municipality, and a short subject and detail.
*/
#ifndef KTO_ENGINE_AUDIT_H
#define KTO_ENGINE_AUDIT_H

#include <stdint.h>

#include "base/status.h"
#include "engine/municipality.h"

struct kto_db;

/*
** Appends an entry.  actor is who did it ("cli:alice", "user:12"),
** action a dotted verb ("circle.add"), municipality_id 0 when none,
** subject and detail free text (either may be NULL).
*/
enum kto_rc kto_audit(struct kto_db *db, const char *actor, const char *action,
                      int64_t municipality_id, const char *subject,
                      const char *detail);

/* The same with the municipality named by its code (unknown: none). */
enum kto_rc kto_audit_code(struct kto_db *db, const char *actor, const char *action,
                           const char *municipality, const char *subject,
                           const char *detail);

/* Which entries kto_audit_list() gives; NULL or 0 fields do not filter. */
struct kto_audit_filter {
	const char *since;          /* at or after this date or time (ISO 8601) */
	const char *until;          /* before the end of this date, or this time */
	const char *municipality;   /* a municipality's code */
	const char *action;         /* an action or its start ("user." or "user") */
	int64_t before_id;          /* only entries older than this one (paging) */
	int limit;                  /* at most this many; 0: KTO_AUDIT_LIMIT */
};

#define KTO_AUDIT_LIMIT 100
#define KTO_AUDIT_LIMIT_MAX 100000

struct kto_audit_entry {
	int64_t id;
	char at[32];
	char actor[256];
	char action[64];
	char municipality[KTO_CODE_MAX + 1];   /* "" when none */
	char subject[256];
	char detail[512];
};

/*
** Calls each for the entries that pass f, newest first, until it returns
** other than KTO_OK (which is then returned).  KTO_EINPUT with a message
** for a date that is not one.
*/
enum kto_rc kto_audit_list(struct kto_db *db, const struct kto_audit_filter *f,
                           enum kto_rc (*each)(void *ctx, const struct kto_audit_entry *e),
                           void *ctx);

#endif
