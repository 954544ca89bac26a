/*
** The open answers of a municipality's citizens ("Wat kan beter?"), as
** they were typed, for the portal to mask (engine/mask) and show.  Only
** answers to questions of type open, of complete responses.
*/
#ifndef KTO_ENGINE_OPEN_ANSWERS_H
#define KTO_ENGINE_OPEN_ANSWERS_H

#include <stdint.h>

#include "base/status.h"

struct kto_db;

struct kto_open_answer {
	char channel[8];
	char question[64];           /* its id */
	const char *question_text;   /* Dutch; valid during the callback */
	const char *text;            /* unmasked: mask before showing */
	char completed[11];          /* the date */
};

/*
** Calls fn for the open answers of municipality `code` in the waves that
** start in `year`, newest first.  fn's error stops the walk.
*/
enum kto_rc kto_open_answers(struct kto_db *db, const char *code, int year,
                             enum kto_rc (*fn)(void *ctx, const struct kto_open_answer *a),
                             void *ctx);

#endif
