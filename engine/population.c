/*
** engine/population: a wave's population in one pass, split over two
** threads when the database is a file (see population_int.h).
*/
#include "engine/population_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "engine/db_int.h"
#include "engine/email.h"

/* Below this many ids in the table one thread reads them all. */
#define SPLIT_MIN_IDS 100000

/* One part of the pass: the contacts with ids in (lo, hi]. */
struct part {
	const struct population_query *q;
	sqlite3 *conn;
	int64_t lo, hi;
	struct population pop;
	int sqlite_rc;             /* SQLITE_OK, or what went wrong */
	char err[256];
};

void
population_release(struct population *p)
{
	free(p->cand);
	memset(p, 0, sizeof *p);
}

/*
** Minutes since 1970 of a stored contact_at ("YYYY-MM-DDTHH:MM:SS", always
** in that form: the import writes it).  Read digit by digit because it runs
** once per contact of the population.
*/
static uint32_t
stored_minute(const char *s)
{
#define D2(p) ((unsigned)((p)[0] - '0') * 10 + (unsigned)((p)[1] - '0'))
	unsigned y = D2(s) * 100 + D2(s + 2), m = D2(s + 5), d = D2(s + 8);
	unsigned hh = D2(s + 11), mm = D2(s + 14);
#undef D2
	return (uint32_t)(kto_days_from_civil((int)y, (int)m, (int)d) * 1440 +
	    hh * 60 + mm);
}

static bool
add_candidate(struct population *p, int64_t id, const unsigned char *hash,
              const char *contact_at, enum kto_channel c)
{
	struct candidate *k;
	uint64_t h = 0;

	if (p->n_cand == p->cap_cand) {
		size_t ncap = p->cap_cand ? p->cap_cand * 2 : 1024;
		struct candidate *n = realloc(p->cand, ncap * sizeof *n);

		if (n == NULL)
			return false;
		p->cand = n;
		p->cap_cand = ncap;
	}
	for (int b = 0; b < 8; b++)
		h = h << 8 | hash[b];
	k = &p->cand[p->n_cand++];
	k->id = id;
	k->h = h;
	k->minute = strlen(contact_at) >= 19 ? stored_minute(contact_at) : 0;
	k->channel = (uint8_t)c;
	k->duplicate = 0;
	return true;
}

/* Counts one row of the pass and keeps it when it is a candidate. */
static bool
part_row(struct part *pt, sqlite3_stmt *st)
{
	const struct population_query *q = pt->q;
	int64_t id = sqlite3_column_int64(st, 0);
	const char *channel = (const char *)sqlite3_column_text(st, 1);
	struct population_counts *n;
	const unsigned char *hash;
	const char *email, *at;
	enum kto_exclusion e;
	enum kto_channel c;

	if (channel == NULL || !kto_channel_parse(channel, &c) || !q->use[c] ||
	    id <= q->after_id[c])
		return true;
	n = &pt->pop.count[c];
	email = (const char *)sqlite3_column_text(st, 2);
	hash = sqlite3_column_blob(st, 3);
	at = (const char *)sqlite3_column_text(st, 4);
	e = q->exclusion(q->ctx, email, hash, sqlite3_column_bytes(st, 3), at);
	n->population++;
	if (id > n->last_id)
		n->last_id = id;
	if (e != KTO_EXCL_COUNT) {
		n->excluded[e]++;
		return true;
	}
	return add_candidate(&pt->pop, id, hash, at, c);
}

/* Reads one part; the outcome in pt->sqlite_rc and pt->err. */
static void *
part_read(void *arg)
{
	struct part *pt = arg;
	const struct population_query *q = pt->q;
	sqlite3_stmt *st = NULL;
	int rc;

	/*
	** "+id": the id range is tested on the index entry, before the row is
	** fetched, rather than tempting the planner to scan the whole table
	** by id.
	*/
	rc = sqlite3_prepare_v2(pt->conn, "SELECT id, channel, email, email_hash, "
	    "contact_at FROM contact WHERE municipality_id = ?1 AND "
	    "contact_at >= ?2 AND contact_at < ?3 AND +id > ?4 AND +id <= ?5",
	    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, q->municipality_id);
		sqlite3_bind_text(st, 2, q->from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, q->until, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, pt->lo);
		sqlite3_bind_int64(st, 5, pt->hi);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (!part_row(pt, st)) {
				rc = SQLITE_NOMEM;
				break;
			}
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	pt->sqlite_rc = rc;
	if (rc != SQLITE_OK)
		snprintf(pt->err, sizeof pt->err, "%s", rc == SQLITE_NOMEM ?
		    "out of memory" : sqlite3_errmsg(pt->conn));
	sqlite3_finalize(st);
	return NULL;
}

/* The lowest id to read: the smallest after_id of the channels read. */
static int64_t
lowest_after(const struct population_query *q)
{
	int64_t lo = INT64_MAX;

	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		if (q->use[c] && q->after_id[c] < lo)
			lo = q->after_id[c];
	return lo;
}

/* Where to split (lo, the table's last id] in two; lo when not worth it. */
static int64_t
split_point(struct kto_db *db, int64_t lo)
{
	const char *file = sqlite3_db_filename(db->sqlite, "main");
	sqlite3_stmt *st;
	int64_t hi = lo;

	if (file == NULL || *file == '\0')
		return lo;      /* in memory: no second connection sees it */
	if (sqlite3_prepare_v2(db->sqlite, "SELECT max(id) FROM contact", -1, &st,
	    NULL) != SQLITE_OK)
		return lo;
	if (sqlite3_step(st) == SQLITE_ROW)
		hi = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return hi - lo >= SPLIT_MIN_IDS ? lo + (hi - lo) / 2 : lo;
}

/* A read-only connection of its own for the helper thread. */
static int
open_reader(struct kto_db *db, sqlite3 **out)
{
	int rc = sqlite3_open_v2(sqlite3_db_filename(db->sqlite, "main"), out,
	    SQLITE_OPEN_READONLY, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_db_config(*out, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
		sqlite3_busy_timeout(*out, 10000);
	}
	return rc;
}

/* Adds part b's population to a's. */
static bool
merge(struct population *a, struct population *b)
{
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		struct population_counts *x = &a->count[c], *y = &b->count[c];

		x->population += y->population;
		for (int e = 0; e < KTO_EXCL_COUNT; e++)
			x->excluded[e] += y->excluded[e];
		if (y->last_id > x->last_id)
			x->last_id = y->last_id;
	}
	if (b->n_cand > a->cap_cand - a->n_cand) {
		struct candidate *n = realloc(a->cand, (a->n_cand + b->n_cand) * sizeof *n);

		if (n == NULL)
			return false;
		a->cand = n;
		a->cap_cand = a->n_cand + b->n_cand;
	}
	if (b->n_cand > 0)
		memcpy(a->cand + a->n_cand, b->cand, b->n_cand * sizeof *b->cand);
	a->n_cand += b->n_cand;
	return true;
}

/* The outcome of a part as the database's error, when it failed. */
static enum kto_rc
part_outcome(struct kto_db *db, const struct part *pt)
{
	if (pt->sqlite_rc == SQLITE_OK)
		return KTO_OK;
	if (pt->sqlite_rc == SQLITE_NOMEM)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory reading the "
		    "contacts of the wave");
	return kto_db_seterr(db, KTO_EDB, "reading the contacts of the wave: %s",
	    pt->err);
}

enum kto_rc
population_read(struct kto_db *db, const struct population_query *q,
                struct population *out)
{
	struct part low = { .q = q, .conn = db->sqlite, .hi = INT64_MAX };
	struct part high = { .q = q, .hi = INT64_MAX };
	pthread_t helper;
	bool two = false;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	low.lo = lowest_after(q);
	if (low.lo == INT64_MAX)
		return KTO_OK;      /* no channel to read */
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		low.pop.count[c].last_id = high.pop.count[c].last_id = q->after_id[c];
	high.lo = split_point(db, low.lo);
	if (high.lo > low.lo && open_reader(db, &high.conn) == SQLITE_OK &&
	    pthread_create(&helper, NULL, part_read, &high) == 0) {
		low.hi = high.lo;
		two = true;
	}
	part_read(&low);
	if (two)
		pthread_join(helper, NULL);
	sqlite3_close(high.conn);
	rc = part_outcome(db, &low);
	if (rc == KTO_OK && two)
		rc = part_outcome(db, &high);
	if (rc == KTO_OK && two && !merge(&low.pop, &high.pop))
		rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory reading the "
		    "contacts of the wave");
	population_release(&high.pop);
	if (rc != KTO_OK) {
		population_release(&low.pop);
		return rc;
	}
	*out = low.pop;
	return KTO_OK;
}
