/*
** What a letter shows, read from the database: the municipality, the
** newest result set of the scope with the municipality's rows (and those
** of its circle and all participants), its drivers, its waves' response
** counts and the texts of its service norms.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/diag.h"
#include "engine/defstore.h"
#include "engine/surveydef.h"
#include "report/letter.h"
#include "report/letter_int.h"

int
letter_channel_index(const char *channel)
{
	static const char *const names[LETTER_CHANNELS] = { "counter", "phone", "email", "all" };

	for (int i = 0; i < LETTER_CHANNELS; i++)
		if (strcmp(channel, names[i]) == 0)
			return i;
	return -1;
}

void
letter_dutch_date(const char *iso, char *out, size_t n)
{
	static const char *const months[12] = { "januari", "februari", "maart",
	    "april", "mei", "juni", "juli", "augustus", "september", "oktober",
	    "november", "december" };
	int y = 0, m = 0, d = 0;

	if (strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-') {
		snprintf(out, n, "%s", iso);
		return;
	}
	for (int i = 0; i < 4; i++)
		y = y * 10 + (iso[i] - '0');
	m = (iso[5] - '0') * 10 + (iso[6] - '0');
	d = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31) {
		snprintf(out, n, "%s", iso);
		return;
	}
	snprintf(out, n, "%d %s %d", d, months[m - 1], y);
}

/* Appends one element to a growable array. */
static enum kto_rc
grow(void **v, size_t *n, size_t *cap, size_t size, const void *elem)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		void *p = realloc(*v, c * size);

		if (p == NULL)
			return KTO_ENOMEM;
		*v = p;
		*cap = c;
	}
	memcpy((char *)*v + *n * size, elem, size);
	(*n)++;
	return KTO_OK;
}

static enum kto_rc
on_row(void *ctx, const struct kto_result_row *r)
{
	struct letter *l = ctx;
	int c = letter_channel_index(r->channel);
	bool mine = strcmp(r->scope, "municipality") == 0 &&
	    strcmp(r->unit, l->mun.code) == 0;

	if (c < 0)
		return KTO_OK;
	if (strcmp(r->variable, "TOT") == 0) {
		struct letter_channel *ch = &l->ch[c];

		if (mine) {
			ch->mine = *r;
			ch->has_mine = true;
		} else if (strcmp(r->scope, "circle") == 0 &&
		    strcmp(r->unit, l->mun.circle_code) == 0) {
			ch->circle = *r;
			ch->has_circle = true;
		} else if (strcmp(r->scope, "all") == 0) {
			ch->all = *r;
			ch->has_all = true;
		}
		return KTO_OK;
	}
	if (!mine)
		return KTO_OK;
	if (strncmp(r->variable, "area:", 5) == 0 && c == LETTER_ALL)
		return grow((void **)&l->areas, &l->n_areas, &l->cap_areas, sizeof *r, r);
	if (strncmp(r->variable, "norm:", 5) == 0 && c != LETTER_ALL) {
		struct letter_norm norm;

		memset(&norm, 0, sizeof norm);
		norm.row = *r;
		return grow((void **)&l->norms, &l->n_norms, &l->cap_norms, sizeof norm,
		    &norm);
	}
	return KTO_OK;
}

static enum kto_rc
on_driver(void *ctx, const struct kto_result_driver *d)
{
	struct letter *l = ctx;

	if (strcmp(d->unit, l->mun.code) != 0)
		return KTO_OK;
	return grow((void **)&l->drivers, &l->n_drivers, &l->cap_drivers, sizeof *d, d);
}

/* The waves of the scope: their channels, counts and questionnaires. */
static enum kto_rc
load_waves(struct kto_db *db, struct letter *l)
{
	struct kto_wave_summary *w = NULL;
	size_t n = 0;
	char year[8];
	enum kto_rc rc = kto_wave_list(db, l->mun.code, &w, &n);

	snprintf(year, sizeof year, "%04d", l->scope.year);
	for (size_t i = 0; rc == KTO_OK && i < n; i++) {
		struct kto_wave_info info;

		if (l->scope.wave_id ? w[i].id != l->scope.wave_id :
		    strncmp(w[i].from, year, 4) != 0)
			continue;
		if ((rc = kto_wave_get(db, w[i].id, &info)) != KTO_OK)
			break;
		l->n_waves++;
		if (l->from[0] == '\0' || strcmp(info.from, l->from) < 0)
			snprintf(l->from, sizeof l->from, "%s", info.from);
		if (strcmp(info.to, l->to) > 0)
			snprintf(l->to, sizeof l->to, "%s", info.to);
		for (size_t k = 0; k < info.n_channels; k++) {
			const struct kto_wave_channel_info *ci = &info.channels[k];
			struct letter_channel *ch = &l->ch[ci->channel];
			struct kto_wave_counts *t = &ch->counts;

			ch->present = true;
			t->population += ci->n.population;
			t->sampled += ci->n.sampled;
			t->invited += ci->n.invited;
			t->responded += ci->n.responded;
			/* The newest wave's questionnaire names the norms. */
			if (ch->def_ref[0] == '\0')
				snprintf(ch->def_ref, sizeof ch->def_ref, "%s@%lld",
				    ci->def_name, (long long)ci->def_version);
		}
	}
	free(w);
	for (int c = 0; c < LETTER_ALL; c++) {
		struct kto_wave_counts *t = &l->ch[LETTER_ALL].counts, *s = &l->ch[c].counts;

		t->population += s->population;
		t->sampled += s->sampled;
		t->invited += s->invited;
		t->responded += s->responded;
	}
	l->ch[LETTER_ALL].present = true;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The texts of the norms, by questionnaire version                    */

struct norm_text {
	char ref[96];                /* "kto-balie@2" */
	char id[40];                 /* "N4" */
	char text[256];
};

struct norm_cache {
	struct norm_text *v;
	size_t n, cap;
};

/* Adds the norms of questionnaire ref (its name@version) to c. */
static enum kto_rc
cache_norms(struct kto_db *db, const char *ref, struct norm_cache *c)
{
	struct kto_def_version v;
	struct kto_survey *s = NULL;
	struct kto_diags diags;
	char *src = NULL;
	enum kto_rc rc = KTO_OK;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].ref, ref) == 0)
			return KTO_OK;
	/* A questionnaire that is gone or does not parse leaves its norms by id. */
	if (kto_def_get(db, ref, &v, &src) != KTO_OK)
		return KTO_OK;
	kto_diags_init(&diags);
	if (kto_survey_parse(src, strlen(src), &s, &diags) == KTO_OK) {
		for (size_t k = 0; rc == KTO_OK && k < s->n_norms; k++) {
			struct norm_text t;

			memset(&t, 0, sizeof t);
			snprintf(t.ref, sizeof t.ref, "%s", ref);
			snprintf(t.id, sizeof t.id, "%s", s->norms[k].id);
			snprintf(t.text, sizeof t.text, "%s", s->norms[k].text.nl ?
			    s->norms[k].text.nl : "");
			rc = grow((void **)&c->v, &c->n, &c->cap, sizeof t, &t);
		}
		kto_survey_free(s);
	}
	kto_diags_release(&diags);
	free(src);
	return rc;
}

static void
apply_norm_texts(struct letter *l, const struct norm_cache *c)
{
	for (size_t i = 0; i < l->n_norms; i++) {
		struct letter_norm *ln = &l->norms[i];
		int ch = letter_channel_index(ln->row.channel);

		if (ch < 0 || ch == LETTER_ALL)
			continue;
		for (size_t k = 0; k < c->n; k++)
			if (strcmp(c->v[k].ref, l->ch[ch].def_ref) == 0 &&
			    strcmp(c->v[k].id, ln->row.variable + 5) == 0)
				snprintf(ln->text, sizeof ln->text, "%s", c->v[k].text);
	}
}

/* The Dutch texts of the norms, from the channels' questionnaires. */
static enum kto_rc
load_norm_texts(struct kto_db *db, struct letter *l)
{
	struct norm_cache c = { NULL, 0, 0 };
	enum kto_rc rc = KTO_OK;

	for (int ch = 0; rc == KTO_OK && ch < LETTER_ALL; ch++)
		if (l->ch[ch].def_ref[0] != '\0')
			rc = cache_norms(db, l->ch[ch].def_ref, &c);
	apply_norm_texts(l, &c);
	free(c.v);
	return rc;
}

/* ------------------------------------------------------------------ */

/* The municipality and the scope's result set; the wave must be its own. */
static enum kto_rc
letter_begin(struct kto_db *db, const char *municipality,
             const struct kto_results_scope *scope, struct letter *l)
{
	enum kto_rc rc;

	memset(l, 0, sizeof *l);
	l->scope = *scope;
	if ((rc = kto_municipality_find(db, municipality, &l->mun)) != KTO_OK)
		return rc;
	if (scope->wave_id) {
		struct kto_wave_info w;

		if ((rc = kto_wave_get_header(db, scope->wave_id, &w)) != KTO_OK)
			return rc;
		if (strcasecmp(w.municipality, l->mun.code) != 0)
			return KTO_EINPUT;
		l->scope.year = 0;
	}
	return KTO_OK;
}

static void
letter_finish(struct letter *l)
{
	for (int c = 0; c < LETTER_CHANNELS; c++)
		l->ch[c].present = l->ch[c].present || l->ch[c].has_mine;
}

enum kto_rc
letter_load(struct kto_db *db, const char *municipality,
            const struct kto_results_scope *scope, struct letter *l)
{
	int64_t set;
	enum kto_rc rc;

	if ((rc = letter_begin(db, municipality, scope, l)) != KTO_OK ||
	    (rc = kto_results_latest(db, &l->scope, &set)) != KTO_OK ||
	    (rc = kto_results_set_info(db, set, &l->set)) != KTO_OK)
		return rc;
	if ((rc = kto_results_rows(db, set, l->mun.code, NULL, on_row, l)) != KTO_OK ||
	    (rc = kto_results_drivers(db, set, l->mun.code, on_driver, l)) != KTO_OK ||
	    (rc = load_waves(db, l)) != KTO_OK ||
	    (rc = load_norm_texts(db, l)) != KTO_OK) {
		letter_free(l);
		return rc;
	}
	letter_finish(l);
	return KTO_OK;
}

void
letter_free(struct letter *l)
{
	free(l->areas);
	free(l->norms);
	free(l->drivers);
	l->areas = NULL;
	l->norms = NULL;
	l->drivers = NULL;
}

/* ------------------------------------------------------------------ */
/* A result set read once for many letters                             */

struct kto_letter_batch {
	struct kto_results_scope scope;
	struct kto_result_set_info set;
	struct kto_result_row *rows;         /* what letters show, as on_row() takes it */
	size_t n_rows, cap_rows;
	struct kto_result_driver *drivers;
	size_t n_drivers, cap_drivers;
	struct norm_cache norms;             /* of every stored questionnaire */
};

static enum kto_rc
batch_row(void *ctx, const struct kto_result_row *r)
{
	struct kto_letter_batch *b = ctx;
	bool all = strcmp(r->channel, "all") == 0;

	if (strcmp(r->variable, "TOT") != 0 && (strcmp(r->scope, "municipality") != 0 ||
	    !((strncmp(r->variable, "area:", 5) == 0 && all) ||
	    (strncmp(r->variable, "norm:", 5) == 0 && !all))))
		return KTO_OK;
	return grow((void **)&b->rows, &b->n_rows, &b->cap_rows, sizeof *r, r);
}

static enum kto_rc
batch_driver(void *ctx, const struct kto_result_driver *d)
{
	struct kto_letter_batch *b = ctx;

	return grow((void **)&b->drivers, &b->n_drivers, &b->cap_drivers, sizeof *d, d);
}

enum kto_rc
kto_letter_batch_open(struct kto_db *db, const struct kto_results_scope *scope,
                      struct kto_letter_batch **out)
{
	struct kto_letter_batch *b = calloc(1, sizeof *b);
	struct kto_def_version *defs = NULL;
	size_t n_defs = 0;
	int64_t set;
	enum kto_rc rc;

	*out = NULL;
	if (b == NULL)
		return KTO_ENOMEM;
	b->scope = *scope;
	if (scope->wave_id)
		b->scope.year = 0;
	if ((rc = kto_results_latest(db, &b->scope, &set)) != KTO_OK ||
	    (rc = kto_results_set_info(db, set, &b->set)) != KTO_OK ||
	    (rc = kto_results_rows(db, set, NULL, NULL, batch_row, b)) != KTO_OK ||
	    (rc = kto_results_drivers(db, set, NULL, batch_driver, b)) != KTO_OK ||
	    (rc = kto_def_list(db, false, &defs, &n_defs)) != KTO_OK) {
		kto_letter_batch_free(b);
		return rc;
	}
	for (size_t i = 0; rc == KTO_OK && i < n_defs; i++) {
		char ref[96];

		snprintf(ref, sizeof ref, "%s@%lld", defs[i].name, (long long)defs[i].version);
		rc = cache_norms(db, ref, &b->norms);
	}
	free(defs);
	if (rc != KTO_OK) {
		kto_letter_batch_free(b);
		return rc;
	}
	*out = b;
	return KTO_OK;
}

void
kto_letter_batch_free(struct kto_letter_batch *b)
{
	if (b == NULL)
		return;
	free(b->rows);
	free(b->drivers);
	free(b->norms.v);
	free(b);
}

enum kto_rc
letter_load_batch(struct kto_db *db, const struct kto_letter_batch *b,
                  const char *municipality, struct letter *l)
{
	enum kto_rc rc = letter_begin(db, municipality, &b->scope, l);

	if (rc != KTO_OK)
		return rc;
	l->set = b->set;
	for (size_t i = 0; rc == KTO_OK && i < b->n_rows; i++)
		rc = on_row(l, &b->rows[i]);
	for (size_t i = 0; rc == KTO_OK && i < b->n_drivers; i++)
		rc = on_driver(l, &b->drivers[i]);
	if (rc == KTO_OK)
		rc = load_waves(db, l);
	if (rc != KTO_OK) {
		letter_free(l);
		return rc;
	}
	apply_norm_texts(l, &b->norms);
	letter_finish(l);
	return KTO_OK;
}
