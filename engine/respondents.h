/*
** Reading the respondents of a scope -- one wave, or every wave that starts
** in a year, of one municipality or of all -- for the respondent-data
** exports (report/export_read.c): the strata with their N_h, the complete
** responses, the definition versions they answered, and their answers.
**
** A scope's strata are its waves' channels (wave_channel rows); its
** responses are the complete ones of those strata.  Drafts are never read.
**
** What a reader hands out, and what it never does: a response's id (for
** the caller's bookkeeping: an export must not write it), stratum,
** definition version, completion time, language, desk and answers.  Never
** its invitation, session key, token or e-mail address.  Open and text
** answers are masked here, in the engine, as they are read (engine/mask.h,
** DESIGN.md section 7): the text a callback sees is kto_mask_text()'s
** output, and an answer the masking could not finish (PCRE2's match
** limits, or a masked text over KTO_RESPONDENTS_TEXT_MAX) reaches it only
** as a flag, without its text.  The raw text of an open answer does not
** leave this module.
**
** Each call is one query.  A caller that combines several (the export
** reads strata, then responses, then answers) wraps them in
** kto_db_read_begin() / kto_db_read_end(), so that they see one state of
** the database.  A callback's error stops the walk and is returned; the
** engine's own errors are described by kto_db_err(db) (KTO_EINTERNAL for
** a stored channel kto does not know, which the schema's checks exclude).
*/
#ifndef KTO_ENGINE_RESPONDENTS_H
#define KTO_ENGINE_RESPONDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/channel.h"
#include "engine/surveydef.h"

struct kto_db;

/* The longest masked answer handed out (the masks may lengthen a text). */
#define KTO_RESPONDENTS_TEXT_MAX ((size_t)1 << 20)

struct kto_respondents_scope {
	int64_t wave_id;             /* > 0: this wave ... */
	int year;                    /* ... else the waves starting in this year */
	const char *municipality;    /* its code as registered; NULL for all */
};

/* A stratum: a wave's channel. */
struct kto_respondents_stratum {
	int64_t wave_id;
	enum kto_channel channel;
	double population;           /* N_h as recorded; 0 when not known */
	const char *municipality;    /* the code; valid during the callback */
	const char *municipality_name;   /* valid during the callback */
};

/*
** Calls fn for each stratum of the scope, ordered by municipality code,
** wave and channel.  No stratum is not an error: fn is never called.
*/
enum kto_rc kto_respondents_strata(struct kto_db *db,
                                   const struct kto_respondents_scope *scope,
                                   enum kto_rc (*fn)(void *ctx,
                                       const struct kto_respondents_stratum *s),
                                   void *ctx);

/* A complete response and its stratum. */
struct kto_respondents_ref {
	int64_t response_id;
	int64_t wave_id;
	enum kto_channel channel;
};

/* Calls fn for each complete response of the scope, by ascending id. */
enum kto_rc kto_respondents_list(struct kto_db *db,
                                 const struct kto_respondents_scope *scope,
                                 enum kto_rc (*fn)(void *ctx,
                                                   const struct kto_respondents_ref *r),
                                 void *ctx);

/*
** Calls fn with each definition version that complete responses of the
** scope answered, once, ascending (kto_survey_version() gives its survey).
*/
enum kto_rc kto_respondents_versions(struct kto_db *db,
                                     const struct kto_respondents_scope *scope,
                                     enum kto_rc (*fn)(void *ctx, int64_t version_id),
                                     void *ctx);

/* A complete response with its answers; everything valid during the callback. */
struct kto_respondents_row {
	int64_t response_id;
	int64_t version_id;          /* the definition version answered */
	const struct kto_survey *survey;     /* ... parsed */
	const char *completed_at;    /* as stored (ISO 8601); NULL: not known */
	const char *language;        /* "nl", "en"; "" when not known */
	const char *desk;            /* the counter desk of the open link, or "" */
	/*
	** One per question of survey, answers[q->index]; KTO_ANSWER_NONE
	** for a question not answered.  An open or text question's text is
	** masked; where withheld[q->index] is true the masking could not
	** finish, and the answer is KTO_ANSWER_VALUE with text NULL: it
	** exists but must not be shown.
	*/
	const struct kto_answer *answers;
	const bool *withheld;
};

/*
** Calls fn for each complete response of the scope with its answers, by
** ascending id (the order of kto_respondents_list()).  KTO_EINTERNAL when
** masking fails for a reason other than its limits; the message says so.
*/
enum kto_rc kto_respondents_read(struct kto_db *db,
                                 const struct kto_respondents_scope *scope,
                                 enum kto_rc (*fn)(void *ctx,
                                                   const struct kto_respondents_row *r),
                                 void *ctx);

#endif
