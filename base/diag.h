/*
** Diagnostics: the list of everything wrong with an input, each with the
** place it was found (line and column, or a CSV row), so that a person can
** fix all mistakes in one go rather than one per run.
*/
#ifndef KTO_BASE_DIAG_H
#define KTO_BASE_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

enum kto_severity { KTO_SEV_ERROR, KTO_SEV_WARNING };

struct kto_diag {
	enum kto_severity severity;
	int line;           /* 1-based; 0 when the message is about the whole input */
	int col;            /* 1-based, in characters; 0 when unknown */
	char *msg;
};

struct kto_diags {
	struct kto_diag *v;
	size_t n, cap;
	size_t errors, warnings;
	size_t max;         /* diagnostics kept; more are counted in `dropped` */
	size_t dropped;
	bool oom;           /* a diagnostic was lost to lack of memory */
};

#define KTO_DIAGS_MAX 200

void kto_diags_init(struct kto_diags *d);
void kto_diags_release(struct kto_diags *d);

/* Adds a diagnostic; failure to allocate is recorded in d->oom. */
void kto_diag_add(struct kto_diags *d, enum kto_severity sev, int line, int col,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sorts by line and column, keeping the order of equal positions. */
void kto_diags_sort(struct kto_diags *d);

#endif
