#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kto_diags_init(struct kto_diags *d)
{
	memset(d, 0, sizeof *d);
	d->max = KTO_DIAGS_MAX;
}

void
kto_diags_release(struct kto_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	kto_diags_init(d);
}

void
kto_diag_add(struct kto_diags *d, enum kto_severity sev, int line, int col,
             const char *fmt, ...)
{
	struct kto_diag *slot;
	va_list ap;
	char msg[1024];

	if (sev == KTO_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->n >= d->max) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct kto_diag *p = realloc(d->v, ncap * sizeof *p);

		if (p == NULL) {
			d->oom = true;
			return;
		}
		d->v = p;
		d->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	slot = &d->v[d->n];
	slot->msg = strdup(msg);
	if (slot->msg == NULL) {
		d->oom = true;
		return;
	}
	slot->severity = sev;
	slot->line = line;
	slot->col = col;
	d->n++;
}

void
kto_diags_sort(struct kto_diags *d)
{
	/* Insertion sort: stable, and lists are short (at most max). */
	for (size_t i = 1; i < d->n; i++) {
		struct kto_diag x = d->v[i];
		size_t j = i;

		while (j > 0 && (d->v[j - 1].line > x.line ||
		    (d->v[j - 1].line == x.line && d->v[j - 1].col > x.col))) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = x;
	}
}
