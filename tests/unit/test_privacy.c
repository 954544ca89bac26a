/*
** engine/privacy: the settings, the purge's choice of what a wave past its
** retention no longer needs (and what a live wave over the same days still
** does), idempotence, open answers masked at submission and by erasure,
** and the export's and erasure's answers for bad and unknown addresses.
** The end-to-end run with the real binary, SMTP and raw-file checks is
** tests/integration/privacy.sh.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/diag.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/privacy.h"
#include "engine/response.h"
#include "engine/sampling.h"
#include "engine/wave.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

static const char def[] =
    "survey kto-balie\n  channel: counter\n  title: T\n  overall: M1\n"
    "page een\n  title: Een\n"
    "question M1 mark\n  text: Cijfer\n  area: TOT\n  required: yes\n"
    "question O1 open\n  text: Beter?\n"
    "mail invitation\n  subject: S\n  body: {link} {optout_link}\n";

static void
set_now(struct kto_db *db, const char *when)
{
	struct kto_datetime t;

	assert_true(kto_datetime_parse(when, &t));
	kto_db_set_now(db, &t);
}

static void
add_contact(struct kto_db *db, const char *id, const char *day, const char *email)
{
	struct kto_contact_input in = { .contact_id = id, .channel = "counter",
	    .contact_at = day, .email = email };
	enum kto_contact_outcome o;
	char reason[200];

	assert_int_equal(kto_contact_put(db, "GM0001", &in, &o, reason,
	    sizeof reason), KTO_OK);
	assert_int_equal(o, KTO_CONTACT_ADDED);
}

static int64_t
new_wave(struct kto_db *db, const char *from, const char *to, bool sample)
{
	struct kto_wave_spec s;
	int64_t id;

	kto_wave_spec_init(&s);
	s.municipality = "GM0001";
	s.from = from;
	s.to = to;
	s.channel[KTO_CHANNEL_COUNTER] = true;
	s.has_seed = true;
	s.seed = 1;
	assert_int_equal(kto_wave_create(db, ACTOR, &s, &id), KTO_OK);
	if (sample)
		assert_int_equal(kto_wave_sample(db, ACTOR, id, NULL), KTO_OK);
	return id;
}

/* GM0001, the definition, three contacts of 2026-11-10..12, a wave of them. */
static int64_t
world(struct kto_db *db)
{
	struct kto_def_version v;
	struct kto_diags d;
	bool created;

	set_now(db, "2026-11-13T12:00:00");
	assert_int_equal(kto_municipality_add(db, ACTOR, "GM0001", "Testdorp", NULL,
	    NULL), KTO_OK);
	kto_diags_init(&d);
	assert_int_equal(kto_def_load(db, ACTOR, "t.kto", def, strlen(def), &v,
	    &created, &d), KTO_OK);
	kto_diags_release(&d);
	add_contact(db, "c1", "2026-11-10", "Een@Example.org");
	add_contact(db, "c2", "2026-11-11", "twee@example.org");
	add_contact(db, "c3", "2026-11-12", "drie@example.org");
	return new_wave(db, "2026-11-01", "2026-11-12", true);
}

/* Closes wave id as on `day` (the engine's close takes the real clock). */
static void
close_on(struct kto_db *db, int64_t id, const char *day)
{
	char sql[128];

	assert_int_equal(kto_wave_close(db, ACTOR, id), KTO_OK);
	snprintf(sql, sizeof sql, "UPDATE wave SET closed_at = '%sT09:00:00Z' "
	    "WHERE id = %lld", day, (long long)id);
	assert_int_equal(tu_sql(db, sql), SQLITE_OK);
}

static void
test_settings(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_privacy_settings s;
	bool keep;

	assert_int_equal(kto_privacy_settings_get(f->db, &s), KTO_OK);
	assert_int_equal(s.retention_days, 30);
	assert_false(s.keep_open_originals);
	assert_int_equal(kto_privacy_settings_set(f->db, ACTOR, 12, 1), KTO_OK);
	assert_int_equal(kto_privacy_settings_get(f->db, &s), KTO_OK);
	assert_int_equal(s.retention_days, 12);
	assert_true(s.keep_open_originals);
	assert_int_equal(kto_privacy_keep_open_originals(f->db, &keep), KTO_OK);
	assert_true(keep);
	/* -1 leaves a setting as it is. */
	assert_int_equal(kto_privacy_settings_set(f->db, ACTOR, -1, 0), KTO_OK);
	assert_int_equal(kto_privacy_settings_get(f->db, &s), KTO_OK);
	assert_int_equal(s.retention_days, 12);
	assert_false(s.keep_open_originals);
	assert_int_equal(kto_privacy_settings_set(f->db, ACTOR, 3651, -1), KTO_EINPUT);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'privacy.settings'"), 2);
}

static void
test_purge_retention_and_idempotence(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_purge_report r;
	int64_t w = world(f->db);

	close_on(f->db, w, "2026-11-14");
	/* 30 days after the close, not more: nothing. */
	set_now(f->db, "2026-12-14T08:00:00");
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, -1, false, &r), KTO_OK);
	assert_int_equal(r.waves, 0);
	assert_int_equal(r.addresses, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "email IS NOT NULL"), 3);
	/* A day later: the three addresses go, the hashes stay. */
	set_now(f->db, "2026-12-15T12:00:00");
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, -1, true, &r), KTO_OK);
	assert_int_equal(r.addresses, 3);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "email IS NOT NULL"), 3);
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, -1, false, &r), KTO_OK);
	assert_int_equal(r.waves, 1);
	assert_int_equal(r.waves_new, 1);
	assert_int_equal(r.addresses, 3);
	assert_true(r.committed);
	assert_true(r.checkpointed);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "email IS NULL AND length(email_hash) = 32"), 3);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM invitation WHERE "
	    "length(email_hash) = 32 AND mail_token IS NULL"), 3);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM wave WHERE "
	    "purged_at IS NOT NULL"), 1);
	/* Again: nothing, and nothing recorded. */
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, -1, false, &r), KTO_OK);
	assert_int_equal(r.waves, 1);
	assert_int_equal(r.waves_new + r.addresses + r.tokens + r.mails +
	    r.replies + r.responses + r.answers, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'privacy.purge'"), 1);
	/* A retention given for the run wins over the setting. */
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, 3651, false, &r), KTO_EINPUT);
}

/*
** A live wave over the same days (a draft, here) still needs the addresses
** of the contacts in its period: the purge leaves those, and only those.
*/
static void
test_purge_spares_what_a_live_wave_needs(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_purge_report r;
	int64_t w = world(f->db);

	close_on(f->db, w, "2026-11-14");
	set_now(f->db, "2026-11-15T12:00:00");
	add_contact(f->db, "c4", "2026-11-15", "vier@example.org");
	(void)new_wave(f->db, "2026-11-12", "2026-11-20", false);
	set_now(f->db, "2026-12-20T12:00:00");
	assert_int_equal(kto_privacy_purge(f->db, ACTOR, 30, false, &r), KTO_OK);
	/* c1 and c2 only: c3 (the 12th) is in the draft's period, c4 in no past wave's. */
	assert_int_equal(r.addresses, 2);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "email IS NOT NULL AND external_id IN ('c3', 'c4')"), 2);
}

static void
answer_open(struct kto_db *db, int invitation, const char *text)
{
	struct kto_respondent r;
	const struct kto_survey *s;
	struct kto_answer ans[2];
	char token[32];
	sqlite3_stmt *st;
	char sql[96];

	snprintf(sql, sizeof sql, "SELECT mail_token FROM invitation ORDER BY id "
	    "LIMIT 1 OFFSET %d", invitation);
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(token, sizeof token, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	memset(ans, 0, sizeof ans);
	ans[0] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .num = 8 };
	ans[1] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .text = text };
	assert_int_equal(kto_respondent_find(db, token, &r), KTO_OK);
	assert_int_equal(kto_respondent_survey(db, &r, &s), KTO_OK);
	assert_int_equal(kto_response_save(db, &r, s, 0, ans, 0, true, NULL), KTO_OK);
	kto_respondent_survey_release(s);
}

static void
test_open_answers_and_erasure(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_erase_report e;
	struct kto_privacy_export x;

	(void)world(f->db);
	answer_open(f->db, 0, "Bel 06-12345678 of mail een@example.org");
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM answer WHERE "
	    "value_text = 'Bel [telefoonnummer] of mail [e-mail]'"), 1);
	assert_int_equal(kto_privacy_settings_set(f->db, ACTOR, -1, 1), KTO_OK);
	answer_open(f->db, 1, "Mail TWEE@example.org, of buurman@example.net");
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM answer WHERE "
	    "value_text = 'Mail TWEE@example.org, of buurman@example.net'"), 1);

	/* Export: by address and hash; the open answer that quotes it. */
	assert_int_equal(kto_privacy_export(f->db, ACTOR, " Twee@Example.ORG ", &x),
	    KTO_OK);
	assert_string_equal(x.address, "twee@example.org");
	assert_int_equal(x.n_contacts, 1);
	assert_true(x.contacts[0].address_held);
	assert_int_equal(x.n_invitations, 1);
	assert_string_equal(x.invitations[0].response, "complete");
	assert_true(x.invitations[0].token_held);
	assert_int_equal(x.open_answers, 1);
	kto_privacy_export_release(&x);

	/* Erasure: every trace of the address, whatever its case. */
	assert_int_equal(kto_privacy_erase(f->db, ACTOR, "twee@example.org", &e), KTO_OK);
	assert_int_equal(e.contacts, 1);
	assert_int_equal(e.invitations, 1);
	assert_int_equal(e.responses, 1);
	assert_int_equal(e.open_answers, 1);
	assert_int_equal(e.optouts_kept, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM answer WHERE "
	    "value_text = 'Mail [e-mail], of buurman@example.net'"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "external_id LIKE 'gewist-%' AND email IS NULL AND email_hash IS NULL"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM invitation WHERE "
	    "contact_id IS NULL AND email_hash IS NULL AND mail_token IS NULL"), 1);
	/* Nothing left to find: said so, not an empty export. */
	assert_int_equal(kto_privacy_export(f->db, ACTOR, "twee@example.org", &x),
	    KTO_ENOTFOUND);
	assert_int_equal(x.n_contacts, 0);
	assert_int_equal(kto_privacy_erase(f->db, ACTOR, "twee@example.org", &e),
	    KTO_ENOTFOUND);
	/* The address of nobody's contact, only quoted: found and masked. */
	assert_int_equal(kto_privacy_erase(f->db, ACTOR, "Buurman@example.net", &e),
	    KTO_OK);
	assert_int_equal(e.open_answers, 1);
	assert_int_equal(e.contacts, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM answer WHERE "
	    "value_text = 'Mail [e-mail], of [e-mail]'"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'privacy.erase' AND coalesce(subject, '') = '' AND "
	    "instr(detail, '@') = 0"), 2);
}

static void
test_bad_addresses(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_erase_report e;
	struct kto_privacy_export x;

	(void)world(f->db);
	assert_int_equal(kto_privacy_export(f->db, ACTOR, "geen adres", &x), KTO_EINPUT);
	assert_contains(kto_db_errmsg(f->db), "is not an e-mail address");
	assert_int_equal(kto_privacy_erase(f->db, ACTOR, "a@b@example.org", &e),
	    KTO_EINPUT);
	assert_int_equal(kto_privacy_erase(f->db, ACTOR, "onbekend@example.org", &e),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "holds nothing about this address");
	/* Nothing was changed by the refusals. */
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action LIKE 'privacy.%'"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settings, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_purge_retention_and_idempotence,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_purge_spares_what_a_live_wave_needs,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_open_answers_and_erasure,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_bad_addresses, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
