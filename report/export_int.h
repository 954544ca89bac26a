/*
** Inside report/export: the respondent data as export_read.c loads it and
** export_data.c (CSV) and export_sav.c (.sav) write it, and the number
** formatting the CSV writers share.
**
** The data is a table: one row per complete response, one column per
** variable.  Every column has a name valid in SPSS and R (unique without
** regard to case), a Dutch label, and per row a cell: a state and a
** number.  Text columns (codes, names, desk) take their text from the row
** or its stratum instead; the answers to open and text questions are kept
** per column and row, masked (engine/mask.h) as they are read.
*/
#ifndef KTO_REPORT_EXPORT_INT_H
#define KTO_REPORT_EXPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "report/export.h"

/* SPSS: variable names up to 64 bytes, value labels up to 120. */
#define XP_NAME_MAX 64
#define XP_VALUE_LABEL_MAX 120
#define XP_VAR_LABEL_MAX 255
/* SPSS: the widest string variable, in bytes (a "very long string"). */
#define XP_STRING_MAX 32767
/* What an answer that could not be masked is exported as. */
#define XP_UNMASKABLE "[antwoord niet te tonen]"

enum xp_kind {
	/* One per respondent, from the row and its stratum. */
	XP_RESPONDENT,           /* the respondent number */
	XP_MUNICIPALITY,         /* text: the code */
	XP_MUNICIPALITY_NAME,    /* text */
	XP_CHANNEL,              /* CSV: counter/phone/email; .sav: 1/2/3 labelled */
	XP_WAVE,
	XP_STRATUM,              /* 1..H, labelled in the .sav */
	XP_WEIGHT,               /* N_h / n_h */
	XP_POPULATION,           /* N_h */
	XP_COMPLETED,            /* a date */
	XP_LANGUAGE,             /* text: nl, en */
	XP_DESK,                 /* text: the counter desk of the open link */
	/* From the answers: the cell holds the value. */
	XP_MARK,                 /* 1..10 (a mark question, or TOT) */
	XP_SCALE,                /* 1..5 */
	XP_YESNO,                /* 1 ja, 0 nee */
	XP_CHOICE,               /* the option's number; CSV writes its code */
	XP_OPTION,               /* of a multi: 1 chosen, 0 not */
	XP_NUMBER,
	XP_DATE,                 /* YYYYMMDD */
	XP_DONT_KNOW,            /* 1 "weet niet", 0 not; missing: not asked */
	XP_TEXT                  /* an open or text answer, masked: in texts */
};

enum xp_cell { XP_CELL_MISSING, XP_CELL_VALUE, XP_CELL_DONT_KNOW };

struct xp_option {
	char *code;              /* XP_CHOICE: the option code */
	char *label;             /* the Dutch label */
};

struct xp_column {
	char name[XP_NAME_MAX + 1];
	char *label;             /* Dutch variable label; may be longer than SPSS's */
	enum xp_kind kind;
	struct xp_option *options;   /* XP_CHOICE, XP_SCALE: by number - 1;
	                                XP_OPTION: its one option */
	size_t n_options, cap_options;
	char *dk_label;          /* NULL: the question offers no "weet niet" */
	double dk_code;          /* the .sav's user-missing code; NAN: none */
	int decimals;            /* XP_NUMBER */
	size_t width;            /* text columns: the longest value in bytes */
	char **texts;            /* XP_TEXT: per row the masked answer; NULL none */
};

struct xp_stratum {
	int64_t wave_id;
	int channel;             /* enum kto_channel */
	double population;       /* N_h, at least n_h */
	int64_t n;               /* n_h: complete responses */
	char code[33];
	char *name;              /* the municipality's name */
};

struct xp_row {
	uint64_t key;            /* its place in the shuffled order */
	int64_t response_id;     /* while loading only; never written */
	size_t stratum;
	int completed;           /* YYYYMMDD; 0 unknown */
	char language[4];
	char desk[33];
};

struct kto_respondent_data {
	struct xp_column *cols;
	size_t n_cols, cap_cols;
	struct xp_stratum *strata;
	size_t n_strata, cap_strata;
	struct xp_row *rows;     /* sorted by key: row i is respondent i + 1 */
	size_t n_rows, cap_rows;
	double *value;           /* n_rows x n_cols */
	unsigned char *state;    /* n_rows x n_cols, enum xp_cell */
	char scope_text[96];     /* "wave 3", "2026, GM0001": for labels */
};

/* A column's cell of row r. */
static inline size_t
xp_cell(const struct kto_respondent_data *d, size_t r, size_t c)
{
	return r * d->n_cols + c;
}

/*
** Appends v to b as the CSV dialect writes numbers: the fewest significant
** digits that read back to v, '.' or ',' as the decimal separator; nothing
** (an empty field) when v is not finite.
*/
enum kto_rc xp_number(struct kto_buf *b, double v, enum kto_export_dialect d);

/* Writes all of b to out; KTO_EIO with the reason in err. */
enum kto_rc xp_write(FILE *out, const struct kto_buf *b, struct kto_err *err);

/*
** Copies at most max bytes of s into a new string, cutting at a UTF-8
** character boundary (SPSS's label limits are in bytes).
*/
char *xp_truncate(const char *s, size_t max);

#endif
