/*
** The questionnaire's parts, private to web/: questionnaire.c (the flow
** of a request: which page, saving, the open link), questionnaire_render.c
** (the HTML of its pages) and questionnaire_form.c (reading a posted page).
*/
#ifndef KTO_WEB_QUESTIONNAIRE_INT_H
#define KTO_WEB_QUESTIONNAIRE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/municipality.h"
#include "engine/response.h"
#include "web/pages_int.h"

/* One request's view of a questionnaire. */
struct qform {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	char self[160];              /* the questionnaire's path: /s/TOKEN, /c/CODE */
	struct kto_respondent who;
	struct kto_municipality town;    /* its colour and privacy statement */
	const struct kto_survey *s;  /* shared: see kto_respondent_survey() */
	struct kto_answer *ans;      /* per question: saved, then as posted */
	const char **raw;            /* per question: what was typed, to show again */
	const char **error;          /* per question: what is wrong, or NULL */
	size_t n_errors;
	bool en;                     /* the page is in English */
	size_t page;
	bool waiting;                /* a write is pending: f lives in the arena */
	bool not_saved;              /* the database was busy or full: try again */
};

/* Why a posted form cannot be used at all: it did not come from our page. */
struct forged {
	char what[200];
};

static inline const char *
q_tx(const struct qform *f, const struct kto_text *t)
{
	return f->en && t->en != NULL ? t->en : t->nl;
}

static inline const char *
q_ui(const struct qform *f, const char *nl, const char *en)
{
	return f->en ? en : nl;
}


/* What is shown (questionnaire.c): show-if of pages and questions. */
bool q_page_shown(struct qform *f, size_t i);
bool q_question_shown(struct qform *f, const struct kto_question *q);
size_t q_next_shown(struct qform *f, size_t i);     /* n_pages: none */
size_t q_prev_shown(struct qform *f, size_t i);     /* SIZE_MAX: none */

/* The pages (questionnaire_render.c). */
void q_render(struct qform *f);        /* the page f->page, with f's errors */
void q_thanks(struct qform *f);
void q_closed(struct qform *f);
void q_opted_out(struct qform *f);
void q_bad_form(struct qform *f, const struct forged *why);
void q_link_not_valid(const struct kto_web_request *r, struct kto_web_page *p);
bool q_code_chosen(const struct kto_answer *a, const char *code);
bool q_has_options(const struct kto_question *q);

/* Reading a posted page (questionnaire_form.c); false: not our form. */
bool q_posted_page(struct qform *f, struct forged *why);
bool q_read_page(struct qform *f, struct forged *why);
const char *q_posted_action(const struct kto_web_request *r);

#endif
