/*
** Comparison circles (vergelijkingskringen): groups of about ten comparable
** municipalities whose marks are benchmarked against each other.
*/
#ifndef KTO_ENGINE_CIRCLE_H
#define KTO_ENGINE_CIRCLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/naming.h"

struct kto_db;

struct kto_circle {
	int64_t id;
	char code[KTO_CODE_MAX + 1];
	char name[KTO_NAME_MAX + 1];
	int64_t members;            /* number of municipalities in the circle */
};

/*
** Creates a circle.  KTO_EEXISTS (naming the existing circle) when the code
** is taken, case-insensitively; KTO_EINPUT for a bad code or name.  actor is
** recorded in the audit log.  *id_out (may be NULL) receives the new id.
*/
enum kto_rc kto_circle_add(struct kto_db *db, const char *actor, const char *code,
                           const char *name, int64_t *id_out);

/* Looks a circle up by code; KTO_ENOTFOUND when there is none. */
enum kto_rc kto_circle_find(struct kto_db *db, const char *code,
                            struct kto_circle *out);

/*
** All circles ordered by code.  *out is an array of *count elements that the
** caller frees with free(3); NULL when there are none.
*/
enum kto_rc kto_circle_list(struct kto_db *db, struct kto_circle **out,
                            size_t *count);

#endif
