/*
** engine/sampling: the frame, its exclusions, the draw, the invitations,
** and the audit re-draw.
*/
#include "engine/sampling.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/draw.h"
#include "engine/email.h"
#include "engine/population_int.h"
#include "engine/token.h"

/* The draw streams of a wave: one per channel for the one-off sample, and
 * one per channel and draw for continuous sampling. */
#define STREAM_CONTINUOUS_BASE 1000

/* ---------------------------------------------------------------------- */
/* Sets of address hashes                                                  */

struct hashset {
	unsigned char (*v)[KTO_EMAIL_HASH_BYTES];
	size_t n;
};

static int
hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KTO_EMAIL_HASH_BYTES);
}

static bool
hashset_has(const struct hashset *s, const unsigned char *h)
{
	return s->n > 0 && bsearch(h, s->v, s->n, KTO_EMAIL_HASH_BYTES, hash_cmp) != NULL;
}

static void
hashset_release(struct hashset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Loads the hashes a query returns (one blob column) into a sorted set. */
static enum kto_rc
hashset_load(struct kto_db *db, struct hashset *s, sqlite3_stmt *st)
{
	size_t cap = 0;
	bool row;
	enum kto_rc rc;

	s->v = NULL;
	s->n = 0;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		if (sqlite3_column_bytes(st, 0) != KTO_EMAIL_HASH_BYTES)
			continue;
		if (s->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			void *p = realloc(s->v, ncap * KTO_EMAIL_HASH_BYTES);

			if (p == NULL) {
				rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
				break;
			}
			s->v = p;
			cap = ncap;
		}
		memcpy(s->v[s->n++], sqlite3_column_blob(st, 0), KTO_EMAIL_HASH_BYTES);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK) {
		hashset_release(s);
		return rc;
	}
	if (s->n > 1)
		qsort(s->v, s->n, KTO_EMAIL_HASH_BYTES, hash_cmp);
	return KTO_OK;
}

/* ---------------------------------------------------------------------- */
/* The state of one sampling                                               */

struct stratum {
	bool use;            /* the wave has this channel */
	bool continuous;
	bool drawn;          /* a one-off sample was drawn before */
	double fraction;
	int64_t target, max_invitations, sampled_before, draws_before;
	double rate;
	int64_t watermark;   /* continuous: contacts up to this id were seen */
	int64_t last_id;     /* the highest contact id seen now */
	struct kto_sample_result res;
	int64_t *frame;
	size_t n_frame, cap_frame;
};

struct sampler {
	struct kto_db *db;
	const char *actor;
	struct kto_wave_info w;
	int64_t municipality_id;
	char now[20], too_old_before[20], invited_since[20];
	char period_end[11];         /* the day after the period's last */
	struct hashset opted_out, invited;
	char **patterns;
	size_t n_patterns;
	struct stratum s[KTO_CHANNEL_COUNT];
	struct population pop;
};

static void
sampler_release(struct sampler *sp)
{
	hashset_release(&sp->opted_out);
	hashset_release(&sp->invited);
	for (size_t i = 0; i < sp->n_patterns; i++)
		free(sp->patterns[i]);
	free(sp->patterns);
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		free(sp->s[c].frame);
	population_release(&sp->pop);
}

/* "YYYY-MM-DDTHH:MM:SS" of now minus days. */
static void
days_before(const struct kto_datetime *now, int days, char out[20])
{
	struct kto_datetime t;

	kto_datetime_from_seconds(kto_datetime_seconds(now) - (int64_t)days * 86400, &t);
	kto_datetime_format(&t, out);
}

static enum kto_rc
load_patterns(struct sampler *sp)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(sp->db, &st, "SELECT pattern FROM address_exclusion "
	    "WHERE municipality_id IS NULL OR municipality_id = ?", "i",
	    sp->municipality_id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(sp->db, st, &row)) == KTO_OK && row) {
		if (sp->n_patterns == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **p = realloc(sp->patterns, ncap * sizeof *p);

			if (p == NULL) {
				rc = kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory");
				break;
			}
			sp->patterns = p;
			cap = ncap;
		}
		sp->patterns[sp->n_patterns] = strdup((const char *)sqlite3_column_text(st, 0));
		if (sp->patterns[sp->n_patterns] == NULL) {
			rc = kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory");
			break;
		}
		for (char *p = sp->patterns[sp->n_patterns]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		sp->n_patterns++;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The sets every exclusion is checked against, loaded once. */
static enum kto_rc
load_exclusion_sets(struct sampler *sp)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	rc = kto_db_prepare(sp->db, &st, "SELECT email_hash FROM opt_out WHERE "
	    "municipality_id IS NULL OR municipality_id = ?", "i", sp->municipality_id);
	if (rc == KTO_OK)
		rc = hashset_load(sp->db, &sp->opted_out, st);
	if (rc != KTO_OK)
		return rc;
	/* --exclude-invited-days 0 switches the rule off. */
	if (sp->w.invited_recently_days > 0) {
		rc = kto_db_prepare(sp->db, &st, "SELECT DISTINCT email_hash FROM "
		    "invitation WHERE email_hash IS NOT NULL AND created_at >= ?", "t",
		    sp->invited_since);
		if (rc == KTO_OK)
			rc = hashset_load(sp->db, &sp->invited, st);
		if (rc != KTO_OK)
			return rc;
	}
	return load_patterns(sp);
}

/*
** Addresses are stored in their normal form (lower case), and patterns are
** lowered when loaded, so plain fnmatch() matches case-insensitively.
*/
static bool
is_staff(const struct sampler *sp, const char *email)
{
	for (size_t i = 0; i < sp->n_patterns; i++)
		if (fnmatch(sp->patterns[i], email, 0) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* The frame                                                               */

/*
** The first exclusion that applies to a contact, or KTO_EXCL_COUNT.  For
** population_read(), which calls it from two threads: it only reads.
*/
static enum kto_exclusion
exclusion_of(const void *ctx, const char *email, const unsigned char *hash,
             int hash_len, const char *contact_at)
{
	const struct sampler *sp = ctx;

	if (email == NULL || *email == '\0' || hash_len != KTO_EMAIL_HASH_BYTES)
		return KTO_EXCL_NO_EMAIL;
	if (is_staff(sp, email))
		return KTO_EXCL_STAFF;
	if (hashset_has(&sp->opted_out, hash))
		return KTO_EXCL_OPTED_OUT;
	if (hashset_has(&sp->invited, hash))
		return KTO_EXCL_INVITED_RECENTLY;
	if (strcmp(contact_at, sp->too_old_before) < 0)
		return KTO_EXCL_TOO_OLD;
	return KTO_EXCL_COUNT;
}

/*
** Reads the population of every stratum to be drawn, in one pass over the
** municipality's contacts in the period.
*/
static enum kto_rc
scan_population(struct sampler *sp)
{
	struct population_query q = {
		.municipality_id = sp->municipality_id, .from = sp->w.from,
		.until = sp->period_end, .exclusion = exclusion_of, .ctx = sp,
	};
	enum kto_rc rc;

	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		q.use[c] = sp->s[c].use && !sp->s[c].drawn;
		/* Continuous: only the contacts since its last draw. */
		q.after_id[c] = sp->s[c].watermark;
	}
	if ((rc = population_read(sp->db, &q, &sp->pop)) != KTO_OK)
		return rc;
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		struct stratum *s = &sp->s[c];
		const struct population_counts *n = &sp->pop.count[c];

		s->res.population = n->population;
		memcpy(s->res.excluded, n->excluded, sizeof n->excluded);
		s->last_id = n->last_id;
	}
	return KTO_OK;
}

/* True when candidate a is to be kept over b: the more recent contact. */
static bool
more_recent(const struct candidate *a, const struct candidate *b)
{
	return a->minute != b->minute ? a->minute > b->minute : a->id > b->id;
}

/*
** One person, one invitation: among candidates with the same address the
** most recent contact is kept and the others are marked duplicates.  An
** open-addressing table on the address hash does it in one pass, without
** sorting the population.
*/
static enum kto_rc
mark_duplicates(struct sampler *sp)
{
	size_t size = 1024;
	uint32_t *slot;

	while (size < sp->pop.n_cand * 2)
		size *= 2;
	slot = malloc(size * sizeof *slot);
	if (slot == NULL)
		return kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory drawing the "
		    "sample");
	memset(slot, 0xFF, size * sizeof *slot);   /* UINT32_MAX: empty */
	for (size_t i = 0; i < sp->pop.n_cand; i++) {
		struct candidate *c = &sp->pop.cand[i];
		size_t k = (size_t)(c->h ^ (c->h >> 29)) & (size - 1);

		while (slot[k] != UINT32_MAX && sp->pop.cand[slot[k]].h != c->h)
			k = (k + 1) & (size - 1);
		if (slot[k] == UINT32_MAX) {
			slot[k] = (uint32_t)i;
		} else if (more_recent(c, &sp->pop.cand[slot[k]])) {
			sp->pop.cand[slot[k]].duplicate = 1;
			slot[k] = (uint32_t)i;
		} else {
			c->duplicate = 1;
		}
	}
	free(slot);
	return KTO_OK;
}

/* Sorts ids ascending: LSD radix sort, 16 bits a pass, as far as needed. */
static enum kto_rc
sort_ids(int64_t *ids, size_t n)
{
	uint64_t max = 0;
	int64_t *tmp;
	size_t *count;

	for (size_t i = 0; i < n; i++)
		if ((uint64_t)ids[i] > max)
			max = (uint64_t)ids[i];
	if (n < 2)
		return KTO_OK;
	tmp = malloc(n * sizeof *tmp);
	count = malloc(65536 * sizeof *count);
	if (tmp == NULL || count == NULL) {
		free(tmp);
		free(count);
		return KTO_ENOMEM;
	}
	for (int shift = 0; shift < 64 && (max >> shift) != 0; shift += 16) {
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[((uint64_t)ids[i] >> shift) & 0xFFFF]++;
		for (size_t b = 0; b < 65536; b++) {
			size_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[((uint64_t)ids[i] >> shift) & 0xFFFF]++] = ids[i];
		memcpy(ids, tmp, n * sizeof *ids);
	}
	free(tmp);
	free(count);
	return KTO_OK;
}

static void
id_fill(sqlite3_stmt *st, void *elem)
{
	*(int64_t *)elem = sqlite3_column_int64(st, 0);
}

static enum kto_rc
frame_push(struct sampler *sp, struct stratum *s, int64_t id)
{
	if (s->n_frame == s->cap_frame) {
		size_t ncap = s->cap_frame ? s->cap_frame * 2 : 1024;
		int64_t *p = realloc(s->frame, ncap * sizeof *p);

		if (p == NULL)
			return kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory drawing "
			    "the sample");
		s->frame = p;
		s->cap_frame = ncap;
	}
	s->frame[s->n_frame++] = id;
	return KTO_OK;
}

/* The frames: the candidates that are not duplicates, per channel, by id. */
static enum kto_rc
build_frames(struct sampler *sp)
{
	enum kto_rc rc;

	if ((rc = mark_duplicates(sp)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < sp->pop.n_cand; i++) {
		struct stratum *s = &sp->s[sp->pop.cand[i].channel];

		if (sp->pop.cand[i].duplicate)
			s->res.excluded[KTO_EXCL_DUPLICATE]++;
		else if ((rc = frame_push(sp, s, sp->pop.cand[i].id)) != KTO_OK)
			return rc;
	}
	population_release(&sp->pop);     /* the frames have what is needed */
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		struct stratum *s = &sp->s[c];

		if (sort_ids(s->frame, s->n_frame) != KTO_OK)
			return kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory drawing "
			    "the sample");
		s->res.frame = (int64_t)s->n_frame;
	}
	return KTO_OK;
}

/* ---------------------------------------------------------------------- */
/* The draw and the invitations                                            */

static enum kto_rc
insert_invitations(struct sampler *sp, enum kto_channel c, const int64_t *ids,
                   size_t n, int64_t draw_id, int64_t first_order)
{
	sqlite3_stmt *get, *ins;
	enum kto_rc rc;

	rc = kto_db_prepare(sp->db, &get, "SELECT email_hash, language FROM contact "
	    "WHERE id = ?", "");
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_prepare(sp->db, &ins, "INSERT INTO invitation (wave_id, "
	    "contact_id, channel, draw_order, draw_id, token_hash, mail_token, "
	    "email_hash, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "");
	if (rc != KTO_OK) {
		sqlite3_finalize(get);
		return rc;
	}
	for (size_t i = 0; i < n && rc == KTO_OK; i++) {
		char token[KTO_TOKEN_CHARS + 1];
		unsigned char th[KTO_TOKEN_HASH_BYTES];
		bool row;

		if ((rc = kto_token_new(token)) != KTO_OK) {
			rc = kto_db_seterr(sp->db, rc, "no randomness for the tokens");
			break;
		}
		kto_token_hash(token, th);
		sqlite3_bind_int64(get, 1, ids[i]);
		if ((rc = kto_db_step(sp->db, get, &row)) != KTO_OK)
			break;
		sqlite3_bind_int64(ins, 1, sp->w.id);
		sqlite3_bind_int64(ins, 2, ids[i]);
		sqlite3_bind_text(ins, 3, kto_channel_name(c), -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4, first_order + (int64_t)i);
		if (draw_id > 0)
			sqlite3_bind_int64(ins, 5, draw_id);
		else
			sqlite3_bind_null(ins, 5);
		sqlite3_bind_blob(ins, 6, th, sizeof th, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 7, token, -1, SQLITE_TRANSIENT);
		sqlite3_bind_value(ins, 8, sqlite3_column_value(get, 0));
		sqlite3_bind_value(ins, 9, sqlite3_column_value(get, 1));
		sqlite3_bind_text(ins, 10, sp->now, -1, SQLITE_STATIC);
		rc = kto_db_step(sp->db, ins, &row);
		sqlite3_reset(ins);
		sqlite3_reset(get);
	}
	sqlite3_finalize(get);
	sqlite3_finalize(ins);
	return rc;
}

/* The stored form of a frame: its ids as a blob, and their hash. */
static enum kto_rc
frame_blob(struct sampler *sp, const struct stratum *s, struct kto_buf *blob,
           char hash[65])
{
	enum kto_rc rc = kto_ids_encode(s->frame, s->n_frame, blob);

	kto_ids_hash(s->frame, s->n_frame, hash);
	if (rc != KTO_OK)
		return kto_db_seterr(sp->db, rc, "the frame is too large to store");
	return KTO_OK;
}

/* The one-off sample of a channel. */
static enum kto_rc
draw_once(struct sampler *sp, enum kto_channel c)
{
	struct stratum *s = &sp->s[c];
	struct kto_buf blob = KTO_BUF_INIT((size_t)1 << 30);
	int64_t planned = (int64_t)ceil((double)s->target / s->rate - 1e-9);
	int64_t want = planned, *chosen;
	char hash[65];
	enum kto_rc rc;

	if (s->max_invitations > 0 && want > s->max_invitations)
		want = s->max_invitations;
	s->res.planned = planned;
	s->res.sampled = want < (int64_t)s->n_frame ? want : (int64_t)s->n_frame;
	s->res.shortfall = want - s->res.sampled;
	chosen = malloc(((size_t)s->res.sampled + 1) * sizeof *chosen);
	if (chosen == NULL)
		return kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory");
	rc = kto_draw_srswor(kto_draw_stream_seed(sp->w.seed, (uint64_t)c), s->frame,
	    s->n_frame, (size_t)s->res.sampled, chosen);
	if (rc == KTO_OK)
		rc = insert_invitations(sp, c, chosen, (size_t)s->res.sampled, 0, 1);
	free(chosen);
	if (rc == KTO_OK)
		rc = frame_blob(sp, s, &blob, hash);
	if (rc == KTO_OK)
		rc = kto_db_exec(sp->db, "UPDATE wave_channel SET population = ?, "
		    "frame = ?, sample_size = ?, shortfall = ?, frame_ids = ?, "
		    "frame_hash = ? WHERE wave_id = ? AND channel = ?", "iiiibtit",
		    s->res.population, s->res.frame, s->res.sampled, s->res.shortfall,
		    blob.ptr ? (const void *)blob.ptr : (const void *)"", blob.len, hash,
		    sp->w.id, kto_channel_name(c));
	kto_buf_release(&blob);
	return rc;
}

/* One more draw of a continuous channel: the contacts since the last. */
static enum kto_rc
draw_continuous(struct sampler *sp, enum kto_channel c)
{
	struct stratum *s = &sp->s[c];
	struct kto_buf blob = KTO_BUF_INIT((size_t)1 << 30);
	uint64_t stream = STREAM_CONTINUOUS_BASE + (uint64_t)s->draws_before *
	    KTO_CHANNEL_COUNT + (uint64_t)c;
	uint32_t seed = kto_draw_stream_seed(sp->w.seed, stream);
	int64_t *chosen, draw_id;
	size_t n = 0;
	char hash[65];
	enum kto_rc rc;

	chosen = malloc((s->n_frame + 1) * sizeof *chosen);
	if (chosen == NULL)
		return kto_db_seterr(sp->db, KTO_ENOMEM, "out of memory");
	rc = kto_draw_bernoulli(seed, s->fraction, s->frame, s->n_frame, chosen, &n);
	/* The cap ends the stream: what is over it is not invited. */
	if (rc == KTO_OK && s->max_invitations > 0 &&
	    s->sampled_before + (int64_t)n > s->max_invitations) {
		int64_t room = s->max_invitations - s->sampled_before;

		s->res.shortfall = (int64_t)n - (room > 0 ? room : 0);
		n = room > 0 ? (size_t)room : 0;
	}
	s->res.sampled = (int64_t)n;
	s->res.planned = (int64_t)n + s->res.shortfall;
	if (rc == KTO_OK)
		rc = frame_blob(sp, s, &blob, hash);
	if (rc == KTO_OK)
		rc = kto_db_exec(sp->db, "INSERT INTO wave_draw (wave_id, channel, seed, "
		    "last_contact_id, considered, sampled, frame_hash, frame_ids, "
		    "drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "itiiiitbt",
		    sp->w.id, kto_channel_name(c), (int64_t)seed, s->last_id,
		    s->res.frame, (int64_t)n, hash,
		    blob.ptr ? (const void *)blob.ptr : (const void *)"", blob.len, sp->now);
	draw_id = sqlite3_last_insert_rowid(sp->db->sqlite);
	if (rc == KTO_OK)
		rc = insert_invitations(sp, c, chosen, n, draw_id, s->sampled_before + 1);
	free(chosen);
	kto_buf_release(&blob);
	if (rc == KTO_OK)
		rc = kto_db_exec(sp->db, "UPDATE wave_channel SET population = "
		    "coalesce(population, 0) + ?, frame = coalesce(frame, 0) + ?, "
		    "sample_size = coalesce(sample_size, 0) + ?, shortfall = "
		    "coalesce(shortfall, 0) + ? WHERE wave_id = ? AND channel = ?",
		    "iiiiit", s->res.population, s->res.frame, s->res.sampled,
		    s->res.shortfall, sp->w.id, kto_channel_name(c));
	return rc;
}

static enum kto_rc
store_exclusions(struct sampler *sp, enum kto_channel c)
{
	enum kto_rc rc = KTO_OK;

	for (int e = 0; e < KTO_EXCL_COUNT && rc == KTO_OK; e++)
		rc = kto_db_exec(sp->db, "INSERT INTO wave_exclusion (wave_id, channel, "
		    "reason, count) VALUES (?, ?, ?, ?) ON CONFLICT (wave_id, channel, "
		    "reason) DO UPDATE SET count = count + excluded.count", "itti",
		    sp->w.id, kto_channel_name(c), kto_exclusion_name((enum kto_exclusion)e),
		    sp->s[c].res.excluded[e]);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The whole sampling                                                      */

/* What each stratum needs to know before its draw. */
static enum kto_rc
load_strata(struct sampler *sp)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(sp->db, &st, "SELECT wc.channel, wc.target, "
	    "wc.response_rate, coalesce(wc.max_invitations, 0), "
	    "coalesce(wc.continuous_fraction, 0), wc.frame IS NOT NULL, "
	    "coalesce(wc.sample_size, 0), "
	    "(SELECT count(*) FROM wave_draw d WHERE d.wave_id = wc.wave_id AND "
	    "d.channel = wc.channel), (SELECT coalesce(max(last_contact_id), 0) "
	    "FROM wave_draw d WHERE d.wave_id = wc.wave_id AND d.channel = wc.channel), "
	    "w.municipality_id FROM wave_channel wc JOIN wave w ON w.id = wc.wave_id "
	    "WHERE wc.wave_id = ?", "i", sp->w.id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(sp->db, st, &row)) == KTO_OK && row) {
		enum kto_channel c;
		struct stratum *s;

		if (!kto_channel_parse((const char *)sqlite3_column_text(st, 0), &c))
			continue;
		s = &sp->s[c];
		s->use = true;
		s->target = sqlite3_column_int64(st, 1);
		s->rate = sqlite3_column_double(st, 2);
		s->max_invitations = sqlite3_column_int64(st, 3);
		s->fraction = sqlite3_column_double(st, 4);
		s->continuous = s->fraction > 0;
		s->drawn = sqlite3_column_int(st, 5) != 0 && !s->continuous;
		s->sampled_before = sqlite3_column_int64(st, 6);
		s->draws_before = sqlite3_column_int64(st, 7);
		s->watermark = sqlite3_column_int64(st, 8);
		sp->municipality_id = sqlite3_column_int64(st, 9);
		s->res.channel = c;
		s->res.continuous = s->continuous;
	}
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
check_state(struct sampler *sp)
{
	const struct kto_wave_info *w = &sp->w;

	if (strcmp(w->state, "closed") == 0)
		return kto_db_seterr(sp->db, KTO_ESTATE, "wave %lld is closed; a "
		    "closed wave draws no sample", (long long)w->id);
	if (!w->continuous && strcmp(w->state, "draft") != 0) {
		sqlite3_stmt *st;
		bool row;
		int64_t n = 0;

		if (kto_db_prepare(sp->db, &st, "SELECT count(*) FROM invitation "
		    "WHERE wave_id = ?", "i", w->id) == KTO_OK) {
			if (kto_db_step(sp->db, st, &row) == KTO_OK && row)
				n = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		return kto_db_seterr(sp->db, KTO_ESTATE, "wave %lld was sampled "
		    "already on %s: %lld invitations. A sample is drawn once; see "
		    "it with 'kto wave show %lld', or check it with 'kto wave "
		    "verify %lld'", (long long)w->id, w->sampled_at, (long long)n,
		    (long long)w->id, (long long)w->id);
	}
	return KTO_OK;
}

static enum kto_rc
sample_txn(struct kto_db *db, void *arg)
{
	struct sampler *sp = arg;
	struct kto_datetime now;
	char detail[200];
	int64_t total = 0;
	enum kto_rc rc;

	if ((rc = kto_wave_get_header(db, sp->w.id, &sp->w)) != KTO_OK ||
	    (rc = check_state(sp)) != KTO_OK || (rc = load_strata(sp)) != KTO_OK)
		return rc;
	kto_db_now(db, &now);
	kto_datetime_format(&now, sp->now);
	{
		struct kto_datetime to;

		if (!kto_datetime_parse(sp->w.to, &to))
			return kto_db_seterr(db, KTO_EINTERNAL, "wave %lld has a bad "
			    "period end '%s'", (long long)sp->w.id, sp->w.to);
		kto_civil_from_days(kto_days_from_civil(to.year, to.month, to.day) + 1,
		    &to.year, &to.month, &to.day);
		kto_date_format(&to, sp->period_end);
	}
	days_before(&now, sp->w.recent_days, sp->too_old_before);
	days_before(&now, sp->w.invited_recently_days, sp->invited_since);
	if ((rc = load_exclusion_sets(sp)) != KTO_OK)
		return rc;
	if ((rc = scan_population(sp)) != KTO_OK ||
	    (rc = build_frames(sp)) != KTO_OK)
		return rc;
	for (int c = 0; c < KTO_CHANNEL_COUNT && rc == KTO_OK; c++) {
		struct stratum *s = &sp->s[c];

		if (!s->use || s->drawn)
			continue;
		rc = s->continuous ? draw_continuous(sp, (enum kto_channel)c)
		    : draw_once(sp, (enum kto_channel)c);
		if (rc == KTO_OK)
			rc = store_exclusions(sp, (enum kto_channel)c);
		s->res.drawn = true;
		total += s->res.sampled;
	}
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_exec(db, "UPDATE wave SET state = CASE state WHEN 'draft' "
	    "THEN 'sampled' ELSE state END, sampled_at = coalesce(sampled_at, ?) "
	    "WHERE id = ?", "ti", sp->now, sp->w.id)) != KTO_OK)
		return rc;
	snprintf(detail, sizeof detail, "wave %lld: %lld invitations, seed %llu",
	    (long long)sp->w.id, (long long)total, (unsigned long long)sp->w.seed);
	return kto_audit(db, sp->actor, "wave.sample", sp->municipality_id,
	    sp->w.municipality, detail);
}

enum kto_rc
kto_wave_sample(struct kto_db *db, const char *actor, int64_t id,
                struct kto_sample_report *report)
{
	struct sampler *sp = calloc(1, sizeof *sp);
	enum kto_rc rc;

	if (sp == NULL)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	sp->db = db;
	sp->actor = actor;
	sp->w.id = id;
	rc = kto_db_transaction(db, sample_txn, sp);
	if (rc == KTO_OK && report != NULL) {
		report->n = 0;
		for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
			if (sp->s[c].use)
				report->channels[report->n++] = sp->s[c].res;
	}
	sampler_release(sp);
	free(sp);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The audit re-draw                                                       */

/* The invited contact ids of a channel (and draw), in draw order. */
static enum kto_rc
invited_ids(struct kto_db *db, int64_t wave, const char *channel, int64_t draw_id,
            int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT coalesce(contact_id, 0) FROM invitation "
	    "WHERE wave_id = ? AND channel = ? AND coalesce(draw_id, 0) = ? "
	    "ORDER BY draw_order", "iti", wave, channel, draw_id);
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **ids, id_fill, (void **)ids, n);
}

/*
** Draws one recorded frame again and compares: the frame must match its
** hash, and the draw the invitations.  Appends a line to sum.
*/
static enum kto_rc
verify_one(struct kto_db *db, int64_t wave, const char *channel, int64_t draw_id,
           const void *blob, size_t len, const char *want_hash, uint32_t seed,
           double fraction, struct kto_buf *sum)
{
	int64_t *frame = NULL, *again = NULL, *invited = NULL;
	size_t n_frame = 0, n_again = 0, n_invited = 0;
	char hash[65];
	enum kto_rc rc;

	if (blob == NULL && len == 0 && want_hash[0] == '\0') {
		rc = kto_db_seterr(db, KTO_EINPUT, "%s: the recorded frame is missing",
		    channel);
		goto out;
	}
	if ((rc = kto_ids_decode(blob, len, &frame, &n_frame)) != KTO_OK) {
		rc = kto_db_seterr(db, KTO_EINPUT, "%s: the recorded frame is damaged",
		    channel);
		goto out;
	}
	kto_ids_hash(frame, n_frame, hash);
	if (strcmp(hash, want_hash) != 0) {
		rc = kto_db_seterr(db, KTO_EINPUT, "%s: the recorded frame does not "
		    "match its hash: it was changed after the draw", channel);
		goto out;
	}
	if ((rc = invited_ids(db, wave, channel, draw_id, &invited, &n_invited)) != KTO_OK)
		goto out;
	again = malloc((n_frame + 1) * sizeof *again);
	if (again == NULL) {
		rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		goto out;
	}
	if (fraction > 0) {
		rc = kto_draw_bernoulli(seed, fraction, frame, n_frame, again, &n_again);
		/* A cap may have cut the end of the draw off. */
		if (n_again > n_invited)
			n_again = n_invited;
	} else {
		n_again = n_invited <= n_frame ? n_invited : n_frame;
		rc = kto_draw_srswor(seed, frame, n_frame, n_again, again);
	}
	if (rc != KTO_OK)
		goto out;
	if (n_again != n_invited ||
	    (n_again && memcmp(again, invited, n_again * sizeof *again) != 0)) {
		rc = kto_db_seterr(db, KTO_EINPUT, "%s: drawing again from the recorded "
		    "frame and seed gives a different sample than the invitations "
		    "(%zu drawn again, %zu invited)", channel, n_again, n_invited);
		goto out;
	}
	kto_buf_addf(sum, "%s%s: %zu of %zu, identical\n", channel,
	    draw_id ? " (continuous draw)" : "", n_invited, n_frame);
out:
	free(frame);
	free(again);
	free(invited);
	return rc;
}

enum kto_rc
kto_wave_verify(struct kto_db *db, int64_t id, char *summary, size_t summary_len)
{
	struct kto_wave_info w;
	struct kto_buf sum = KTO_BUF_INIT(64 * 1024);
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	summary[0] = '\0';
	if ((rc = kto_wave_get(db, id, &w)) != KTO_OK)
		return rc;
	if (strcmp(w.state, "draft") == 0)
		return kto_db_seterr(db, KTO_ESTATE, "wave %lld has no sample yet",
		    (long long)id);
	/* Every drawn one-off channel must have its frame: a missing one is a
	 * failed verification, not a channel to skip. */
	rc = kto_db_prepare(db, &st, "SELECT channel, 0, frame_ids, "
	    "coalesce(frame_hash, ''), 0 FROM wave_channel WHERE wave_id = ?1 AND "
	    "frame IS NOT NULL AND coalesce(continuous_fraction, 0) = 0 "
	    "UNION ALL SELECT channel, id, frame_ids, frame_hash, seed FROM wave_draw "
	    "WHERE wave_id = ?1 ORDER BY 1, 2", "i", id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const char *ch = (const char *)sqlite3_column_text(st, 0);
		int64_t draw_id = sqlite3_column_int64(st, 1);
		enum kto_channel c;
		double fraction = 0;
		uint32_t seed;

		if (!kto_channel_parse(ch, &c))
			continue;
		for (size_t i = 0; i < w.n_channels; i++)
			if (w.channels[i].channel == c)
				fraction = w.channels[i].continuous;
		seed = draw_id ? (uint32_t)sqlite3_column_int64(st, 4)
		    : kto_draw_stream_seed(w.seed, (uint64_t)c);
		rc = verify_one(db, id, ch, draw_id, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2),
		    (const char *)sqlite3_column_text(st, 3), seed,
		    draw_id ? fraction : 0, &sum);
		if (rc != KTO_OK)
			break;
	}
	sqlite3_finalize(st);
	snprintf(summary, summary_len, "%s", kto_buf_str(&sum));
	kto_buf_release(&sum);
	return rc;
}
