/*
** Internals shared by the survey-definition parser (surveydef.c) and the
** condition language (cond.c).  Private to engine/.
*/
#ifndef KTO_ENGINE_SURVEYDEF_INT_H
#define KTO_ENGINE_SURVEYDEF_INT_H

#include "base/arena.h"
#include "engine/surveydef.h"

/* The most memory one parsed survey may take (the file is at most 1 MiB). */
#define KTO_DEF_MAX_MEMORY (64u << 20)

/* Where a condition came from, which decides what it may refer to. */
enum cond_owner {
	COND_QUESTION_SHOW,   /* show-if of a question: earlier pages only */
	COND_PAGE_SHOW,       /* show-if of a page: earlier pages only */
	COND_NORM             /* met-if, applies-if: any question */
};

/* A condition as written, parsed after all questions are known. */
struct pending_cond {
	const char *text;
	int line, col;                 /* of the text's first character */
	enum cond_owner owner;
	size_t owner_index;            /* question or page index */
	const struct kto_cond **slot;  /* where the parsed condition goes */
	const struct kto_question *norm_item;  /* met-if: must use the item */
};

struct parser {
	struct kto_arena *arena;
	struct kto_diags *diags;
	bool oom;
	struct kto_survey *survey;

	/* The model while it is built (the survey points into these). */
	struct kto_question *questions;
	size_t n_questions;
	struct kto_page *pages;
	size_t n_pages;
	struct kto_norm *norms;
	size_t n_norms;

	struct pending_cond *conds;
	size_t n_conds, cap_conds;
};

void parser_error(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void parser_warning(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parses yes/no/ja/nee, case-insensitively. */
bool kto_yesno_parse(const char *s, bool *out);

/* Parses YYYY-MM-DD into YYYYMMDD; false when it is not a real date. */
bool kto_date_parse(const char *s, double *out);

/* Looks up a question by id among all questions of the file. */
const struct kto_question *parser_question(const struct parser *p, const char *id);

/*
** Parses, type-checks and resolves the pending condition c into *c->slot,
** reporting every problem in p->diags.
*/
void cond_resolve(struct parser *p, const struct pending_cond *c);

/* Reports show-if references that form a cycle; returns true if any. */
bool cond_report_cycles(struct parser *p);

#endif
