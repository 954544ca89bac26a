/*
** Survey definitions: the parsed, immutable model of one .kto file
** (survey-defs/FORMAT.md is the reference of the format).
**
** kto_survey_parse() turns source text into a struct kto_survey.  All of
** the model lives in one arena owned by the survey and is released by
** kto_survey_free(); nothing in it changes after parsing, so one survey can
** be shared by every thread of the web server.  Regular expressions are
** compiled once here (JIT where available) with match limits set.
*/
#ifndef KTO_ENGINE_SURVEYDEF_H
#define KTO_ENGINE_SURVEYDEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/status.h"
#include "engine/channel.h"

/* Limits of FORMAT.md section 8. */
#define KTO_DEF_MAX_FILE        (1u << 20)
#define KTO_DEF_MAX_LINE        8192
#define KTO_DEF_MAX_TEXT        5000    /* characters of one text */
#define KTO_DEF_MAX_MAIL_BODY   20000
#define KTO_DEF_MAX_QUESTIONS   200
#define KTO_DEF_MAX_PAGES       50
#define KTO_DEF_MAX_OPTIONS     100
#define KTO_DEF_MAX_NORMS       50
#define KTO_DEF_MAX_DEPTH       32      /* nesting of a condition */
#define KTO_DEF_MAX_ID          32      /* bytes of an id or option code */
#define KTO_DEF_MAX_ANSWER_TEXT 5000    /* the largest max-length */

enum kto_qtype {
	KTO_Q_MARK,      /* 1..10 */
	KTO_Q_SCALE,     /* 1..5 with labels */
	KTO_Q_YESNO,
	KTO_Q_CHOICE,
	KTO_Q_MULTI,
	KTO_Q_NUMBER,
	KTO_Q_TEXT,
	KTO_Q_OPEN,
	KTO_Q_DATE,
	KTO_Q_COUNT
};

/* The name used in files: "mark", "scale", ... */
const char *kto_qtype_name(enum kto_qtype t);

/* Performance areas (prestatiegebieden), DOMAIN.md section 1. */
enum kto_area {
	KTO_AREA_NONE,
	KTO_AREA_BER,    /* bereikbaarheid */
	KTO_AREA_TOE,    /* beschikbaarheid en toegankelijkheid */
	KTO_AREA_INF,    /* informatievoorziening */
	KTO_AREA_WAC,    /* wachttijden */
	KTO_AREA_LEV,    /* levertijden */
	KTO_AREA_TAR,    /* tarieven */
	KTO_AREA_BEJ,    /* bejegening */
	KTO_AREA_BET,    /* betrouwbaarheid */
	KTO_AREA_TOT,    /* totaaloordeel */
	KTO_AREA_COUNT
};

const char *kto_area_code(enum kto_area a);    /* "BER"; "" for none */
const char *kto_area_dutch(enum kto_area a);   /* "bereikbaarheid" */

/* A text in Dutch and, optionally, English (en is NULL when absent). */
struct kto_text {
	const char *nl;
	const char *en;
};

struct kto_option {
	const char *code;
	struct kto_text label;
};

struct kto_question;

/* Conditions: show-if, met-if, applies-if (FORMAT.md section 5). */
enum kto_cond_kind {
	KTO_COND_AND, KTO_COND_OR, KTO_COND_NOT,
	KTO_COND_CMP,        /* q op value */
	KTO_COND_IN,         /* q in (values) */
	KTO_COND_ANSWERED,   /* q is answered */
	KTO_COND_DONT_KNOW   /* q is dont-know */
};

enum kto_cmp { KTO_CMP_EQ, KTO_CMP_NE, KTO_CMP_LT, KTO_CMP_LE, KTO_CMP_GT, KTO_CMP_GE };

/*
** A value in a condition.  Numbers (mark, scale, number) and dates (as
** YYYYMMDD, so that they order correctly) are in num; option codes and
** yes/no (as "yes" or "no") are in code.
*/
struct kto_value {
	double num;
	const char *code;
};

struct kto_cond {
	enum kto_cond_kind kind;
	const struct kto_cond *a, *b;        /* operands of and/or/not */
	const struct kto_question *q;        /* for the comparisons */
	enum kto_cmp cmp;
	const struct kto_value *values;      /* one for CMP, n for IN */
	size_t n_values;
	int line, col;
	const char *source;                  /* as written; set on the root only */
};

struct kto_question {
	const char *id;
	enum kto_qtype type;
	size_t index;                /* position in the survey, from 0 */
	size_t page;                 /* index of its page */
	int line;
	struct kto_text text, help;
	enum kto_area area;
	bool required;
	bool dont_know;              /* offers "weet niet / n.v.t." */
	struct kto_text dont_know_label;
	const struct kto_cond *show_if;
	const struct kto_option *options;    /* choice, multi, scale */
	size_t n_options;
	/* number: the range; date: YYYYMMDD, with min_today/max_today */
	bool has_min, has_max, min_today, max_today;
	double min, max;
	int decimals;
	struct kto_text unit;
	int min_choices, max_choices;        /* multi; 0 when not set */
	int max_length;                      /* text, open: characters */
	const char *pattern_source;          /* text: NULL when none */
	void *pattern;                       /* pcre2_code *, compiled once */
	struct kto_text pattern_message;
};

struct kto_page {
	const char *id;
	int line;
	struct kto_text title, intro;
	const struct kto_cond *show_if;
	size_t first_question, n_questions;
};

struct kto_norm {
	const char *id;
	int line;
	struct kto_text text;
	const struct kto_question *item;
	const struct kto_cond *met_if;
	const struct kto_cond *applies_if;   /* NULL: everyone who answered item */
	double target;                       /* percentage, 0..100 */
};

struct kto_mail {
	bool present;
	struct kto_text subject, body;
};

struct kto_survey {
	const char *name;
	enum kto_channel channel;
	struct kto_text title, intro, thanks;
	const struct kto_question *overall;
	const struct kto_page *pages;
	size_t n_pages;
	const struct kto_question *questions;
	size_t n_questions;
	const struct kto_norm *norms;
	size_t n_norms;
	struct kto_mail invitation, reminder;
	bool has_english;            /* any English text at all */
};

/*
** Parses src[0..len).  file is only used in messages.  Every problem found
** is added to diags (errors and warnings, with line and column), not only
** the first.  On success *out is the survey, to be freed with
** kto_survey_free(); with any error *out is NULL and KTO_EINPUT is returned.
** KTO_ENOMEM when memory ran out.
*/
enum kto_rc kto_survey_parse(const char *src, size_t len,
                             struct kto_survey **out, struct kto_diags *diags);

void kto_survey_free(struct kto_survey *s);

/* The question with this id (case-insensitive), or NULL. */
const struct kto_question *kto_survey_question(const struct kto_survey *s,
                                               const char *id);

/* The option with this code, or NULL. */
const struct kto_option *kto_question_option(const struct kto_question *q,
                                             const char *code);

/* An answer, as the web layer and the statistics see it. */
enum kto_answer_state { KTO_ANSWER_NONE, KTO_ANSWER_DONT_KNOW, KTO_ANSWER_VALUE };

struct kto_answer {
	enum kto_answer_state state;
	double num;                  /* mark, scale, number; date as YYYYMMDD */
	const char *code;            /* yesno ("yes"/"no"), choice */
	const char *const *codes;    /* multi: the chosen codes */
	size_t n_codes;
	const char *text;            /* text, open */
};

/* Looks up the answer to q; NULL means unanswered. */
typedef const struct kto_answer *(*kto_answer_lookup)(void *ctx,
                                                      const struct kto_question *q);

/* Evaluates a condition; NULL is true.  Comparisons with no answer are false. */
bool kto_cond_eval(const struct kto_cond *c, kto_answer_lookup lookup, void *ctx);

/*
** Checks a text answer against the question's pattern.  Returns KTO_OK when
** it matches (or there is no pattern), KTO_EINPUT when it does not, and
** KTO_ELIMIT when PCRE2's match limits were hit (treat as not matching).
*/
enum kto_rc kto_question_match(const struct kto_question *q, const char *answer);

#endif
