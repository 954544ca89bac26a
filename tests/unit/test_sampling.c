/*
** engine/wave, engine/sampling and engine/contacts together: contacts in,
** a wave created, its frame built with every exclusion counted by reason,
** the stratified sample drawn and queued as invitations, re-drawn for the
** audit, and the states and bad inputs of issue 4.
**
** The clock is pinned (kto_db_set_now) to 2026-03-20 12:00, so "in the
** future", "contacted too long ago" and "invited recently" are exact.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/diag.h"
#include "engine/blocklist.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/draw.h"
#include "engine/email.h"
#include "engine/municipality.h"
#include "engine/sampling.h"
#include "engine/token.h"
#include "engine/wave.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"
#define NOW "2026-03-20T12:00:00"
#define FROM "2026-03-01"
#define TO "2026-03-20"

#define COUNTER KTO_CHANNEL_COUNTER
#define PHONE KTO_CHANNEL_PHONE
#define EMAIL KTO_CHANNEL_EMAIL

/* A minimal valid definition per channel, under the default names. */
#define DEF(name, channel) \
	"survey " name "\n" \
	"  channel: " channel "\n" \
	"  title: Titel\n" \
	"  overall: Q9\n" \
	"\n" \
	"page een\n" \
	"  title: Een\n" \
	"\n" \
	"question Q9 mark\n" \
	"  text: Rapportcijfer\n" \
	"  area: TOT\n" \
	"\n" \
	"mail invitation\n" \
	"  subject: Uw mening over {municipality}\n" \
	"  body: |\n" \
	"    Beste inwoner,\n" \
	"    {link}\n" \
	"    {optout_link}\n"

static const char *const defs[] = {
	DEF("kto-balie", "counter"), DEF("kto-telefoon", "phone"),
	DEF("kto-email", "email"), DEF("alt-balie", "counter"),
};

/* ---------------------------------------------------------------------- */
/* The world every test starts from                                        */

static void
load_def(struct kto_db *db, const char *src)
{
	struct kto_def_version v;
	struct kto_diags d;
	bool created = false;
	enum kto_rc rc;

	kto_diags_init(&d);
	rc = kto_def_load(db, ACTOR, "test.kto", src, strlen(src), &v, &created, &d);
	if (rc != KTO_OK) {
		print_error("def load: %s: %s\n", kto_strerror(rc), kto_db_errmsg(db));
		for (size_t i = 0; i < d.n; i++)
			print_error("  %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
		fail();
	}
	kto_diags_release(&d);
}

/* Pins the clock, adds GM0001 and GM0002, loads the definitions. */
static void
prepare(struct kto_db *db)
{
	struct kto_datetime now;

	assert_true(kto_datetime_parse(NOW, &now));
	kto_db_set_now(db, &now);
	assert_int_equal(kto_municipality_add(db, ACTOR, "GM0001", "Testdorp", NULL,
	    NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(db, ACTOR, "GM0002", "Andersdorp", NULL,
	    NULL), KTO_OK);
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		load_def(db, defs[i]);
}

static int
setup(void **state)
{
	struct tu_fixture *f;

	if (tu_db_setup(state) != 0)
		return -1;
	f = *state;
	prepare(f->db);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static enum kto_contact_outcome
put_lang(struct kto_db *db, const char *code, const char *id, const char *channel,
         const char *at, const char *email, const char *language, char *reason,
         size_t rlen)
{
	struct kto_contact_input in;
	enum kto_contact_outcome o = (enum kto_contact_outcome)-1;
	enum kto_rc rc;

	memset(&in, 0, sizeof in);
	in.contact_id = id;
	in.channel = channel;
	in.contact_at = at;
	in.email = email;
	in.language = language;
	rc = kto_contact_put(db, code, &in, &o, reason, rlen);
	if (rc != KTO_OK) {
		print_error("contact %s: %s: %s\n", id, kto_strerror(rc), kto_db_errmsg(db));
		fail();
	}
	return o;
}

/* Adds a contact of GM0001 (or code), expecting it to be new. */
static void
add_in(struct kto_db *db, const char *code, const char *id, const char *channel,
       const char *at, const char *email)
{
	char reason[256] = "";
	enum kto_contact_outcome o = put_lang(db, code, id, channel, at, email, NULL,
	    reason, sizeof reason);

	if (o != KTO_CONTACT_ADDED) {
		print_error("contact %s: outcome %d (%s), wanted added\n", id, o, reason);
		fail();
	}
}

static void
add(struct kto_db *db, const char *id, const char *channel, const char *at,
    const char *email)
{
	add_in(db, "GM0001", id, channel, at, email);
}

/* n contacts "<prefix>NNN" on channel with addresses <prefix>NNN@x.nl. */
static void
add_many(struct kto_db *db, const char *prefix, const char *channel, int n,
         const char *at)
{
	for (int i = 1; i <= n; i++) {
		char id[40], email[60];

		snprintf(id, sizeof id, "%s%03d", prefix, i);
		snprintf(email, sizeof email, "%s%03d@x.nl", prefix, i);
		add(db, id, channel, at, email);
	}
}

/* A spec for GM0001 over FROM..TO with seed 12345, contacts of 30 days. */
static void
spec_base(struct kto_wave_spec *s, const char *code)
{
	kto_wave_spec_init(s);
	s->municipality = code;
	s->from = FROM;
	s->to = TO;
	s->recent_days = 30;
	s->has_seed = true;
	s->seed = 12345;
}

static int64_t
create(struct kto_db *db, const struct kto_wave_spec *s)
{
	int64_t id = 0;
	enum kto_rc rc = kto_wave_create(db, ACTOR, s, &id);

	if (rc != KTO_OK) {
		print_error("wave create: %s: %s\n", kto_strerror(rc), kto_db_errmsg(db));
		fail();
	}
	assert_true(id > 0);
	return id;
}

static void
sample(struct kto_db *db, int64_t id, struct kto_sample_report *rep)
{
	enum kto_rc rc = kto_wave_sample(db, ACTOR, id, rep);

	if (rc != KTO_OK) {
		print_error("wave sample: %s: %s\n", kto_strerror(rc), kto_db_errmsg(db));
		fail();
	}
}

static void
get(struct kto_db *db, int64_t id, struct kto_wave_info *w)
{
	assert_int_equal(kto_wave_get(db, id, w), KTO_OK);
}

static const struct kto_wave_channel_info *
chan(const struct kto_wave_info *w, enum kto_channel c)
{
	for (size_t i = 0; i < w->n_channels; i++)
		if (w->channels[i].channel == c)
			return &w->channels[i];
	print_error("wave %lld has no channel %s\n", (long long)w->id,
	    kto_channel_name(c));
	fail();
	return NULL;
}

static const struct kto_sample_result *
res(const struct kto_sample_report *r, enum kto_channel c)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->channels[i].channel == c)
			return &r->channels[i];
	print_error("the report has no channel %s\n", kto_channel_name(c));
	fail();
	return NULL;
}

static int64_t
excluded_sum(const int64_t *e)
{
	int64_t s = 0;

	for (int i = 0; i < KTO_EXCL_COUNT; i++)
		s += e[i];
	return s;
}

static int64_t
q(struct kto_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return tu_query_int(db, sql);
}

static void
exec_ok(struct kto_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (tu_sql(db, sql) != SQLITE_OK) {
		print_error("%s: %s\n", sql, sqlite3_errmsg(db->sqlite));
		fail();
	}
}

/* The text result of sql, copied to out. */
static void
qtext(struct kto_db *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db->sqlite, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(sqlite3_column_text(st, 0));
	snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The invited external ids of a wave's channel, sorted, joined by ','. */
static void
invited(struct kto_db *db, int64_t wave, const char *channel, char *out, size_t n)
{
	sqlite3_stmt *st;
	size_t len = 0;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT c.external_id FROM "
	    "invitation i JOIN contact c ON c.id = i.contact_id WHERE i.wave_id = ? "
	    "AND i.channel = ? ORDER BY c.external_id", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, wave);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
		    (const char *)sqlite3_column_text(st, 0));
		assert_true(len < n);
	}
	sqlite3_finalize(st);
}

/* ---------------------------------------------------------------------- */
/* The frame and its exclusions                                            */

/*
** One contact per rule, on three channels.  The clock says 2026-03-20
** 12:00; with recent_days 7 a contact before 2026-03-13 12:00 is too old.
*/
static void
test_population_and_exclusions(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	struct kto_wave_info w;
	const struct kto_wave_channel_info *c;
	const struct kto_sample_result *r;
	int64_t other, id;
	char list[1024];

	/* Staff and test patterns, opt-outs, for all or one municipality. */
	assert_int_equal(kto_pattern_add(db, ACTOR, "*@gemeente.nl", NULL, "staff",
	    NULL), KTO_OK);
	assert_int_equal(kto_pattern_add(db, ACTOR, "TEST*@*", "GM0001", NULL, NULL),
	    KTO_OK);
	assert_int_equal(kto_pattern_add(db, ACTOR, "*@other.nl", "GM0002", NULL, NULL),
	    KTO_OK);
	assert_int_equal(kto_optout_add(db, ACTOR, "optout1@x.nl", NULL, "link"), KTO_OK);
	assert_int_equal(kto_optout_add(db, ACTOR, " OptOut2@X.nl", "GM0001", "admin"),
	    KTO_OK);
	assert_int_equal(kto_optout_add(db, ACTOR, "optout3@x.nl", "GM0002", "mail"),
	    KTO_OK);
	assert_int_equal(kto_optout_add(db, ACTOR, "staff2@gemeente.nl", NULL, "api"),
	    KTO_OK);

	/* GM0002 invites inv@x.nl first. */
	add_in(db, "GM0002", "z1", "counter", "2026-03-15", "inv@x.nl");
	add_in(db, "GM0002", "z2", "counter", "2026-03-15", "zz@x.nl");
	spec_base(&s, "GM0002");
	s.channel[COUNTER] = true;
	other = create(db, &s);
	sample(db, other, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE wave_id = %lld",
	    (long long)other), 2);

	/* counter */
	add(db, "c01", "counter", "2026-03-15", NULL);                 /* no_email */
	add(db, "c02", "balie", "2026-03-15", "  ");                   /* no_email */
	add(db, "c03", "counter", "2026-03-15", "baliemw@gemeente.nl");/* staff */
	add(db, "c04", "counter", "2026-03-15", "Test7@x.nl");         /* staff */
	add(db, "c05", "counter", "2026-03-15", "optout1@x.nl");       /* opted_out */
	add(db, "c06", "counter", "2026-03-15", "optout2@x.nl");       /* opted_out */
	add(db, "c07", "counter", "2026-03-15", "optout3@x.nl");       /* frame */
	add(db, "c08", "counter", "2026-03-15", "a@other.nl");         /* frame */
	add(db, "c09", "counter", "2026-03-15", "INV@x.nl");           /* invited */
	add(db, "c10", "counter", "2026-03-10", "old@x.nl");           /* too_old */
	add(db, "c11", "counter", "2026-02-20", "feb@x.nl");           /* not in period */
	add(db, "c12", "counter", "2026-03-16 10:00", "p1@x.nl");      /* frame */
	add(db, "c13", "counter", "2026-03-15", "dup@x.nl");           /* duplicate */
	add(db, "c14", "counter", "2026-03-15", "staff2@gemeente.nl"); /* staff first */
	add(db, "c16", "counter", "2026-03-14", "twice@x.nl");         /* duplicate */
	add(db, "c17", "counter", "2026-03-17", "twice@x.nl");         /* frame */
	add(db, "c19", "counter", "13/3/2026 12:00", "edge@x.nl");     /* frame */
	add(db, "c20", "counter", "2026-03-13 11:59:59", "edge2@x.nl");/* too_old */
	/* email */
	add(db, "e01", "email", "2026-03-18", "dup@x.nl");             /* frame */
	add(db, "e02", "e-mail", "2026-03-18", NULL);                  /* no_email */
	add(db, "e03", "email", "2026-03-14", "P1@X.NL");              /* duplicate */
	add(db, "e04", "email", "2026-03-14", "e4@x.nl");              /* frame */
	/* phone */
	add(db, "p01", "phone", "2026-03-19", "ph1@x.nl");             /* frame */
	add(db, "p02", "telefoon", "2026-03-19", NULL);                /* no_email */
	add(db, "p03", "phone", "2026-03-20 18:00", "ph3@x.nl");       /* frame */

	spec_base(&s, "GM0001");
	s.recent_days = 7;
	id = create(db, &s);

	/* A draft previews N_h: every contact in the period, address or not. */
	get(db, id, &w);
	assert_string_equal(w.state, "draft");
	assert_int_equal(w.n_channels, 3);
	assert_int_equal(chan(&w, COUNTER)->n.population, 17);
	assert_int_equal(chan(&w, EMAIL)->n.population, 4);
	assert_int_equal(chan(&w, PHONE)->n.population, 3);
	assert_false(chan(&w, COUNTER)->drawn);

	memset(&rep, 0, sizeof rep);
	sample(db, id, &rep);
	assert_int_equal(rep.n, 3);

	r = res(&rep, COUNTER);
	assert_true(r->drawn);
	assert_false(r->continuous);
	assert_int_equal(r->population, 17);
	assert_int_equal(r->excluded[KTO_EXCL_NO_EMAIL], 2);
	assert_int_equal(r->excluded[KTO_EXCL_STAFF], 3);
	assert_int_equal(r->excluded[KTO_EXCL_OPTED_OUT], 2);
	assert_int_equal(r->excluded[KTO_EXCL_INVITED_RECENTLY], 1);
	assert_int_equal(r->excluded[KTO_EXCL_TOO_OLD], 2);
	assert_int_equal(r->excluded[KTO_EXCL_DUPLICATE], 2);
	assert_int_equal(r->frame, 5);
	/* Target 100 at 30 %: 334 wanted, the whole frame taken. */
	assert_int_equal(r->planned, 334);
	assert_int_equal(r->sampled, 5);
	assert_int_equal(r->shortfall, 329);

	r = res(&rep, EMAIL);
	assert_int_equal(r->population, 4);
	assert_int_equal(r->excluded[KTO_EXCL_NO_EMAIL], 1);
	assert_int_equal(r->excluded[KTO_EXCL_DUPLICATE], 1);
	assert_int_equal(excluded_sum(r->excluded), 2);
	assert_int_equal(r->frame, 2);
	assert_int_equal(r->sampled, 2);

	r = res(&rep, PHONE);
	assert_int_equal(r->population, 3);
	assert_int_equal(r->excluded[KTO_EXCL_NO_EMAIL], 1);
	assert_int_equal(excluded_sum(r->excluded), 1);
	assert_int_equal(r->frame, 2);

	/* What was stored says the same, and adds up. */
	get(db, id, &w);
	assert_string_equal(w.state, "sampled");
	assert_true(w.sampled_at[0] != '\0');
	for (size_t i = 0; i < w.n_channels; i++) {
		c = &w.channels[i];
		assert_true(c->drawn);
		assert_int_equal(c->n.population, c->n.frame + excluded_sum(c->n.excluded));
		assert_int_equal(c->n.excluded[KTO_EXCL_NO_EMAIL],
		    res(&rep, c->channel)->excluded[KTO_EXCL_NO_EMAIL]);
		assert_int_equal(c->n.sampled, c->n.frame);
	}
	c = chan(&w, COUNTER);
	assert_int_equal(c->n.population, 17);
	assert_int_equal(c->n.frame, 5);
	assert_int_equal(c->n.excluded[KTO_EXCL_STAFF], 3);
	assert_int_equal(c->n.excluded[KTO_EXCL_OPTED_OUT], 2);
	assert_int_equal(c->n.excluded[KTO_EXCL_INVITED_RECENTLY], 1);
	assert_int_equal(c->n.excluded[KTO_EXCL_TOO_OLD], 2);
	assert_int_equal(c->n.excluded[KTO_EXCL_DUPLICATE], 2);
	assert_int_equal(c->n.shortfall, 329);
	assert_int_equal(chan(&w, EMAIL)->n.excluded[KTO_EXCL_DUPLICATE], 1);
	assert_int_equal(w.totals.population, 24);
	assert_int_equal(w.totals.frame, 9);
	assert_int_equal(w.totals.sampled, 9);
	assert_int_equal(q(db, "SELECT count(*) FROM wave_exclusion WHERE wave_id = "
	    "%lld", (long long)id), 3 * KTO_EXCL_COUNT);

	/* Exactly the contacts that should be, the newest of each person. */
	invited(db, id, "counter", list, sizeof list);
	assert_string_equal(list, "c07,c08,c12,c17,c19");
	invited(db, id, "email", list, sizeof list);
	assert_string_equal(list, "e01,e04");
	invited(db, id, "phone", list, sizeof list);
	assert_string_equal(list, "p01,p03");
	assert_int_equal(q(db, "SELECT count(*) FROM audit_log WHERE action = "
	    "'wave.sample'"), 2);
}

/*
** "Invited in the last 6 months": the window is the wave's
** invited_recently_days (182) back from now, 2025-09-19 12:00.
*/
static void
test_invited_recently_window(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	int64_t other, id, id2;
	char list[256];

	add_in(db, "GM0002", "z1", "counter", "2026-03-15", "long-ago@x.nl");
	add_in(db, "GM0002", "z2", "counter", "2026-03-15", "just-in@x.nl");
	add_in(db, "GM0002", "z3", "counter", "2026-03-15", "recent@x.nl");
	spec_base(&s, "GM0002");
	s.channel[COUNTER] = true;
	other = create(db, &s);
	sample(db, other, NULL);
	exec_ok(db, "UPDATE invitation SET created_at = '2025-09-19T11:59:59' WHERE "
	    "contact_id = (SELECT id FROM contact WHERE external_id = 'z1')");
	exec_ok(db, "UPDATE invitation SET created_at = '2025-09-19T12:00:00' WHERE "
	    "contact_id = (SELECT id FROM contact WHERE external_id = 'z2')");

	add(db, "a1", "counter", "2026-03-16", "long-ago@x.nl");
	add(db, "a2", "counter", "2026-03-16", "just-in@x.nl");
	add(db, "a3", "counter", "2026-03-16", "recent@x.nl");
	add(db, "a4", "counter", "2026-03-16", "new@x.nl");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	id = create(db, &s);
	sample(db, id, &rep);
	assert_int_equal(res(&rep, COUNTER)->excluded[KTO_EXCL_INVITED_RECENTLY], 2);
	invited(db, id, "counter", list, sizeof list);
	assert_string_equal(list, "a1,a4");

	/* A shorter window, on a municipality's next wave: 10 days. */
	add(db, "b1", "phone", "2026-03-16", "recent@x.nl");
	add(db, "b2", "phone", "2026-03-16", "just-in@x.nl");
	exec_ok(db, "UPDATE invitation SET created_at = '2026-03-10T12:00:00' WHERE "
	    "contact_id = (SELECT id FROM contact WHERE external_id = 'z3')");
	spec_base(&s, "GM0001");
	s.channel[PHONE] = true;
	s.invited_recently_days = 10;
	id2 = create(db, &s);
	sample(db, id2, &rep);
	/* z3 on 2026-03-10 12:00 is exactly 10 days ago: still recent. */
	assert_int_equal(res(&rep, PHONE)->excluded[KTO_EXCL_INVITED_RECENTLY], 1);
	invited(db, id2, "phone", list, sizeof list);
	assert_string_equal(list, "b2");
}

/* Per channel: ceil(target / rate), capped by the cap and by the frame. */
static void
test_sample_sizes(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	struct kto_wave_info w;
	int64_t id;

	add_many(db, "k", "counter", 60, "2026-03-15");
	add_many(db, "t", "phone", 60, "2026-03-15");
	add_many(db, "m", "email", 20, "2026-03-15");
	spec_base(&s, "GM0001");
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		s.target[c] = 10;
		s.response_rate[c] = 0.3;
	}
	s.max_invitations[PHONE] = 20;
	id = create(db, &s);
	sample(db, id, &rep);

	assert_int_equal(res(&rep, COUNTER)->planned, 34);
	assert_int_equal(res(&rep, COUNTER)->sampled, 34);
	assert_int_equal(res(&rep, COUNTER)->shortfall, 0);
	assert_int_equal(res(&rep, COUNTER)->frame, 60);
	/* The cap is not a shortfall: it was asked for. */
	assert_int_equal(res(&rep, PHONE)->planned, 34);
	assert_int_equal(res(&rep, PHONE)->sampled, 20);
	assert_int_equal(res(&rep, PHONE)->shortfall, 0);
	/* A frame smaller than the sample: all of it, and the shortfall. */
	assert_int_equal(res(&rep, EMAIL)->frame, 20);
	assert_int_equal(res(&rep, EMAIL)->sampled, 20);
	assert_int_equal(res(&rep, EMAIL)->shortfall, 14);

	get(db, id, &w);
	assert_int_equal(chan(&w, COUNTER)->n.sampled, 34);
	assert_int_equal(chan(&w, PHONE)->n.sampled, 20);
	assert_int_equal(chan(&w, PHONE)->max_invitations, 20);
	assert_int_equal(chan(&w, EMAIL)->n.shortfall, 14);
	assert_int_equal(w.totals.sampled, 74);
	assert_int_equal(w.totals.shortfall, 14);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE wave_id = %lld "
	    "AND channel = 'counter'", (long long)id), 34);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE wave_id = %lld "
	    "AND channel = 'phone'", (long long)id), 20);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE wave_id = %lld "
	    "AND channel = 'email'", (long long)id), 20);
	/* draw_order is 1..n per channel. */
	assert_int_equal(q(db, "SELECT max(draw_order) FROM invitation WHERE wave_id = "
	    "%lld AND channel = 'counter'", (long long)id), 34);
	assert_int_equal(q(db, "SELECT count(DISTINCT draw_order) FROM invitation "
	    "WHERE wave_id = %lld AND channel = 'counter'", (long long)id), 34);
}

/* 57 / 0.57 is 100 in exact arithmetic but 100.00000000000001 in doubles:
 * a naive ceil() would invite 101. */
static void
test_sample_size_exact_ratio(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	int64_t id;

	add_many(db, "k", "counter", 110, "2026-03-15");
	add_many(db, "t", "phone", 40, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[PHONE] = true;
	s.target[COUNTER] = 57;
	s.response_rate[COUNTER] = 0.57;
	s.target[PHONE] = 21;
	s.response_rate[PHONE] = 0.7;
	id = create(db, &s);
	sample(db, id, &rep);
	assert_int_equal(rep.n, 2);
	assert_int_equal(res(&rep, COUNTER)->planned, 100);
	assert_int_equal(res(&rep, COUNTER)->sampled, 100);
	assert_int_equal(res(&rep, PHONE)->planned, 30);
	assert_int_equal(res(&rep, PHONE)->sampled, 30);
}

/*
** The default response rate is what the municipality's earlier waves
** achieved on the channel (responded / invited), at least 5 %; 0.3 when
** nothing was mailed yet, and another municipality's waves do not count.
*/
static void
test_rate_from_earlier_waves(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_wave_info w;
	int64_t first, next, other;

	add_many(db, "k", "counter", 20, "2026-03-15");
	add_many(db, "t", "phone", 20, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[PHONE] = true;
	first = create(db, &s);
	sample(db, first, NULL);
	/* Sampled but not mailed: still the default. */
	spec_base(&s, "GM0001");
	next = create(db, &s);
	get(db, next, &w);
	assert_close(chan(&w, COUNTER)->response_rate, 0.3, 1e-12);

	/* 20 counter invitations mailed, 8 answered; phone: 20 mailed, none. */
	exec_ok(db, "UPDATE invitation SET invited_at = '2026-03-20T13:00:00Z'");
	exec_ok(db, "UPDATE invitation SET responded_at = '2026-03-21T09:00:00Z' "
	    "WHERE channel = 'counter' AND draw_order <= 8");
	spec_base(&s, "GM0001");
	s.response_rate[EMAIL] = 0.5;
	next = create(db, &s);
	get(db, next, &w);
	assert_close(chan(&w, COUNTER)->response_rate, 0.4, 1e-12);
	assert_close(chan(&w, PHONE)->response_rate, 0.05, 1e-12);
	assert_close(chan(&w, EMAIL)->response_rate, 0.5, 1e-12);
	/* A rate given is used as given. */
	spec_base(&s, "GM0001");
	s.response_rate[COUNTER] = 0.25;
	next = create(db, &s);
	get(db, next, &w);
	assert_close(chan(&w, COUNTER)->response_rate, 0.25, 1e-12);

	spec_base(&s, "GM0002");
	other = create(db, &s);
	get(db, other, &w);
	assert_close(chan(&w, COUNTER)->response_rate, 0.3, 1e-12);
	assert_close(chan(&w, PHONE)->response_rate, 0.3, 1e-12);
}

/* A channel with nobody in it: nothing drawn, all of it shortfall. */
static void
test_empty_stratum(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	char summary[1024];
	int64_t id;

	add_many(db, "k", "counter", 5, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[EMAIL] = true;
	s.target[EMAIL] = 3;
	s.response_rate[EMAIL] = 1;
	id = create(db, &s);
	sample(db, id, &rep);
	assert_int_equal(res(&rep, EMAIL)->population, 0);
	assert_int_equal(res(&rep, EMAIL)->frame, 0);
	assert_int_equal(res(&rep, EMAIL)->sampled, 0);
	assert_int_equal(res(&rep, EMAIL)->shortfall, 3);
	assert_int_equal(res(&rep, COUNTER)->sampled, 5);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);
	assert_contains(summary, "counter: 5 of 5, identical");
	assert_contains(summary, "email: 0 of 0, identical");
}

/* ---------------------------------------------------------------------- */
/* Reproducibility and the audit re-draw                                   */

/* The same contacts, in the same order, into db. */
static void
fill_reproducible(struct kto_db *db)
{
	add_many(db, "k", "counter", 150, "2026-03-15");
	add_many(db, "m", "email", 60, "2026-03-16");
	/* People on two channels: the newest contact is kept. */
	for (int i = 1; i <= 20; i++) {
		char id[16], email[32];

		snprintf(id, sizeof id, "d%03d", i);
		snprintf(email, sizeof email, "k%03d@x.nl", i * 7);
		add(db, id, "email", i % 2 ? "2026-03-17" : "2026-03-14", email);
	}
}

static void
sample_ids(struct kto_db *db, int64_t id, char *out, size_t n)
{
	struct kto_sample_row *rows = NULL;
	size_t count = 0, len = 0;

	assert_int_equal(kto_wave_sample_rows(db, id, &rows, &count), KTO_OK);
	out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		len += (size_t)snprintf(out + len, n - len, "%s:%s;",
		    kto_channel_name(rows[i].channel), rows[i].contact_id);
		assert_true(len < n);
	}
	free(rows);
}

static void
test_same_seed_same_sample(void **state)
{
	struct tu_fixture *f = *state;
	void *other_state = NULL;
	struct tu_fixture *g;
	struct kto_wave_spec s;
	struct kto_sample_report ra, rb;
	static char a[16384], b[16384], c[16384];
	int64_t ida, idb, idc;

	assert_int_equal(setup(&other_state), 0);
	g = other_state;
	fill_reproducible(f->db);
	fill_reproducible(g->db);

	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[EMAIL] = true;
	s.target[COUNTER] = 20;
	s.target[EMAIL] = 15;
	s.seed = 987654321;
	ida = create(f->db, &s);
	idb = create(g->db, &s);
	sample(f->db, ida, &ra);
	sample(g->db, idb, &rb);
	/* Of the 20 people on both channels, 10 came to the counter last. */
	assert_int_equal(res(&ra, COUNTER)->excluded[KTO_EXCL_DUPLICATE], 10);
	assert_int_equal(res(&ra, EMAIL)->excluded[KTO_EXCL_DUPLICATE], 10);
	assert_int_equal(res(&ra, COUNTER)->frame, 140);
	assert_int_equal(res(&ra, EMAIL)->frame, 70);
	assert_int_equal(res(&rb, COUNTER)->frame, 140);
	assert_int_equal(res(&ra, COUNTER)->sampled, 67);
	assert_int_equal(res(&ra, EMAIL)->sampled, 50);

	/* The address keys differ, the samples do not. */
	assert_int_equal(q(f->db, "SELECT count(*) FROM contact"), 230);
	sample_ids(f->db, ida, a, sizeof a);
	sample_ids(g->db, idb, b, sizeof b);
	assert_string_equal(a, b);
	assert_int_equal(q(f->db, "SELECT count(*) FROM invitation WHERE wave_id = "
	    "%lld", (long long)ida), 117);
	/* The frames are the same too. */
	{
		char ha[200], hb[200];

		qtext(f->db, "SELECT group_concat(frame_hash, ',') FROM (SELECT "
		    "frame_hash FROM wave_channel ORDER BY channel)", ha, sizeof ha);
		qtext(g->db, "SELECT group_concat(frame_hash, ',') FROM (SELECT "
		    "frame_hash FROM wave_channel ORDER BY channel)", hb, sizeof hb);
		assert_int_equal(strlen(ha), 64 + 1 + 64);
		assert_string_equal(ha, hb);
	}

	/* Another seed: another sample of the same frame. */
	tu_db_teardown(&other_state);
	assert_int_equal(setup(&other_state), 0);
	g = other_state;
	fill_reproducible(g->db);
	s.seed = 987654322;
	idc = create(g->db, &s);
	sample(g->db, idc, NULL);
	sample_ids(g->db, idc, c, sizeof c);
	assert_string_not_equal(a, c);
	assert_int_equal(q(g->db, "SELECT count(*) FROM invitation"), 117);
	tu_db_teardown(&other_state);
}

/*
** The invited contacts are exactly a seeded SRSWOR of the stored frame,
** drawn with the stream of the wave's seed and the channel.
*/
static void
test_sample_is_the_documented_draw(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	int64_t id, *frame = NULL, want[34];
	size_t n = 0;
	sqlite3_stmt *st;
	char hash[65];

	add_many(db, "k", "counter", 80, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.target[COUNTER] = 10;
	s.response_rate[COUNTER] = 0.3;
	id = create(db, &s);
	sample(db, id, NULL);

	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT frame_ids, frame_hash "
	    "FROM wave_channel WHERE wave_id = ? AND channel = 'counter'", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(kto_ids_decode(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), &frame, &n), KTO_OK);
	kto_ids_hash(frame, n, hash);
	assert_string_equal(hash, (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	assert_int_equal(n, 80);
	/* The frame is the contacts' ids, ascending. */
	assert_int_equal(frame[0], q(db, "SELECT min(id) FROM contact"));
	assert_int_equal(frame[79], q(db, "SELECT max(id) FROM contact"));
	assert_int_equal(kto_draw_srswor(kto_draw_stream_seed(12345, COUNTER), frame, n,
	    34, want), KTO_OK);
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT contact_id FROM "
	    "invitation WHERE wave_id = ? ORDER BY draw_order", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	for (int i = 0; i < 34; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(st, 0), want[i]);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(frame);
}

static void
test_verify_and_tampering(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	char summary[1024];
	int64_t id, first, outsider, *frame = NULL;
	size_t n = 0;
	sqlite3_stmt *st;

	add_many(db, "k", "counter", 100, "2026-03-15");
	add_many(db, "m", "email", 50, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[EMAIL] = true;
	s.target[COUNTER] = 10;
	s.target[EMAIL] = 5;
	id = create(db, &s);

	/* Nothing to verify before the draw. */
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_ESTATE);
	sample(db, id, NULL);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);
	assert_contains(summary, "counter: 34 of 100, identical");
	assert_contains(summary, "email: 17 of 50, identical");

	/* An invitation moved to a contact that was not drawn. */
	first = q(db, "SELECT contact_id FROM invitation WHERE wave_id = %lld AND "
	    "channel = 'counter' AND draw_order = 1", (long long)id);
	outsider = q(db, "SELECT min(id) FROM contact WHERE channel = 'counter' AND "
	    "id NOT IN (SELECT contact_id FROM invitation)");
	exec_ok(db, "UPDATE invitation SET contact_id = %lld WHERE wave_id = %lld AND "
	    "contact_id = %lld", (long long)outsider, (long long)id, (long long)first);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "counter");
	assert_contains(kto_db_errmsg(db), "different sample");
	exec_ok(db, "UPDATE invitation SET contact_id = %lld WHERE wave_id = %lld AND "
	    "contact_id = %lld", (long long)first, (long long)id, (long long)outsider);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);

	/* An invitation removed. */
	exec_ok(db, "CREATE TEMP TABLE keep AS SELECT * FROM invitation WHERE "
	    "wave_id = %lld AND channel = 'email' AND draw_order = 17", (long long)id);
	exec_ok(db, "DELETE FROM invitation WHERE wave_id = %lld AND channel = "
	    "'email' AND draw_order = 17", (long long)id);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "email");
	exec_ok(db, "INSERT INTO invitation SELECT * FROM temp.keep");
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);

	/* The wave's seed changed. */
	exec_ok(db, "UPDATE wave SET seed = seed + 1 WHERE id = %lld", (long long)id);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "different sample");
	exec_ok(db, "UPDATE wave SET seed = seed - 1 WHERE id = %lld", (long long)id);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);

	/* The frame's hash changed. */
	exec_ok(db, "UPDATE wave_channel SET frame_hash = '%064d' WHERE wave_id = "
	    "%lld AND channel = 'counter'", 0, (long long)id);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "does not match its hash");

	/* A contact dropped from the frame, with a matching hash. */
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT frame_ids FROM "
	    "wave_channel WHERE wave_id = ? AND channel = 'counter'", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(kto_ids_decode(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), &frame, &n), KTO_OK);
	sqlite3_finalize(st);
	assert_int_equal(n, 100);
	{
		struct kto_buf blob = KTO_BUF_INIT(1 << 20);
		char hash[65];

		/* Drop an element that was not invited, keep the rest. */
		for (size_t i = 0; i < n; i++)
			if (frame[i] == outsider) {
				memmove(frame + i, frame + i + 1, (n - i - 1) * sizeof *frame);
				n--;
				break;
			}
		assert_int_equal(n, 99);
		assert_int_equal(kto_ids_encode(frame, n, &blob), KTO_OK);
		kto_ids_hash(frame, n, hash);
		assert_int_equal(sqlite3_prepare_v2(db->sqlite, "UPDATE wave_channel SET "
		    "frame_ids = ?, frame_hash = ? WHERE wave_id = ? AND channel = "
		    "'counter'", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_blob(st, 1, blob.ptr, (int)blob.len, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		kto_buf_release(&blob);
	}
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "different sample");
	free(frame);

	/* A damaged frame blob. */
	exec_ok(db, "UPDATE wave_channel SET frame_ids = x'0180' WHERE wave_id = %lld "
	    "AND channel = 'counter'", (long long)id);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "damaged");

	assert_int_equal(kto_wave_verify(db, 9999, summary, sizeof summary),
	    KTO_ENOTFOUND);
}

/*
** Regression (was a bug in engine/sampling.c, kto_wave_verify): the query reads wave_channel
** rows "WHERE ... frame_ids IS NOT NULL", so a one-off channel whose
** recorded frame was erased (frame_ids set to NULL) is silently skipped:
** verify returns KTO_OK and the summary just lacks the channel, although
** its invitations can no longer be checked.  Expected: KTO_EINPUT naming
** the channel (a drawn one-off channel must have a recorded frame).
*/
static void
test_verify_missing_frame(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	char summary[1024];
	int64_t id;
	enum kto_rc rc;

	add_many(db, "k", "counter", 50, "2026-03-15");
	add_many(db, "m", "email", 50, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[EMAIL] = true;
	s.target[COUNTER] = 5;
	s.target[EMAIL] = 5;
	id = create(db, &s);
	sample(db, id, NULL);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);
	assert_contains(summary, "counter: 17 of 50, identical");
	exec_ok(db, "UPDATE wave_channel SET frame_ids = NULL WHERE wave_id = %lld AND "
	    "channel = 'counter'", (long long)id);
	rc = kto_wave_verify(db, id, summary, sizeof summary);
	assert_int_equal(rc, KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "counter");
}

/* ---------------------------------------------------------------------- */
/* States                                                                  */

static void
test_sample_twice_and_close(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_wave_info w;
	int64_t id, draft;

	add_many(db, "k", "counter", 40, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.target[COUNTER] = 3;
	id = create(db, &s);
	sample(db, id, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation"), 10);

	/* Twice: refused, naming the existing sample; nothing added. */
	assert_int_equal(kto_wave_sample(db, ACTOR, id, NULL), KTO_ESTATE);
	assert_contains(kto_db_errmsg(db), "sampled already");
	assert_contains(kto_db_errmsg(db), "10 invitations");
	assert_int_equal(q(db, "SELECT count(*) FROM invitation"), 10);
	assert_int_equal(q(db, "SELECT count(*) FROM audit_log WHERE action = "
	    "'wave.sample'"), 1);

	/* Closing erases the tokens kept for mailing, not their hashes. */
	assert_int_equal(q(db, "SELECT count(mail_token) FROM invitation"), 10);
	assert_int_equal(kto_wave_close(db, ACTOR, id), KTO_OK);
	get(db, id, &w);
	assert_string_equal(w.state, "closed");
	assert_true(w.closed_at[0] != '\0');
	assert_int_equal(q(db, "SELECT count(mail_token) FROM invitation"), 0);
	assert_int_equal(q(db, "SELECT count(token_hash) FROM invitation"), 10);
	assert_int_equal(kto_wave_sample(db, ACTOR, id, NULL), KTO_ESTATE);
	assert_contains(kto_db_errmsg(db), "closed");
	assert_int_equal(kto_wave_close(db, ACTOR, id), KTO_ESTATE);
	assert_contains(kto_db_errmsg(db), "closed already");

	/* A draft closed before its draw draws nothing. */
	spec_base(&s, "GM0001");
	s.channel[PHONE] = true;
	draft = create(db, &s);
	assert_int_equal(kto_wave_close(db, ACTOR, draft), KTO_OK);
	assert_int_equal(kto_wave_sample(db, ACTOR, draft, NULL), KTO_ESTATE);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE wave_id = %lld",
	    (long long)draft), 0);

	assert_int_equal(kto_wave_sample(db, ACTOR, 9999, NULL), KTO_ENOTFOUND);
	assert_int_equal(kto_wave_close(db, ACTOR, 9999), KTO_ENOTFOUND);
}

static void
test_invitations(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	char reason[256];
	sqlite3_stmt *st;
	int64_t id;
	int rows = 0;

	for (int i = 1; i <= 30; i++) {
		char cid[16], email[32];

		snprintf(cid, sizeof cid, "c%02d", i);
		snprintf(email, sizeof email, "Person%02d@X.nl", i);
		assert_int_equal(put_lang(db, "GM0001", cid, "counter", "2026-03-15",
		    email, i % 3 == 0 ? "English" : (i % 3 == 1 ? "nl" : NULL), reason,
		    sizeof reason), KTO_CONTACT_ADDED);
	}
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.target[COUNTER] = 30;
	s.response_rate[COUNTER] = 1;
	id = create(db, &s);
	sample(db, id, NULL);

	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT i.token_hash, "
	    "i.mail_token, i.email_hash, c.email_hash, i.language, c.language, "
	    "c.external_id, i.state, i.channel, i.created_at, i.draw_id "
	    "FROM invitation i JOIN contact c ON c.id = i.contact_id WHERE "
	    "i.wave_id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *token = (const char *)sqlite3_column_text(st, 1);
		const char *ext = (const char *)sqlite3_column_text(st, 6);
		unsigned char th[KTO_TOKEN_HASH_BYTES], eh[KTO_EMAIL_HASH_BYTES];
		char norm[KTO_EMAIL_MAX + 1], email[32];
		int i = atoi(ext + 1);

		rows++;
		assert_int_equal(sqlite3_column_bytes(st, 0), KTO_TOKEN_HASH_BYTES);
		assert_non_null(token);
		assert_int_equal(strlen(token), KTO_TOKEN_CHARS);
		assert_true(kto_token_wellformed(token));
		kto_token_hash(token, th);
		assert_memory_equal(sqlite3_column_blob(st, 0), th, sizeof th);
		/* The contact's keyed address hash, of the normal form. */
		assert_int_equal(sqlite3_column_bytes(st, 2), KTO_EMAIL_HASH_BYTES);
		assert_memory_equal(sqlite3_column_blob(st, 2), sqlite3_column_blob(st, 3),
		    KTO_EMAIL_HASH_BYTES);
		snprintf(email, sizeof email, "Person%02d@X.nl", i);
		assert_true(kto_email_normalize(email, norm));
		assert_int_equal(kto_email_hash(db, norm, eh), KTO_OK);
		assert_memory_equal(sqlite3_column_blob(st, 2), eh, sizeof eh);
		/* The contact's language. */
		assert_string_equal((const char *)sqlite3_column_text(st, 4),
		    (const char *)sqlite3_column_text(st, 5));
		assert_string_equal((const char *)sqlite3_column_text(st, 4),
		    i % 3 == 0 ? "en" : "nl");
		assert_string_equal((const char *)sqlite3_column_text(st, 7), "queued");
		assert_string_equal((const char *)sqlite3_column_text(st, 8), "counter");
		assert_string_equal((const char *)sqlite3_column_text(st, 9), NOW);
		assert_int_equal(sqlite3_column_type(st, 10), SQLITE_NULL);
	}
	sqlite3_finalize(st);
	assert_int_equal(rows, 30);
	/* Every token is different. */
	assert_int_equal(q(db, "SELECT count(DISTINCT mail_token) FROM invitation"), 30);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE language = 'en'"),
	    10);
	/* The export: contact_id and channel, in draw order. */
	{
		struct kto_sample_row *rows_out = NULL;
		size_t n = 0;

		assert_int_equal(kto_wave_sample_rows(db, id, &rows_out, &n), KTO_OK);
		assert_int_equal(n, 30);
		for (size_t i = 0; i < n; i++) {
			char want[32];

			snprintf(want, sizeof want, "c%02zu", i + 1);
			assert_string_equal(rows_out[i].contact_id, want);
			assert_int_equal(rows_out[i].channel, COUNTER);
		}
		free(rows_out);
	}
}

/* ---------------------------------------------------------------------- */
/* Continuous sampling                                                     */

static void
test_continuous(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	struct kto_wave_info w;
	const struct kto_sample_result *r;
	char summary[2048], email[32];
	int64_t id, first_sampled, second_sampled, watermark, seed1, seed2;
	int64_t invited_one, skipped_one;

	add_many(db, "k", "counter", 100, "2026-03-10");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.channel[EMAIL] = true;
	s.continuous[COUNTER] = 0.5;
	s.target[EMAIL] = 2;
	s.response_rate[EMAIL] = 1;
	id = create(db, &s);
	get(db, id, &w);
	assert_true(w.continuous);
	assert_close(chan(&w, COUNTER)->continuous, 0.5, 1e-12);
	assert_close(chan(&w, EMAIL)->continuous, 0, 0);
	add_many(db, "m", "email", 5, "2026-03-10");

	/* The first draw: a Bernoulli sample of everyone so far. */
	sample(db, id, &rep);
	r = res(&rep, COUNTER);
	assert_true(r->continuous);
	assert_int_equal(r->population, 100);
	assert_int_equal(r->frame, 100);
	first_sampled = r->sampled;
	assert_true(first_sampled > 25 && first_sampled < 75);
	assert_int_equal(r->shortfall, 0);
	assert_false(res(&rep, EMAIL)->continuous);
	assert_int_equal(res(&rep, EMAIL)->sampled, 2);
	watermark = q(db, "SELECT max(id) FROM contact WHERE channel = 'counter'");
	assert_int_equal(q(db, "SELECT count(*) FROM wave_draw WHERE wave_id = %lld",
	    (long long)id), 1);
	assert_int_equal(q(db, "SELECT last_contact_id FROM wave_draw WHERE wave_id = "
	    "%lld", (long long)id), watermark);
	assert_int_equal(q(db, "SELECT considered FROM wave_draw"), 100);
	assert_int_equal(q(db, "SELECT sampled FROM wave_draw"), first_sampled);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE channel = "
	    "'counter' AND draw_id = (SELECT id FROM wave_draw)"), first_sampled);
	get(db, id, &w);
	assert_string_equal(w.state, "sampled");

	/* New contacts: one of a person invited in the first draw, one of a
	 * person drawn over then, and 58 new people. */
	invited_one = q(db, "SELECT min(c.id) FROM contact c JOIN invitation i ON "
	    "i.contact_id = c.id WHERE c.channel = 'counter'");
	skipped_one = q(db, "SELECT min(id) FROM contact WHERE channel = 'counter' AND "
	    "id NOT IN (SELECT contact_id FROM invitation)");
	/* (Row ids equal the numbers of the k contacts: k001 is row 1.) */
	assert_int_equal(q(db, "SELECT count(*) FROM contact WHERE external_id = "
	    "printf('k%%03d', id)"), 100);
	snprintf(email, sizeof email, "K%03lld@x.nl", (long long)invited_one);
	add(db, "again-invited", "counter", "2026-03-18", email);
	snprintf(email, sizeof email, "k%03lld@x.nl", (long long)skipped_one);
	add(db, "again-skipped", "counter", "2026-03-18", email);
	add_many(db, "n", "counter", 58, "2026-03-18");
	add(db, "m-late", "email", "2026-03-18", "m-late@x.nl");

	sample(db, id, &rep);
	assert_int_equal(rep.n, 2);
	r = res(&rep, COUNTER);
	assert_true(r->drawn);
	assert_int_equal(r->population, 60);
	assert_int_equal(r->excluded[KTO_EXCL_INVITED_RECENTLY], 1);
	assert_int_equal(r->excluded[KTO_EXCL_DUPLICATE], 0);
	assert_int_equal(r->frame, 59);
	second_sampled = r->sampled;
	assert_true(second_sampled > 10 && second_sampled < 50);
	/* The one-off channel is not drawn again. */
	assert_false(res(&rep, EMAIL)->drawn);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE channel = "
	    "'email'"), 2);

	/* Only contacts after the watermark were considered. */
	assert_int_equal(q(db, "SELECT count(*) FROM wave_draw WHERE wave_id = %lld",
	    (long long)id), 2);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation i JOIN wave_draw d ON "
	    "d.id = i.draw_id WHERE d.id = (SELECT max(id) FROM wave_draw) AND "
	    "i.contact_id <= %lld", (long long)watermark), 0);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation WHERE draw_id = "
	    "(SELECT max(id) FROM wave_draw)"), second_sampled);
	assert_int_equal(q(db, "SELECT considered FROM wave_draw ORDER BY id DESC "
	    "LIMIT 1"), 59);
	assert_int_equal(q(db, "SELECT last_contact_id FROM wave_draw ORDER BY id "
	    "DESC LIMIT 1"), q(db, "SELECT max(id) FROM contact WHERE channel = "
	    "'counter'"));
	/* Each draw has its own recorded seed. */
	seed1 = q(db, "SELECT seed FROM wave_draw ORDER BY id LIMIT 1");
	seed2 = q(db, "SELECT seed FROM wave_draw ORDER BY id DESC LIMIT 1");
	assert_true(seed1 != 0 && seed2 != 0 && seed1 != seed2);
	/* draw_order continues across draws. */
	assert_int_equal(q(db, "SELECT count(DISTINCT draw_order) FROM invitation "
	    "WHERE channel = 'counter'"), first_sampled + second_sampled);
	assert_int_equal(q(db, "SELECT max(draw_order) FROM invitation WHERE channel "
	    "= 'counter'"), first_sampled + second_sampled);

	get(db, id, &w);
	assert_int_equal(chan(&w, COUNTER)->n.population, 160);
	assert_int_equal(chan(&w, COUNTER)->n.frame, 159);
	assert_int_equal(chan(&w, COUNTER)->n.sampled, first_sampled + second_sampled);
	assert_int_equal(chan(&w, COUNTER)->n.excluded[KTO_EXCL_INVITED_RECENTLY], 1);
	assert_int_equal(chan(&w, EMAIL)->n.sampled, 2);

	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);
	assert_contains(summary, "counter (continuous draw)");
	assert_contains(summary, "email: 2 of 5, identical");

	/* A day without contacts: an empty draw, still verifiable. */
	sample(db, id, &rep);
	assert_int_equal(res(&rep, COUNTER)->population, 0);
	assert_int_equal(res(&rep, COUNTER)->sampled, 0);
	assert_int_equal(q(db, "SELECT count(*) FROM wave_draw"), 3);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);

	/* A changed draw is found. */
	exec_ok(db, "UPDATE wave_draw SET seed = seed + 1 WHERE id = (SELECT min(id) "
	    "FROM wave_draw)");
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_EINPUT);
	assert_contains(kto_db_errmsg(db), "different sample");

	/* Closed: no more draws. */
	assert_int_equal(kto_wave_close(db, ACTOR, id), KTO_OK);
	add(db, "after-close", "counter", "2026-03-19", "late@x.nl");
	assert_int_equal(kto_wave_sample(db, ACTOR, id, NULL), KTO_ESTATE);
	assert_int_equal(q(db, "SELECT count(*) FROM wave_draw"), 3);
}

/* A cap on a continuous channel ends its stream. */
static void
test_continuous_cap(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_sample_report rep;
	char summary[1024];
	int64_t id;

	add_many(db, "k", "counter", 100, "2026-03-15");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.continuous[COUNTER] = 1.0;
	s.max_invitations[COUNTER] = 30;
	id = create(db, &s);
	sample(db, id, &rep);
	assert_int_equal(res(&rep, COUNTER)->sampled, 30);
	assert_int_equal(res(&rep, COUNTER)->shortfall, 70);
	add_many(db, "n", "counter", 10, "2026-03-16");
	sample(db, id, &rep);
	assert_int_equal(res(&rep, COUNTER)->frame, 10);
	assert_int_equal(res(&rep, COUNTER)->sampled, 0);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation"), 30);
	assert_int_equal(kto_wave_verify(db, id, summary, sizeof summary), KTO_OK);
}

/* ---------------------------------------------------------------------- */
/* Creating waves                                                          */

static void
expect_create_error(struct kto_db *db, const struct kto_wave_spec *s,
                    enum kto_rc want, const char *msg)
{
	int64_t id = -1, before = q(db, "SELECT count(*) FROM wave");
	enum kto_rc rc = kto_wave_create(db, ACTOR, s, &id);

	if (rc != want) {
		print_error("wave create gave %s (%s), wanted %s\n", kto_strerror(rc),
		    kto_db_errmsg(db), kto_strerror(want));
		fail();
	}
	assert_int_equal(id, -1);
	if (msg != NULL)
		assert_contains(kto_db_errmsg(db), msg);
	assert_int_equal(q(db, "SELECT count(*) FROM wave"), before);
	assert_int_equal(q(db, "SELECT count(*) FROM wave_channel"), 0);
}

static void
test_wave_create_errors(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;

	spec_base(&s, "GM9999");
	expect_create_error(db, &s, KTO_ENOTFOUND, NULL);

	spec_base(&s, "GM0001");
	s.from = "2026-03-20";
	s.to = "2026-03-01";
	expect_create_error(db, &s, KTO_EINPUT, "ends");
	s.from = "2026-02-30";
	s.to = TO;
	expect_create_error(db, &s, KTO_EINPUT, "--from");
	s.from = "2026-03-01T10:00";
	expect_create_error(db, &s, KTO_EINPUT, "--from");
	s.from = FROM;
	s.to = "gisteren";
	expect_create_error(db, &s, KTO_EINPUT, "--to");
	s.from = "2025-01-01";
	s.to = "2026-03-01";
	expect_create_error(db, &s, KTO_EINPUT, "at most a year");

	spec_base(&s, "GM0001");
	s.target[COUNTER] = -1;
	expect_create_error(db, &s, KTO_EINPUT, "target for counter");

	spec_base(&s, "GM0001");
	s.response_rate[PHONE] = 1.5;
	expect_create_error(db, &s, KTO_EINPUT, "response rate for phone");
	s.response_rate[PHONE] = -0.2;
	expect_create_error(db, &s, KTO_EINPUT, "response rate for phone");
	s.response_rate[PHONE] = NAN;
	expect_create_error(db, &s, KTO_EINPUT, "response rate for phone");

	spec_base(&s, "GM0001");
	s.max_invitations[EMAIL] = -5;
	expect_create_error(db, &s, KTO_EINPUT, "cap");

	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.continuous[PHONE] = 0.1;
	expect_create_error(db, &s, KTO_EINPUT, "phone");
	s.continuous[PHONE] = 0;
	s.continuous[COUNTER] = 1.5;
	expect_create_error(db, &s, KTO_EINPUT, "sampling fraction");

	spec_base(&s, "GM0001");
	s.def[COUNTER] = "no-such-def";
	expect_create_error(db, &s, KTO_ENOTFOUND, "no-such-def");
	s.def[COUNTER] = "kto-email";
	expect_create_error(db, &s, KTO_EINPUT, "email channel");
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.def[EMAIL] = "kto-email";
	expect_create_error(db, &s, KTO_EINPUT, "does not have");

	spec_base(&s, "GM0001");
	s.recent_days = 400;
	expect_create_error(db, &s, KTO_EINPUT, "too large");

	assert_int_equal(q(db, "SELECT count(*) FROM audit_log WHERE action = "
	    "'wave.create'"), 0);
}

static void
test_wave_create_defaults(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	struct kto_wave_info w, w2;
	int64_t id, id2;

	kto_wave_spec_init(&s);
	s.municipality = "gm0001";
	s.from = "1-3-2026";
	s.to = "31/3/2026";
	id = create(db, &s);
	get(db, id, &w);
	assert_string_equal(w.municipality, "GM0001");
	assert_string_equal(w.state, "draft");
	assert_string_equal(w.from, "2026-03-01");
	assert_string_equal(w.to, "2026-03-31");
	assert_false(w.continuous);
	assert_int_equal(w.recent_days, KTO_WAVE_DEFAULT_RECENT_DAYS);
	assert_int_equal(w.reminder_days, KTO_WAVE_DEFAULT_REMINDER_DAYS);
	assert_int_equal(w.invited_recently_days, KTO_WAVE_DEFAULT_INVITED_DAYS);
	assert_int_equal(w.n_channels, 3);
	assert_int_equal(w.channels[0].channel, COUNTER);
	assert_int_equal(w.channels[1].channel, PHONE);
	assert_int_equal(w.channels[2].channel, EMAIL);
	assert_string_equal(chan(&w, COUNTER)->def_name, "kto-balie");
	assert_string_equal(chan(&w, PHONE)->def_name, "kto-telefoon");
	assert_string_equal(chan(&w, EMAIL)->def_name, "kto-email");
	for (size_t i = 0; i < w.n_channels; i++) {
		assert_int_equal(w.channels[i].target, KTO_WAVE_DEFAULT_TARGET);
		assert_close(w.channels[i].response_rate, KTO_WAVE_DEFAULT_RATE, 1e-12);
		assert_int_equal(w.channels[i].max_invitations, 0);
		assert_false(w.channels[i].drawn);
	}
	/* The seed is random when not given, and recorded. */
	assert_int_equal(q(db, "SELECT seed FROM wave WHERE id = %lld", (long long)id),
	    (int64_t)w.seed);
	id2 = create(db, &s);
	get(db, id2, &w2);
	assert_true(w.seed != w2.seed);
	assert_true(w.seed <= (uint64_t)INT64_MAX);
	/* A given seed is kept, a named definition used. */
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	s.def[COUNTER] = "alt-balie";
	s.seed = (uint64_t)INT64_MAX;
	id = create(db, &s);
	get(db, id, &w);
	assert_int_equal(w.seed, (uint64_t)INT64_MAX);
	assert_int_equal(w.n_channels, 1);
	assert_string_equal(w.channels[0].def_name, "alt-balie");
	assert_int_equal(w.recent_days, 30);
	assert_int_equal(q(db, "SELECT count(*) FROM audit_log WHERE action = "
	    "'wave.create'"), 3);
}

/* ---------------------------------------------------------------------- */
/* Contacts                                                                */

static void
expect_rejected(struct kto_db *db, const char *id, const char *channel,
                const char *at, const char *email, const char *language,
                const char *why)
{
	char reason[256] = "";
	int64_t before = q(db, "SELECT count(*) FROM contact");
	enum kto_contact_outcome o = put_lang(db, "GM0001", id, channel, at, email,
	    language, reason, sizeof reason);

	if (o != KTO_CONTACT_REJECTED) {
		print_error("contact %s: outcome %d, wanted rejected (%s)\n", id, o, why);
		fail();
	}
	assert_contains(reason, why);
	assert_int_equal(q(db, "SELECT count(*) FROM contact"), before);
}

static void
test_contact_put(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_contact_input in;
	enum kto_contact_outcome o;
	char reason[256], long_email[300];

	add(db, "x1", "counter", "2026-03-15 09:30", "  Jan@Example.NL ");
	assert_int_equal(q(db, "SELECT count(*) FROM contact WHERE external_id = 'x1' "
	    "AND email = 'jan@example.nl' AND length(email_hash) = 32 AND "
	    "contact_at = '2026-03-15T09:30:00' AND channel = 'counter' AND "
	    "language = 'nl'"), 1);
	/* The same again, even written differently: unchanged. */
	assert_int_equal(put_lang(db, "GM0001", "x1", "balie", "15/3/2026 9:30:00",
	    "jan@example.nl", "NL", reason, sizeof reason), KTO_CONTACT_UNCHANGED);
	/* Changed: updated, with the new address's hash. */
	assert_int_equal(put_lang(db, "GM0001", "x1", "counter", "2026-03-15 09:30",
	    "piet@example.nl", NULL, reason, sizeof reason), KTO_CONTACT_UPDATED);
	assert_int_equal(q(db, "SELECT count(*) FROM contact"), 1);
	{
		unsigned char h[KTO_EMAIL_HASH_BYTES];
		sqlite3_stmt *st;

		assert_int_equal(kto_email_hash(db, "piet@example.nl", h), KTO_OK);
		assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT email_hash FROM "
		    "contact WHERE external_id = 'x1'", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_memory_equal(sqlite3_column_blob(st, 0), h, sizeof h);
		sqlite3_finalize(st);
	}
	/* Removing the address is a change as well. */
	assert_int_equal(put_lang(db, "GM0001", "x1", "counter", "2026-03-15 09:30",
	    NULL, NULL, reason, sizeof reason), KTO_CONTACT_UPDATED);
	assert_int_equal(q(db, "SELECT count(*) FROM contact WHERE email IS NULL AND "
	    "email_hash IS NULL"), 1);

	/* The same contact_id in another municipality is another contact. */
	add_in(db, "GM0002", "x1", "counter", "2026-03-15", "jan@example.nl");
	assert_int_equal(q(db, "SELECT count(*) FROM contact"), 2);

	/* Rejections, each with its reason, nothing stored. */
	expect_rejected(db, "r1", "counter", "2026-02-30", NULL, NULL, "bad date");
	expect_rejected(db, "r2", "counter", "15-3-26", NULL, NULL, "bad date");
	expect_rejected(db, "r3", "counter", "2026-03-21", NULL, NULL, "in the future");
	expect_rejected(db, "r4", "counter", "2026-03-21 00:00:00", NULL, NULL,
	    "in the future");
	expect_rejected(db, "r5", "fax", "2026-03-15", NULL, NULL, "unknown channel");
	expect_rejected(db, "r6", "", "2026-03-15", NULL, NULL, "channel is empty");
	expect_rejected(db, "r7", "counter", "2026-03-15", "jan@", NULL,
	    "malformed e-mail address");
	expect_rejected(db, "r8", "counter", "2026-03-15", "jan.example.nl", NULL,
	    "has no '@'");
	expect_rejected(db, "r9", "counter", "2026-03-15", "jan@example.nl\r", NULL,
	    "line break");
	expect_rejected(db, "r10", "counter", "2026-03-15",
	    "jan@example.nl\nBcc: all@example.nl", NULL, "line break");
	memset(long_email, 'a', 250);
	snprintf(long_email + 250, sizeof long_email - 250, "@x.nl");
	expect_rejected(db, "r11", "counter", "2026-03-15", long_email, NULL,
	    "longer than 254");
	expect_rejected(db, "", "counter", "2026-03-15", NULL, NULL,
	    "contact_id is empty");
	expect_rejected(db, "r12", "counter", "", NULL, NULL, "contact_at is empty");
	expect_rejected(db, "r13", "counter", "2026-03-15", NULL, "fr",
	    "unknown language");
	expect_rejected(db, "r14\n", "counter", "2026-03-15", NULL, NULL, "line break");
	/* The end of today (by the pinned clock) is not the future. */
	add(db, "late", "counter", "2026-03-20 23:59:59", NULL);
	add(db, "old", "counter", "1-1-1990", NULL);

	/* An unknown municipality is an error, not a rejected row. */
	memset(&in, 0, sizeof in);
	in.contact_id = "y";
	in.channel = "counter";
	in.contact_at = "2026-03-15";
	assert_int_equal(kto_contact_put(db, "GM9999", &in, &o, reason, sizeof reason),
	    KTO_ENOTFOUND);
	assert_int_equal(q(db, "SELECT count(*) FROM contact"), 4);
}

/* A contact in a sample cannot change any more; the same data is fine. */
static void
test_contact_sampled_frozen(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_db *db = f->db;
	struct kto_wave_spec s;
	char reason[256];
	int64_t id;

	add(db, "s1", "counter", "2026-03-15", "s1@x.nl");
	add(db, "s2", "counter", "2026-03-15", NULL);
	spec_base(&s, "GM0001");
	s.channel[COUNTER] = true;
	id = create(db, &s);
	sample(db, id, NULL);
	assert_int_equal(q(db, "SELECT count(*) FROM invitation"), 1);

	assert_int_equal(put_lang(db, "GM0001", "s1", "counter", "2026-03-15",
	    "s1@x.nl", NULL, reason, sizeof reason), KTO_CONTACT_UNCHANGED);
	assert_int_equal(put_lang(db, "GM0001", "s1", "counter", "2026-03-15",
	    "other@x.nl", NULL, reason, sizeof reason), KTO_CONTACT_REJECTED);
	assert_contains(reason, "already sampled");
	assert_int_equal(put_lang(db, "GM0001", "s1", "phone", "2026-03-15",
	    "s1@x.nl", NULL, reason, sizeof reason), KTO_CONTACT_REJECTED);
	assert_int_equal(q(db, "SELECT count(*) FROM contact WHERE external_id = 's1' "
	    "AND email = 's1@x.nl' AND channel = 'counter'"), 1);
	/* One that was not drawn (no address) may still change. */
	assert_int_equal(put_lang(db, "GM0001", "s2", "counter", "2026-03-15",
	    "s2@x.nl", NULL, reason, sizeof reason), KTO_CONTACT_UPDATED);
}

/*
** A population large enough to be read in two parts (engine/population.c
** splits from 100,000 ids), with every kind of exclusion on both sides of
** the split and people whose two contacts fall on either side: nothing is
** lost or counted twice where the parts meet.
*/
#define BIG 160000
#define BIG_PEOPLE 150000     /* contacts i and i + 150000 share an address */

static void
fill_big(struct kto_db *db)
{
	sqlite3_stmt *st;

	assert_int_equal(tu_sql(db, "BEGIN"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "INSERT INTO contact "
	    "(municipality_id, external_id, channel, contact_at, email, "
	    "email_hash) VALUES ((SELECT id FROM municipality WHERE code = ?), "
	    "?, ?, ?, ?, ?)", -1, &st, NULL), SQLITE_OK);
	for (int i = 1; i <= BIG; i++) {
		static const char *const ch[] = { "counter", "phone", "email" };
		unsigned char h[KTO_EMAIL_HASH_BYTES];
		char id[16], at[24], email[32];

		snprintf(id, sizeof id, "B%d", i);
		/* The second contact of a pair is the later one: it is kept. */
		if (i > BIG_PEOPLE)
			snprintf(at, sizeof at, "2026-03-20T11:%02d:00", i % 60);
		else
			snprintf(at, sizeof at, "2026-03-%02dT08:%02d:00", 1 + i % 19,
			    i % 60);
		snprintf(email, sizeof email, "p%d@x.nl", i % BIG_PEOPLE);
		assert_int_equal(kto_email_hash(db, email, h), KTO_OK);
		sqlite3_bind_text(st, 1, i % 50 == 7 ? "GM0002" : "GM0001", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, ch[i % 3], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, i % 100 == 3 ? "2026-02-27T10:00:00" : at, -1,
		    SQLITE_TRANSIENT);
		if (i % 1000 == 11) {
			sqlite3_bind_null(st, 5);
			sqlite3_bind_null(st, 6);
		} else {
			sqlite3_bind_text(st, 5, email, -1, SQLITE_TRANSIENT);
			sqlite3_bind_blob(st, 6, h, sizeof h, SQLITE_TRANSIENT);
		}
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(tu_sql(db, "COMMIT"), SQLITE_OK);
	for (int k = 0; k < 100000; k += 997) {
		char email[32];

		snprintf(email, sizeof email, "p%d@x.nl", k);
		assert_int_equal(kto_optout_add(db, ACTOR, email, NULL, "link"), KTO_OK);
	}
}

static void
test_large_population_read_in_two_parts(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_wave_spec s;
	struct kto_sample_report r;
	int64_t id, frame = 0;
	/* The contacts of GM0001 in the period, as SQL counts them. */
	const char *in_wave = "FROM contact c WHERE c.municipality_id = (SELECT id "
	    "FROM municipality WHERE code = 'GM0001') AND c.contact_at >= '2026-03-01'";

	fill_big(f->db);
	spec_base(&s, "GM0001");
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		s.channel[c] = true;
		s.target[c] = 300;
	}
	id = create(f->db, &s);
	sample(f->db, id, &r);
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		const struct kto_sample_result *x = res(&r, (enum kto_channel)c);
		int64_t excluded = 0;

		assert_int_equal(x->population, q(f->db, "SELECT count(*) %s AND "
		    "c.channel = '%s'", in_wave, kto_channel_name((enum kto_channel)c)));
		assert_int_equal(x->excluded[KTO_EXCL_NO_EMAIL], q(f->db, "SELECT "
		    "count(*) %s AND c.channel = '%s' AND c.email IS NULL", in_wave,
		    kto_channel_name((enum kto_channel)c)));
		assert_int_equal(x->excluded[KTO_EXCL_OPTED_OUT], q(f->db, "SELECT "
		    "count(*) %s AND c.channel = '%s' AND c.email_hash IN (SELECT "
		    "email_hash FROM opt_out)", in_wave,
		    kto_channel_name((enum kto_channel)c)));
		for (int e = 0; e < KTO_EXCL_COUNT; e++)
			excluded += x->excluded[e];
		assert_int_equal(x->frame + excluded, x->population);
		assert_int_equal(x->sampled, 1000);
		frame += x->frame;
	}
	/* One per person: the frames hold each eligible address once. */
	assert_int_equal(frame, q(f->db, "SELECT count(DISTINCT c.email_hash) %s "
	    "AND c.email_hash NOT IN (SELECT email_hash FROM opt_out)", in_wave));
	assert_true(res(&r, COUNTER)->excluded[KTO_EXCL_DUPLICATE] > 0);
	/* Of a pair, the later contact is kept, whichever part read it. */
	assert_int_equal(tu_sql(f->db, "CREATE INDEX test_by_hash ON "
	    "contact(email_hash)"), SQLITE_OK);
	assert_int_equal(q(f->db, "SELECT count(*) FROM invitation i JOIN contact c "
	    "ON c.id = i.contact_id WHERE i.wave_id = %lld AND EXISTS (SELECT 1 "
	    "FROM contact d WHERE d.email_hash = c.email_hash AND "
	    "d.municipality_id = c.municipality_id AND d.contact_at >= "
	    "'2026-03-01' AND d.contact_at > c.contact_at)", (long long)id), 0);
	assert_int_equal(q(f->db, "SELECT count(DISTINCT email_hash) FROM "
	    "invitation WHERE wave_id = %lld", (long long)id), 3000);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_db_teardown)
	const struct CMUnitTest tests[] = {
		T(test_population_and_exclusions),
		T(test_invited_recently_window),
		T(test_sample_sizes),
		T(test_sample_size_exact_ratio),
		T(test_rate_from_earlier_waves),
		T(test_empty_stratum),
		T(test_same_seed_same_sample),
		T(test_sample_is_the_documented_draw),
		T(test_verify_and_tampering),
		T(test_verify_missing_frame),
		T(test_sample_twice_and_close),
		T(test_invitations),
		T(test_continuous),
		T(test_continuous_cap),
		T(test_wave_create_errors),
		T(test_wave_create_defaults),
		T(test_contact_put),
		T(test_contact_sampled_frozen),
		T(test_large_population_read_in_two_parts),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
