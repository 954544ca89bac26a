/*
** Exports for analysts (docs/exports.md): the aggregated results of a
** result set as CSV or JSON, and the anonymised respondent data of a wave
** or a year as CSV or SPSS .sav (through ReadStat's writer).
**
** CSV comes in two dialects.  "comma" is RFC 4180 with a decimal point,
** for R, Python and most tools.  "nl" is what Excel with Dutch regional
** settings reads as numbers: ';' between fields and a decimal comma, and
** a UTF-8 byte-order mark, without which Excel takes the file for
** Windows-1252 and garbles "één".  Both end records with CRLF; every text
** field goes through kto_csv_field(), so a field that starts with = + -
** @ (or tab, CR) gets a ' in front and cannot run as a formula (HARDENING
** C9).  Numbers are written with the fewest digits that read back to the
** same double; a missing number is an empty field.
**
** Exports are written to a temporary file beside the destination and
** renamed over it only when complete (struct kto_export_file), so a failed
** export never leaves half a file.
*/
#ifndef KTO_REPORT_EXPORT_H
#define KTO_REPORT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/status.h"

struct kto_db;

enum kto_export_dialect {
	KTO_DIALECT_COMMA,       /* ',' and a decimal point */
	KTO_DIALECT_NL           /* ';' and a decimal comma (Dutch Excel) */
};

struct kto_export_csv {
	enum kto_export_dialect dialect;
	bool bom;                /* start with a UTF-8 byte-order mark */
};

/* The field separator of a dialect. */
char kto_export_delimiter(enum kto_export_dialect d);

/* ------------------------------------------------------------------ */
/* Writing a file whole or not at all                                  */

struct kto_export_file {
	FILE *f;                 /* write here */
	char *path;              /* the destination; NULL for standard output */
	char *tmp;               /* the temporary file being written */
};

/*
** Opens the output: path "-" is standard output (written directly),
** anything else a new temporary file in the same directory, created with
** mode 0600.  With private_data false it is given the mode the umask
** allows (0666 & ~umask) when committed; respondent data stays 0600.
** KTO_EINPUT for a directory, KTO_EIO when the file cannot be created;
** err says which and why.
*/
enum kto_rc kto_export_file_open(struct kto_export_file *xf, const char *path,
                                 bool private_data, struct kto_err *err);

/*
** Flushes, syncs and closes the temporary file and renames it over the
** destination.  On any error the temporary file is removed, the
** destination is as it was, and err says why.  Frees xf's contents.
*/
enum kto_rc kto_export_file_commit(struct kto_export_file *xf, struct kto_err *err);

/* Abandons the output: closes and removes the temporary file. */
void kto_export_file_abort(struct kto_export_file *xf);

/* ------------------------------------------------------------------ */
/* Aggregated results (a stored result set, engine/results.h)          */

/*
** Writes result set `set` as CSV, one record per stored result (the rows
** of kto_results_rows(), unit as there: NULL for all), with a header.
** The columns are those of `kto results show --json` flattened, with the
** comparisons as vs_circle_*, vs_all_*, vs_previous_* and the distribution
** of marks as share_1 .. share_10.  KTO_ENOTFOUND for an unknown set.
*/
enum kto_rc kto_export_results_csv(struct kto_db *db, int64_t set, const char *unit,
                                   const struct kto_export_csv *fmt, FILE *out,
                                   struct kto_err *err);

/*
** Writes result set `set` as one JSON document, the shape of `kto results
** show --json`: {"result_set": {...}, "results": [...], "drivers": [...]}.
*/
enum kto_rc kto_export_results_json(struct kto_db *db, int64_t set, const char *unit,
                                    FILE *out, struct kto_err *err);

/* One result row, or one driver, as an object of that document (also for
 * kto results show --json, which filters the rows first). */
struct kto_json;
struct kto_result_row;
struct kto_result_driver;
void kto_result_row_json(struct kto_json *j, const struct kto_result_row *r);
void kto_result_driver_json(struct kto_json *j, const struct kto_result_driver *d);

/* ------------------------------------------------------------------ */
/* Respondent data                                                     */

/* Whose responses: one wave, or every wave starting in a year; optionally
 * only one municipality's. */
struct kto_export_scope {
	int64_t wave_id;         /* > 0: this wave ... */
	int year;                /* ... else the waves starting in this year */
	const char *municipality;   /* a code, or NULL for all */
};

/* The complete responses of a scope, read and coded, ready to write. */
struct kto_respondent_data;

/*
** Reads the complete responses of the scope with their strata and the
** definitions they answered, and numbers the respondents.  KTO_ENOTFOUND
** for an unknown wave or municipality, or a year without waves; KTO_EINPUT
** when there is no complete response; KTO_ELIMIT when the data would not
** fit in memory (export per municipality then).  *out is NULL on error.
*/
enum kto_rc kto_respondent_data_load(struct kto_db *db,
                                     const struct kto_export_scope *scope,
                                     struct kto_respondent_data **out,
                                     struct kto_err *err);

size_t kto_respondent_data_rows(const struct kto_respondent_data *d);
size_t kto_respondent_data_columns(const struct kto_respondent_data *d);

/* Writes the data as CSV: a header of the variable names, then one record
 * per respondent in the order of their numbers. */
enum kto_rc kto_respondent_data_csv(const struct kto_respondent_data *d,
                                    const struct kto_export_csv *fmt, FILE *out,
                                    struct kto_err *err);

/* Writes the data as an SPSS system file (.sav, bytecode-compressed) with
 * variable labels, value labels and "weet niet" as a user-missing value. */
enum kto_rc kto_respondent_data_sav(const struct kto_respondent_data *d, FILE *out,
                                    struct kto_err *err);

void kto_respondent_data_free(struct kto_respondent_data *d);

#endif
