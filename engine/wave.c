/*
** engine/wave: creating, reading, listing and closing waves.  Drawing the
** sample is engine/sampling.
*/
#include "engine/wave.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/date.h"
#include "base/json.h"
#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/municipality.h"

static const char *const exclusion_names[KTO_EXCL_COUNT] = {
	"no_email", "staff_or_test", "opted_out", "invited_recently", "too_old",
	"duplicate_address"
};

const char *
kto_exclusion_name(enum kto_exclusion e)
{
	return (unsigned)e < KTO_EXCL_COUNT ? exclusion_names[e] : "?";
}

void
kto_wave_spec_init(struct kto_wave_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->recent_days = -1;
	spec->reminder_days = -1;
	spec->invited_recently_days = -1;
}

/* ---------------------------------------------------------------------- */
/* Creating                                                                */

/* The survey definitions used when a wave names none, by channel. */
static const char *const default_defs[KTO_CHANNEL_COUNT] = {
	"kto-balie", "kto-telefoon", "kto-email"
};

/*
** The definition version for channel c: the one named, else the default
** definition's newest version, else the only definition of the channel.
*/
static enum kto_rc
choose_def(struct kto_db *db, enum kto_channel c, const char *named, int64_t *vid)
{
	struct kto_def_version v;
	sqlite3_stmt *st;
	bool row;
	int64_t only = 0, count = 0;
	enum kto_rc rc;

	if (named != NULL) {
		if ((rc = kto_def_get(db, named, &v, NULL)) != KTO_OK)
			return rc;
		if (strcmp(v.channel, kto_channel_name(c)) != 0)
			return kto_db_seterr(db, KTO_EINPUT, "survey definition '%s' is "
			    "for the %s channel, not %s", named, v.channel,
			    kto_channel_name(c));
		*vid = v.id;
		return KTO_OK;
	}
	if (kto_def_get(db, default_defs[c], &v, NULL) == KTO_OK) {
		*vid = v.id;
		return KTO_OK;
	}
	rc = kto_db_prepare(db, &st, "SELECT max(v.id), count(DISTINCT d.id) "
	    "FROM survey_def d JOIN survey_def_version v ON v.def_id = d.id "
	    "WHERE d.channel = ? AND v.version = (SELECT max(version) FROM "
	    "survey_def_version w WHERE w.def_id = d.id)", "t", kto_channel_name(c));
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		only = sqlite3_column_int64(st, 0);
		count = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	if (count == 1) {
		*vid = only;
		return KTO_OK;
	}
	return kto_db_seterr(db, count ? KTO_EINPUT : KTO_ENOTFOUND, "%s survey "
	    "definition for the %s channel; %s", count ? "more than one" : "no",
	    kto_channel_name(c), count ? "choose one with --def" :
	    "load one with 'kto def load' (the defaults are in survey-defs/)");
}

/*
** The response rate the municipality's earlier waves achieved on channel
** c, or the default when they invited nobody yet.  At least 5 %: a wave
** where nobody answered must not ask for an endless sample.
*/
static enum kto_rc
earlier_rate(struct kto_db *db, int64_t mid, enum kto_channel c, double *rate)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	*rate = KTO_WAVE_DEFAULT_RATE;
	rc = kto_db_prepare(db, &st, "SELECT count(i.invited_at), "
	    "count(i.responded_at) FROM invitation i JOIN wave w ON w.id = i.wave_id "
	    "WHERE w.municipality_id = ? AND i.channel = ?", "it", mid,
	    kto_channel_name(c));
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    sqlite3_column_int64(st, 0) > 0) {
		*rate = (double)sqlite3_column_int64(st, 1) /
		    (double)sqlite3_column_int64(st, 0);
		if (*rate < 0.05)
			*rate = 0.05;
	}
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
parse_period(struct kto_db *db, const struct kto_wave_spec *s, char from[11],
             char to[11])
{
	struct kto_datetime a, b;
	int64_t days;

	if (s->from == NULL || !kto_datetime_parse(s->from, &a) || a.has_time)
		return kto_db_seterr(db, KTO_EINPUT, "--from '%s' is not a date; "
		    "write 2026-01-01 or 1-1-2026", s->from ? s->from : "");
	if (s->to == NULL || !kto_datetime_parse(s->to, &b) || b.has_time)
		return kto_db_seterr(db, KTO_EINPUT, "--to '%s' is not a date; "
		    "write 2026-03-31 or 31-3-2026", s->to ? s->to : "");
	days = kto_days_from_civil(b.year, b.month, b.day) -
	    kto_days_from_civil(a.year, a.month, a.day);
	if (days < 0)
		return kto_db_seterr(db, KTO_EINPUT, "the period ends (%s) before it "
		    "begins (%s)", s->to, s->from);
	if (days > 400)
		return kto_db_seterr(db, KTO_EINPUT, "the period is %lld days; a wave "
		    "covers at most a year", (long long)days + 1);
	kto_date_format(&a, from);
	kto_date_format(&b, to);
	return KTO_OK;
}

/* Checks the numbers of the spec; the message names the option. */
static enum kto_rc
check_spec(struct kto_db *db, const struct kto_wave_spec *s, const bool *use)
{
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		const char *name = kto_channel_name((enum kto_channel)c);

		if (!use[c]) {
			if (s->continuous[c] != 0 || s->def[c] != NULL)
				return kto_db_seterr(db, KTO_EINPUT, "a setting is given for "
				    "the %s channel, which the wave does not have; add it to "
				    "--channels", name);
			continue;
		}
		if (s->target[c] < 0 || s->target[c] > 1000000)
			return kto_db_seterr(db, KTO_EINPUT, "the target for %s must be "
			    "at least 1 completed questionnaire", name);
		if (s->response_rate[c] < 0 || s->response_rate[c] > 1 ||
		    isnan(s->response_rate[c]))
			return kto_db_seterr(db, KTO_EINPUT, "the response rate for %s "
			    "must be above 0 and at most 1 (0.3 is 30%%)", name);
		if (s->max_invitations[c] < 0)
			return kto_db_seterr(db, KTO_EINPUT, "the invitation cap for %s "
			    "must be at least 1", name);
		if (s->continuous[c] < 0 || s->continuous[c] > 1 ||
		    isnan(s->continuous[c]))
			return kto_db_seterr(db, KTO_EINPUT, "the sampling fraction for "
			    "%s must be above 0 and at most 1", name);
	}
	if (s->recent_days > 365 || s->reminder_days > 60 ||
	    s->invited_recently_days > 1096)
		return kto_db_seterr(db, KTO_EINPUT, "a number of days is too large: "
		    "--recent-days at most 365, --reminder-days at most 60, "
		    "--exclude-invited-days at most 1096");
	return KTO_OK;
}

struct wave_create {
	const char *actor;
	const struct kto_wave_spec *spec;
	int64_t id;
};

static enum kto_rc
wave_create_txn(struct kto_db *db, void *arg)
{
	struct wave_create *w = arg;
	const struct kto_wave_spec *s = w->spec;
	struct kto_municipality m;
	bool use[KTO_CHANNEL_COUNT], any = false, continuous = false;
	char from[11], to[11], detail[160];
	uint64_t seed = s->seed;
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, s->municipality, &m)) != KTO_OK)
		return rc;
	if ((rc = parse_period(db, s, from, to)) != KTO_OK)
		return rc;
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		any |= s->channel[c];
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		use[c] = any ? s->channel[c] : true;
		continuous |= use[c] && s->continuous[c] > 0;
	}
	if ((rc = check_spec(db, s, use)) != KTO_OK)
		return rc;
	if (!s->has_seed) {
		randombytes_buf(&seed, sizeof seed);
		seed &= INT64_MAX;   /* SQLite integers are signed */
	}
	rc = kto_db_exec(db, "INSERT INTO wave (municipality_id, period_from, "
	    "period_to, continuous, seed, recent_days, reminder_days, "
	    "invited_recently_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ittIiIII",
	    m.id, from, to, continuous ? 1 : 0, (int64_t)seed,
	    s->recent_days >= 0 ? s->recent_days : KTO_WAVE_DEFAULT_RECENT_DAYS,
	    s->reminder_days >= 0 ? s->reminder_days : KTO_WAVE_DEFAULT_REMINDER_DAYS,
	    s->invited_recently_days >= 0 ? s->invited_recently_days :
	    KTO_WAVE_DEFAULT_INVITED_DAYS);
	if (rc != KTO_OK)
		return rc;
	w->id = sqlite3_last_insert_rowid(db->sqlite);
	for (int c = 0; c < KTO_CHANNEL_COUNT && rc == KTO_OK; c++) {
		int64_t vid = 0;
		double rate = s->response_rate[c];

		if (!use[c])
			continue;
		if ((rc = choose_def(db, (enum kto_channel)c, s->def[c], &vid)) != KTO_OK)
			break;
		if (rate == 0 && (rc = earlier_rate(db, m.id, (enum kto_channel)c,
		    &rate)) != KTO_OK)
			break;
		rc = kto_db_exec(db, "INSERT INTO wave_channel (wave_id, channel, "
		    "def_version_id, target, response_rate, max_invitations, "
		    "continuous_fraction) VALUES (?, ?, ?, ?, ?, ?, ?)", "itiidNd",
		    w->id, kto_channel_name((enum kto_channel)c), vid,
		    s->target[c] ? s->target[c] : (int64_t)KTO_WAVE_DEFAULT_TARGET, rate,
		    s->max_invitations[c] ? s->max_invitations[c] : (int64_t)0,
		    s->continuous[c] > 0 ? s->continuous[c] : NAN);
	}
	if (rc != KTO_OK)
		return rc;
	snprintf(detail, sizeof detail, "wave %lld, %s to %s, seed %llu",
	    (long long)w->id, from, to, (unsigned long long)seed);
	return kto_audit(db, w->actor, "wave.create", m.id, NULL, detail);
}

enum kto_rc
kto_wave_create(struct kto_db *db, const char *actor,
                const struct kto_wave_spec *spec, int64_t *id_out)
{
	struct wave_create w = { actor, spec, 0 };
	enum kto_rc rc;

	if (sodium_init() < 0)
		return kto_db_seterr(db, KTO_EINTERNAL, "libsodium could not start");
	rc = kto_db_transaction(db, wave_create_txn, &w);
	if (rc == KTO_OK && id_out != NULL)
		*id_out = w.id;
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

static enum kto_rc
wave_row(struct kto_db *db, int64_t id, struct kto_wave_info *w)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT w.id, m.code, m.name, w.state, "
	    "w.period_from, w.period_to, w.continuous, w.seed, w.recent_days, "
	    "w.reminder_days, w.invited_recently_days, w.created_at, "
	    "coalesce(w.sampled_at, ''), coalesce(w.closed_at, '') "
	    "FROM wave w JOIN municipality m ON m.id = w.municipality_id "
	    "WHERE w.id = ?", "i", id);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && !row)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no wave %lld",
		    (long long)id);
	if (rc == KTO_OK) {
		w->id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, w->municipality, sizeof w->municipality);
		kto_db_column_copy(st, 2, w->municipality_name, sizeof w->municipality_name);
		kto_db_column_copy(st, 3, w->state, sizeof w->state);
		kto_db_column_copy(st, 4, w->from, sizeof w->from);
		kto_db_column_copy(st, 5, w->to, sizeof w->to);
		w->continuous = sqlite3_column_int(st, 6) != 0;
		w->seed = (uint64_t)sqlite3_column_int64(st, 7);
		w->recent_days = sqlite3_column_int(st, 8);
		w->reminder_days = sqlite3_column_int(st, 9);
		w->invited_recently_days = sqlite3_column_int(st, 10);
		kto_db_column_copy(st, 11, w->created_at, sizeof w->created_at);
		kto_db_column_copy(st, 12, w->sampled_at, sizeof w->sampled_at);
		kto_db_column_copy(st, 13, w->closed_at, sizeof w->closed_at);
	}
	sqlite3_finalize(st);
	return rc;
}

static struct kto_wave_channel_info *
channel_info(struct kto_wave_info *w, const char *name)
{
	enum kto_channel c;

	if (!kto_channel_parse(name, &c))
		return NULL;
	for (size_t i = 0; i < w->n_channels; i++)
		if (w->channels[i].channel == c)
			return &w->channels[i];
	return NULL;
}

static enum kto_rc
wave_channels(struct kto_db *db, struct kto_wave_info *w)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	/* For a draft the population is counted now, as a preview. */
	rc = kto_db_prepare(db, &st, "SELECT wc.channel, d.name, v.version, "
	    "wc.target, wc.response_rate, coalesce(wc.max_invitations, 0), "
	    "coalesce(wc.continuous_fraction, 0), wc.frame IS NOT NULL, "
	    "coalesce(wc.population, (SELECT count(*) FROM contact c WHERE "
	    "c.municipality_id = w.municipality_id AND c.channel = wc.channel AND "
	    "c.contact_at >= w.period_from AND c.contact_at < "
	    "date(w.period_to, '+1 day'))), coalesce(wc.frame, 0), "
	    "coalesce(wc.sample_size, 0), coalesce(wc.shortfall, 0) "
	    "FROM wave_channel wc JOIN wave w ON w.id = wc.wave_id "
	    "JOIN survey_def_version v ON v.id = wc.def_version_id "
	    "JOIN survey_def d ON d.id = v.def_id WHERE wc.wave_id = ? "
	    "ORDER BY CASE wc.channel WHEN 'counter' THEN 0 WHEN 'phone' THEN 1 "
	    "ELSE 2 END", "i", w->id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    w->n_channels < KTO_CHANNEL_COUNT) {
		struct kto_wave_channel_info *c = &w->channels[w->n_channels];
		char name[16];

		kto_db_column_copy(st, 0, name, sizeof name);
		if (!kto_channel_parse(name, &c->channel))
			continue;
		kto_db_column_copy(st, 1, c->def_name, sizeof c->def_name);
		c->def_version = sqlite3_column_int64(st, 2);
		c->target = sqlite3_column_int64(st, 3);
		c->response_rate = sqlite3_column_double(st, 4);
		c->max_invitations = sqlite3_column_int64(st, 5);
		c->continuous = sqlite3_column_double(st, 6);
		c->drawn = sqlite3_column_int(st, 7) != 0;
		c->n.population = sqlite3_column_int64(st, 8);
		c->n.frame = sqlite3_column_int64(st, 9);
		c->n.sampled = sqlite3_column_int64(st, 10);
		c->n.shortfall = sqlite3_column_int64(st, 11);
		w->n_channels++;
	}
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
wave_exclusions(struct kto_db *db, struct kto_wave_info *w)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT channel, reason, count FROM "
	    "wave_exclusion WHERE wave_id = ?", "i", w->id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		char ch[16], reason[32];
		struct kto_wave_channel_info *c;

		kto_db_column_copy(st, 0, ch, sizeof ch);
		kto_db_column_copy(st, 1, reason, sizeof reason);
		if ((c = channel_info(w, ch)) == NULL)
			continue;
		for (int e = 0; e < KTO_EXCL_COUNT; e++)
			if (strcmp(reason, exclusion_names[e]) == 0)
				c->n.excluded[e] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
wave_progress(struct kto_db *db, struct kto_wave_info *w)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT i.channel, count(i.invited_at), "
	    "count(i.reminded_at), count(i.responded_at), "
	    "sum(i.state = 'failed'), (SELECT count(*) FROM mail_outbox o JOIN "
	    "invitation j ON j.id = o.invitation_id WHERE j.wave_id = i.wave_id AND "
	    "j.channel = i.channel AND o.state IN ('queued', 'sending', "
	    "'temp_failed')) FROM invitation i WHERE i.wave_id = ? "
	    "GROUP BY i.channel", "i", w->id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		char ch[16];
		struct kto_wave_channel_info *c;

		kto_db_column_copy(st, 0, ch, sizeof ch);
		if ((c = channel_info(w, ch)) == NULL)
			continue;
		c->n.invited = sqlite3_column_int64(st, 1);
		c->n.reminded = sqlite3_column_int64(st, 2);
		c->n.responded = sqlite3_column_int64(st, 3);
		c->n.mail_failed = sqlite3_column_int64(st, 4);
		c->n.mail_pending = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc;
}

static void
add_counts(struct kto_wave_counts *sum, const struct kto_wave_counts *c)
{
	sum->population += c->population;
	sum->frame += c->frame;
	for (int e = 0; e < KTO_EXCL_COUNT; e++)
		sum->excluded[e] += c->excluded[e];
	sum->sampled += c->sampled;
	sum->invited += c->invited;
	sum->reminded += c->reminded;
	sum->responded += c->responded;
	sum->mail_failed += c->mail_failed;
	sum->mail_pending += c->mail_pending;
	sum->shortfall += c->shortfall;
}

enum kto_rc
kto_wave_get_header(struct kto_db *db, int64_t id, struct kto_wave_info *out)
{
	memset(out, 0, sizeof *out);
	return wave_row(db, id, out);
}

enum kto_rc
kto_wave_get(struct kto_db *db, int64_t id, struct kto_wave_info *out)
{
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = wave_row(db, id, out)) != KTO_OK ||
	    (rc = wave_channels(db, out)) != KTO_OK ||
	    (rc = wave_exclusions(db, out)) != KTO_OK ||
	    (rc = wave_progress(db, out)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < out->n_channels; i++)
		add_counts(&out->totals, &out->channels[i].n);
	return KTO_OK;
}

static void
summary_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_wave_summary *s = elem;

	s->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, s->municipality, sizeof s->municipality);
	kto_db_column_copy(st, 2, s->state, sizeof s->state);
	kto_db_column_copy(st, 3, s->from, sizeof s->from);
	kto_db_column_copy(st, 4, s->to, sizeof s->to);
	s->continuous = sqlite3_column_int(st, 5) != 0;
	s->sampled = sqlite3_column_int64(st, 6);
	s->responded = sqlite3_column_int64(st, 7);
}

enum kto_rc
kto_wave_list(struct kto_db *db, const char *code, struct kto_wave_summary **out,
              size_t *count)
{
	sqlite3_stmt *st;
	struct kto_municipality m;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	if (code != NULL && (rc = kto_municipality_find(db, code, &m)) != KTO_OK)
		return rc;
	rc = kto_db_prepare(db, &st, "SELECT w.id, m.code, w.state, w.period_from, "
	    "w.period_to, w.continuous, "
	    "(SELECT count(*) FROM invitation i WHERE i.wave_id = w.id), "
	    "(SELECT count(responded_at) FROM invitation i WHERE i.wave_id = w.id) "
	    "FROM wave w JOIN municipality m ON m.id = w.municipality_id "
	    "WHERE ?1 IS NULL OR w.municipality_id = ?1 ORDER BY w.id DESC", "N",
	    code != NULL ? m.id : (int64_t)0);
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, summary_fill, (void **)out, count);
}

static void
sample_row_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_sample_row *r = elem;

	kto_db_column_copy(st, 0, r->contact_id, sizeof r->contact_id);
	if (!kto_channel_parse((const char *)sqlite3_column_text(st, 1), &r->channel))
		r->channel = KTO_CHANNEL_COUNTER;
}

enum kto_rc
kto_wave_sample_rows(struct kto_db *db, int64_t id, struct kto_sample_row **out,
                     size_t *count)
{
	struct kto_wave_info w;
	sqlite3_stmt *st;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	if ((rc = wave_row(db, id, &w)) != KTO_OK)
		return rc;
	if (strcmp(w.state, "draft") == 0)
		return kto_db_seterr(db, KTO_ESTATE, "wave %lld has no sample yet; draw "
		    "it with 'kto wave sample %lld'", (long long)id, (long long)id);
	rc = kto_db_prepare(db, &st, "SELECT coalesce(c.external_id, ''), i.channel "
	    "FROM invitation i LEFT JOIN contact c ON c.id = i.contact_id "
	    "WHERE i.wave_id = ? ORDER BY CASE i.channel WHEN 'counter' THEN 0 "
	    "WHEN 'phone' THEN 1 ELSE 2 END, i.draw_order", "i", id);
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, sample_row_fill, (void **)out, count);
}

/* ---------------------------------------------------------------------- */
/* Closing                                                                 */

struct wave_close {
	const char *actor;
	int64_t id;
};

static enum kto_rc
wave_close_txn(struct kto_db *db, void *arg)
{
	struct wave_close *c = arg;
	struct kto_wave_info w;
	char subject[32];
	enum kto_rc rc;

	if ((rc = wave_row(db, c->id, &w)) != KTO_OK)
		return rc;
	if (strcmp(w.state, "closed") == 0)
		return kto_db_seterr(db, KTO_ESTATE, "wave %lld was closed already on "
		    "%s", (long long)c->id, w.closed_at);
	if ((rc = kto_db_exec(db, "UPDATE wave SET state = 'closed', closed_at = "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?", "i", c->id)) != KTO_OK)
		return rc;
	/* No mail goes out any more: the tokens kept for it can go. */
	if ((rc = kto_db_exec(db, "UPDATE invitation SET mail_token = NULL "
	    "WHERE wave_id = ?", "i", c->id)) != KTO_OK)
		return rc;
	snprintf(subject, sizeof subject, "wave %lld", (long long)c->id);
	return kto_audit_code(db, c->actor, "wave.close", w.municipality, subject, NULL);
}

enum kto_rc
kto_wave_close(struct kto_db *db, const char *actor, int64_t id)
{
	struct wave_close c = { actor, id };

	return kto_db_transaction(db, wave_close_txn, &c);
}

/* ---------------------------------------------------------------------- */
/* As JSON (kto wave show --json, the API)                                 */

static void
json_counts(struct kto_json *j, const struct kto_wave_counts *n)
{
	kto_json_kv_int(j, "N", n->population);
	kto_json_kv_int(j, "frame", n->frame);
	kto_json_key(j, "excluded");
	kto_json_object_begin(j);
	for (int e = 0; e < KTO_EXCL_COUNT; e++)
		kto_json_kv_int(j, kto_exclusion_name((enum kto_exclusion)e), n->excluded[e]);
	kto_json_object_end(j);
	kto_json_kv_int(j, "sampled", n->sampled);
	kto_json_kv_int(j, "shortfall", n->shortfall);
	kto_json_kv_int(j, "invited", n->invited);
	kto_json_kv_int(j, "reminded", n->reminded);
	kto_json_kv_int(j, "responded", n->responded);
	kto_json_key(j, "response_rate");
	if (n->invited > 0)
		kto_json_double(j, (double)n->responded / (double)n->invited);
	else
		kto_json_null(j);
	kto_json_kv_int(j, "mail_failed", n->mail_failed);
	kto_json_kv_int(j, "mail_pending", n->mail_pending);
}

void
kto_wave_json(struct kto_json *j, const struct kto_wave_info *w)
{
	kto_json_object_begin(j);
	kto_json_kv_int(j, "id", w->id);
	kto_json_kv_string(j, "municipality", w->municipality);
	kto_json_kv_string(j, "state", w->state);
	kto_json_kv_int(j, "seed", (int64_t)w->seed);
	kto_json_kv_string(j, "from", w->from);
	kto_json_kv_string(j, "to", w->to);
	kto_json_key(j, "continuous");
	kto_json_bool(j, w->continuous);
	kto_json_kv_int(j, "recent_days", w->recent_days);
	kto_json_kv_int(j, "reminder_days", w->reminder_days);
	kto_json_kv_int(j, "exclude_invited_days", w->invited_recently_days);
	kto_json_kv_string(j, "sampled_at", w->sampled_at[0] ? w->sampled_at : NULL);
	kto_json_key(j, "channels");
	kto_json_array_begin(j);
	for (size_t i = 0; i < w->n_channels; i++) {
		const struct kto_wave_channel_info *c = &w->channels[i];

		kto_json_object_begin(j);
		kto_json_kv_string(j, "channel", kto_channel_name(c->channel));
		kto_json_kv_string(j, "definition", c->def_name);
		kto_json_kv_int(j, "definition_version", c->def_version);
		kto_json_kv_int(j, "target", c->target);
		kto_json_kv_double(j, "expected_response_rate", c->response_rate);
		if (c->continuous > 0)
			kto_json_kv_double(j, "continuous_fraction", c->continuous);
		kto_json_key(j, "drawn");
		kto_json_bool(j, c->drawn || c->n.sampled > 0);
		json_counts(j, &c->n);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "totals");
	kto_json_object_begin(j);
	json_counts(j, &w->totals);
	kto_json_object_end(j);
	kto_json_object_end(j);
}

