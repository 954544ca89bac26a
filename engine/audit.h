/*
** The audit log: who did what, when.  Rows are append-only (a trigger
** refuses updates).  Callers write the entry inside the same transaction
** as the change it records, so the log and the data never disagree.
*/
#ifndef KTO_ENGINE_AUDIT_H
#define KTO_ENGINE_AUDIT_H

#include <stdint.h>

#include "base/status.h"

struct kto_db;

/*
** Appends an entry.  actor is who did it ("cli:alice", "user:12"),
** action a dotted verb ("circle.add"), municipality_id 0 when none,
** subject and detail free text (either may be NULL).
*/
enum kto_rc kto_audit(struct kto_db *db, const char *actor, const char *action,
                      int64_t municipality_id, const char *subject,
                      const char *detail);

#endif
