/*
** Municipalities (gemeenten): the participants of the benchmark, each in at
** most one comparison circle.
*/
#ifndef KTO_ENGINE_MUNICIPALITY_H
#define KTO_ENGINE_MUNICIPALITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/naming.h"

struct kto_db;

struct kto_municipality {
	int64_t id;
	char code[KTO_CODE_MAX + 1];
	char name[KTO_NAME_MAX + 1];
	char circle_code[KTO_CODE_MAX + 1];   /* "" when in no circle */
	char circle_name[KTO_NAME_MAX + 1];
	char created_at[32];
};

/*
** Registers a municipality, in circle_code when that is not NULL.
** KTO_EEXISTS (naming the existing record) when the code is taken,
** KTO_ENOTFOUND when the circle does not exist, KTO_EINPUT for a bad code or
** name.  *id_out (may be NULL) receives the new id.
*/
enum kto_rc kto_municipality_add(struct kto_db *db, const char *actor,
                                 const char *code, const char *name,
                                 const char *circle_code, int64_t *id_out);

/* Looks a municipality up by code (case-insensitive); KTO_ENOTFOUND if none. */
enum kto_rc kto_municipality_find(struct kto_db *db, const char *code,
                                  struct kto_municipality *out);

/*
** Municipalities ordered by code, all of them or (circle_code not NULL) one
** circle's.  *out is an array of *count elements the caller frees with
** free(3).  KTO_ENOTFOUND when the named circle does not exist.
*/
enum kto_rc kto_municipality_list(struct kto_db *db, const char *circle_code,
                                  struct kto_municipality **out, size_t *count);

/* What kto_municipality_update changes: NULL fields stay as they are. */
struct kto_municipality_changes {
	const char *name;
	const char *circle_code;   /* "" takes the municipality out of its circle */
};

/* Renames a municipality or moves it to another circle. */
enum kto_rc kto_municipality_update(struct kto_db *db, const char *actor,
                                    const char *code,
                                    const struct kto_municipality_changes *ch);

#endif
