/*
** Contacts: who contacted the municipality, through which channel, when,
** and (where known) at which e-mail address.  They are the population of a
** wave and the frame its sample is drawn from.
**
** Two ways in, one path: kto_contact_put() takes one contact (the API's
** push, one at a time), kto_contacts_import() a whole CSV file (DESIGN.md
** section 5), row by row through the same validation and insert.
*/
#ifndef KTO_ENGINE_CONTACTS_H
#define KTO_ENGINE_CONTACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/status.h"
#include "engine/channel.h"

struct kto_db;

#define KTO_CONTACT_ID_MAX 64     /* bytes of a contact_id */
#define KTO_CONTACT_TEXT_MAX 100  /* bytes of product and team */

/* One contact as it arrives: strings as written, NULL or "" when absent. */
struct kto_contact_input {
	const char *contact_id;
	const char *channel;
	const char *contact_at;
	const char *email;
	const char *product;
	const char *team;
	const char *language;
};

enum kto_contact_outcome {
	KTO_CONTACT_ADDED,
	KTO_CONTACT_UPDATED,     /* known, changed, not yet sampled */
	KTO_CONTACT_UNCHANGED,   /* known with the same data */
	KTO_CONTACT_REJECTED     /* the reason says why */
};

/*
** Validates one contact of municipality `code` and stores it.  A contact
** that fails validation is KTO_CONTACT_REJECTED with the reason in
** reason[0..reason_len) and KTO_OK returned: a bad row is an outcome, not
** an error.  A contact already sampled in a wave cannot change.  Errors
** (KTO_ENOTFOUND for an unknown municipality, database errors) leave the
** database unchanged.
*/
enum kto_rc kto_contact_put(struct kto_db *db, const char *code,
                            const struct kto_contact_input *in,
                            enum kto_contact_outcome *outcome, char *reason,
                            size_t reason_len);

/* Counters of an import, per channel and in total. */
struct kto_import_counts {
	int64_t added, updated, unchanged, rejected;
};

#define KTO_IMPORT_KEEP_REJECTS 1000   /* rejected rows kept in the report */

struct kto_import_reject {
	int64_t row;            /* as a spreadsheet shows it: the header is row 1 */
	char reason[200];
};

struct kto_import_report {
	int64_t import_id;      /* 0 for a dry run */
	int64_t rows;           /* data rows read */
	struct kto_import_counts channel[KTO_CHANNEL_COUNT];
	struct kto_import_counts unknown_channel;   /* rejected, channel unknown */
	struct kto_import_counts total;
	char delimiter;
	char columns[512];      /* the header as understood, for confirmation */
	char ignored[512];      /* columns not stored, "" when none */
	struct kto_import_reject rejects[KTO_IMPORT_KEEP_REJECTS];
	size_t n_rejects;       /* kept; total.rejected counts them all */
	bool stopped;           /* a problem with the file itself stopped it */
	char stop_reason[300];  /* where and why, when stopped */
	int64_t committed_rows; /* rows stored before the stop */
};

struct kto_import_options {
	bool dry_run;           /* validate and count, store nothing */
	FILE *rejects;          /* when not NULL: the rejected rows as CSV */
	/* Called now and then with the bytes read so far. */
	void (*progress)(void *ctx, unsigned long long bytes);
	void *progress_ctx;
};

/*
** Imports the contacts CSV `in` (named file_name in messages and in the
** import record) for municipality `code`.  Rows are validated one by one:
** good rows are stored, bad rows rejected with their row number and reason.
** Memory does not grow with the file.  Rows are committed in batches so
** that the questionnaire is never locked out for long; when the file itself
** turns out unusable half-way (a quote never closed, text that is not
** UTF-8), the import stops with report->stopped set, the rows before it
** kept, and importing the corrected file again adds the rest (rows already
** stored come back unchanged).  A file without the required columns is
** refused before anything is stored: KTO_EINPUT.
*/
enum kto_rc kto_contacts_import(struct kto_db *db, const char *actor,
                                const char *code, FILE *in,
                                const char *file_name,
                                const struct kto_import_options *opt,
                                struct kto_import_report *report);

#endif
