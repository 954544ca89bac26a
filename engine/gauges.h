/*
** Gauges: what the database holds right now, by state, for monitoring
** (kto serve's /metrics): the mail outbox, the invitations, the responses
** and the size of the file.
*/
#ifndef KTO_ENGINE_GAUGES_H
#define KTO_ENGINE_GAUGES_H

#include <stdint.h>

#include "base/status.h"

struct kto_db;

/* The states of the schema's CHECK constraints, in this order. */
#define KTO_OUTBOX_STATES 5       /* queued sending sent temp_failed perm_failed */
#define KTO_INVITATION_STATES 6   /* queued invited reminded responded opted_out failed */
#define KTO_RESPONSE_STATES 2     /* draft complete */

extern const char *const kto_outbox_state_names[KTO_OUTBOX_STATES];
extern const char *const kto_invitation_state_names[KTO_INVITATION_STATES];
extern const char *const kto_response_state_names[KTO_RESPONSE_STATES];

struct kto_gauges {
	int64_t outbox[KTO_OUTBOX_STATES];
	int64_t invitations[KTO_INVITATION_STATES];
	int64_t responses[KTO_RESPONSE_STATES];
	int64_t db_bytes;         /* the database file's pages */
	int64_t wal_bytes;        /* the write-ahead log file; 0 when none */
};

/*
** Reads every gauge in one read transaction.  Counting invitations scans
** them: a few milliseconds per 100,000, fine for a scrape every 15 s or
** more.  On error (message in db) *out is all zeros.
*/
enum kto_rc kto_gauges_read(struct kto_db *db, struct kto_gauges *out);

#endif
