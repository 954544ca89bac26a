/*
** kto check: is the database intact, and does its content keep the data
** model's rules -- the ones SQLite's constraints cannot state?
*/
#ifndef KTO_ENGINE_CHECK_H
#define KTO_ENGINE_CHECK_H

#include <stddef.h>

#include "base/status.h"

struct kto_db;

/*
** Runs every check: PRAGMA integrity_check, PRAGMA foreign_key_check, and
** kto's own rules (waves, invitations, responses, the outbox, imports).
** Each problem found goes to problem(ctx, check, message): check is the
** short name of the rule ("integrity", "wave-state", ...), message says
** what is wrong, where, and what to do.  *n_problems counts them.
**
** KTO_OK when the checks ran -- whether or not they found problems; an
** error (message in db) only when they could not run.
*/
enum kto_rc kto_db_check(struct kto_db *db,
                         void (*problem)(void *ctx, const char *check,
                                         const char *message),
                         void *ctx, size_t *n_problems);

#endif
