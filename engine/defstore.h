/*
** Stored survey definitions: every loaded file becomes an immutable
** version with a content hash; waves and responses point at a version.
*/
#ifndef KTO_ENGINE_DEFSTORE_H
#define KTO_ENGINE_DEFSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/status.h"

struct kto_db;

struct kto_def_version {
	int64_t id;              /* of the version: what waves point at */
	char name[65];           /* the survey's name */
	char channel[16];
	int64_t version;         /* 1, 2, ... per survey */
	char hash[65];           /* SHA-256 of the file, hex */
	char source_name[256];   /* the file it was loaded from */
	char loaded_at[32];
	int64_t responses;       /* responses that answered this version */
};

/*
** Stores src (the text of file source_name) as a new version of the survey
** it defines.  Loading a text that is stored already changes nothing and
** sets *created to false.  A definition with errors is not stored:
** KTO_EINPUT with the problems in diags.  A new version may not change the
** survey's channel, nor, once a version has responses, a question's type
** or the options answers were given with (HARDENING.md D4): those answers
** would no longer compare.  *out describes the (new or existing) version.
*/
enum kto_rc kto_def_load(struct kto_db *db, const char *actor,
                         const char *source_name, const char *src, size_t len,
                         struct kto_def_version *out, bool *created,
                         struct kto_diags *diags);

/*
** Stored versions ordered by name and version; only the newest of each
** survey when latest_only.  *out is freed by the caller with free(3).
*/
enum kto_rc kto_def_list(struct kto_db *db, bool latest_only,
                         struct kto_def_version **out, size_t *count);

/*
** Finds a version by reference: a version id ("12"), a survey name (its
** newest version, "kto-balie") or name@version ("kto-balie@2").  *source
** (may be NULL) receives the stored text, to be freed with free(3).
*/
enum kto_rc kto_def_get(struct kto_db *db, const char *ref,
                        struct kto_def_version *out, char **source);

#endif
