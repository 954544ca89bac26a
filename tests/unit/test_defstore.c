/*
** engine/defstore: storing survey definitions as immutable, hashed
** versions; finding them again; refusing invalid definitions, channel
** changes and (HARDENING.md D4) edits that would no longer compare with
** answers already given; and the audit trail of every stored version.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

/* Pieces of the definitions; V1 is the first version of survey "t". */
#define HEAD(channel) \
	"survey t\n" \
	"  channel: " channel "\n" \
	"  title: Titel\n" \
	"  overall: Q9\n"
#define PAGE1 \
	"\n" \
	"page een\n" \
	"  title: Een\n"
#define Q1(text) \
	"\n" \
	"question Q1 yesno\n" \
	"  text: " text "\n"
#define Q1_MARK \
	"\n" \
	"question Q1 mark\n" \
	"  text: Had u een afspraak?\n" \
	"  area: BER\n"
#define Q2_ABC \
	"\n" \
	"question Q2 choice\n" \
	"  text: Waarvoor kwam u?\n" \
	"  options:\n" \
	"    a  Paspoort\n" \
	"    b  Rijbewijs\n" \
	"    c  Iets anders\n"
#define Q2_AB \
	"\n" \
	"question Q2 choice\n" \
	"  text: Waarvoor kwam u?\n" \
	"  options:\n" \
	"    a  Paspoort\n" \
	"    b  Rijbewijs\n"
#define PAGE2 \
	"\n" \
	"page twee\n"
#define Q3 \
	"\n" \
	"question Q3 open\n" \
	"  text: Wat kan beter?\n"
#define Q9 \
	"\n" \
	"question Q9 mark\n" \
	"  text: Rapportcijfer\n" \
	"  area: TOT\n"
#define MAIL \
	"\n" \
	"mail invitation\n" \
	"  subject: Uw mening over {municipality}\n" \
	"  body: |\n" \
	"    Beste inwoner,\n" \
	"    {link}\n" \
	"    {optout_link}\n"

static const char V1[] =
    HEAD("counter") PAGE1 Q1("Had u een afspraak?") Q2_ABC PAGE2 Q9 MAIL;
/* sha256 of V1, computed outside kto (hashlib.sha256). */
#define V1_SHA256 \
	"d88aeb5f7a32eefc3381a5e26ed674d78af7e4b009c754a6e9fe543cdaa2876c"
/* Only a text changed. */
static const char V_TEXT[] =
    HEAD("counter") PAGE1 Q1("Had u vooraf een afspraak gemaakt?") Q2_ABC
    PAGE2 Q9 MAIL;
/* A question added. */
static const char V_ADDQ[] =
    HEAD("counter") PAGE1 Q1("Had u een afspraak?") Q2_ABC PAGE2 Q9 Q3 MAIL;
/* Q1 becomes a mark question. */
static const char V_TYPE[] =
    HEAD("counter") PAGE1 Q1_MARK Q2_ABC PAGE2 Q9 MAIL;
/* Option c of Q2 dropped. */
static const char V_DROP[] =
    HEAD("counter") PAGE1 Q1("Had u een afspraak?") Q2_AB PAGE2 Q9 MAIL;
/* Q1 dropped. */
static const char V_NOQ1[] =
    HEAD("counter") PAGE1 Q2_ABC PAGE2 Q9 MAIL;
/* The same survey name on another channel. */
static const char V_PHONE[] =
    HEAD("phone") PAGE1 Q1("Had u een afspraak?") Q2_ABC PAGE2 Q9 MAIL;
/* Another survey altogether. */
static const char U1[] =
    "survey u\n  channel: email\n  title: Ander\n  overall: Q9\n"
    PAGE1 Q1("Had u een afspraak?") PAGE2 Q9 MAIL;
/* Two mistakes: an unknown key (line 4) and an unknown option (line 14). */
static const char BAD[] =
    "survey t\n"                       /* 1 */
    "  channel: counter\n"
    "  title: Titel\n"
    "  colour: blauw\n"                /* 4 */
    "  overall: Q9\n"
    "page een\n"
    "question Q1 yesno\n"
    "  text: Vraag\n"
    "page twee\n"
    "question Q9 mark\n"               /* 10 */
    "  text: Cijfer\n"
    "  area: TOT\n"
    "question Q2 yesno\n"
    "  show-if: Q1 = misschien\n"      /* 14 */
    "  text: Nog een\n"
    MAIL;

static int64_t
count(struct kto_db *db, const char *sql)
{
	return tu_query_int(db, sql);
}

#define VERSIONS(db) count((db), "SELECT count(*) FROM survey_def_version")
#define DEFS(db) count((db), "SELECT count(*) FROM survey_def")
#define AUDITS(db) \
	count((db), "SELECT count(*) FROM audit_log WHERE action = 'def.load'")

/* Loads src (a string) and expects want; returns the version. */
static struct kto_def_version
load(struct kto_db *db, const char *src, enum kto_rc want, bool want_created)
{
	struct kto_def_version v;
	struct kto_diags d;
	bool created = !want_created;
	enum kto_rc rc;

	memset(&v, 0, sizeof v);
	kto_diags_init(&d);
	rc = kto_def_load(db, ACTOR, "test.kto", src, strlen(src), &v, &created, &d);
	if (rc != want || created != want_created) {
		print_error("load gave %s (created %d), wanted %s (created %d): %s\n",
		    kto_strerror(rc), created, kto_strerror(want), want_created,
		    kto_db_errmsg(db));
		for (size_t i = 0; i < d.n; i++)
			print_error("  %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
		fail();
	}
	kto_diags_release(&d);
	return v;
}

/* True when some error in d contains every one of the (up to 2) texts. */
static bool
diag_says(const struct kto_diags *d, const char *a, const char *b)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == KTO_SEV_ERROR && strstr(d->v[i].msg, a) &&
		    (b == NULL || strstr(d->v[i].msg, b)))
			return true;
	return false;
}

static bool
is_lower_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/*
** Expects src to be refused with KTO_EINPUT as incompatible, with an error
** naming both texts, and nothing stored or audited.
*/
static void
refuse_incompatible(struct kto_db *db, const char *src, const char *a,
                    const char *b)
{
	int64_t versions = VERSIONS(db), audits = AUDITS(db);
	struct kto_def_version v;
	struct kto_diags d;
	bool created = true;

	kto_diags_init(&d);
	v.id = -7;
	assert_int_equal(kto_def_load(db, ACTOR, "edit.kto", src, strlen(src), &v,
	    &created, &d), KTO_EINPUT);
	assert_false(created);
	if (!diag_says(&d, a, b)) {
		print_error("no error naming '%s' and '%s':\n", a, b ? b : "");
		for (size_t i = 0; i < d.n; i++)
			print_error("  %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
		fail();
	}
	assert_contains(kto_db_errmsg(db), "not compatible");
	assert_int_equal(VERSIONS(db), versions);
	assert_int_equal(AUDITS(db), audits);
	kto_diags_release(&d);
}

/* A municipality, a wave and one response answering version id vid. */
static void
add_response(struct kto_db *db, int64_t vid)
{
	char sql[512];

	if (count(db, "SELECT count(*) FROM municipality") == 0)
		assert_int_equal(tu_sql(db,
		    "INSERT INTO municipality (id, code, name) "
		    "VALUES (1, 'GM0001', 'Testdorp');"
		    "INSERT INTO wave (id, municipality_id, period_from, period_to, seed) "
		    "VALUES (1, 1, '2026-01-01', '2026-03-31', 42);"), SQLITE_OK);
	snprintf(sql, sizeof sql, "INSERT INTO response (wave_id, municipality_id, "
	    "channel, def_version_id) VALUES (1, 1, 'counter', %lld)", (long long)vid);
	assert_int_equal(tu_sql(db, sql), SQLITE_OK);
}

/* ---------------------------------------------------------------------- */

static void
test_load_new(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v = load(f->db, V1, KTO_OK, true);

	assert_true(v.id > 0);
	assert_string_equal(v.name, "t");
	assert_string_equal(v.channel, "counter");
	assert_int_equal(v.version, 1);
	assert_true(is_lower_hex64(v.hash));
	assert_string_equal(v.hash, V1_SHA256);
	assert_string_equal(v.source_name, "test.kto");
	assert_true(v.loaded_at[0] != '\0');
	assert_int_equal(v.responses, 0);
	assert_int_equal(DEFS(f->db), 1);
	assert_int_equal(VERSIONS(f->db), 1);
	assert_int_equal(AUDITS(f->db), 1);
}

static void
test_reload_same_bytes(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version again = load(f->db, V1, KTO_OK, false);

	assert_int_equal(again.id, v1.id);
	assert_int_equal(again.version, 1);
	assert_string_equal(again.hash, v1.hash);
	assert_string_equal(again.name, "t");
	assert_int_equal(VERSIONS(f->db), 1);
	assert_int_equal(DEFS(f->db), 1);
	/* A no-op reload is not audited. */
	assert_int_equal(AUDITS(f->db), 1);
}

static void
test_edit_is_new_version(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version v2 = load(f->db, V_TEXT, KTO_OK, true);

	assert_int_not_equal(v2.id, v1.id);
	assert_int_equal(v2.version, 2);
	assert_string_not_equal(v2.hash, v1.hash);
	assert_true(is_lower_hex64(v2.hash));
	assert_int_equal(VERSIONS(f->db), 2);
	assert_int_equal(DEFS(f->db), 1);
	assert_int_equal(AUDITS(f->db), 2);
	/* Loading version 1's bytes again is a no-op that names version 1. */
	v1 = load(f->db, V1, KTO_OK, false);
	assert_int_equal(v1.version, 1);
	assert_int_equal(VERSIONS(f->db), 2);
	assert_int_equal(AUDITS(f->db), 2);
}

static void
test_audit_rows(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v2;

	load(f->db, V1, KTO_OK, true);
	v2 = load(f->db, V_TEXT, KTO_OK, true);
	load(f->db, V_TEXT, KTO_OK, false);
	assert_int_equal(AUDITS(f->db), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'def.load' AND actor = '" ACTOR "' AND subject = 't' AND "
	    "municipality_id IS NULL"), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'def.load' AND detail LIKE 'version 2%'"), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "action = 'def.load' AND detail LIKE 'version 1%'"), 1);
	(void)v2;
}

static void
test_list(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version *list = NULL;
	size_t n = 99;

	assert_int_equal(kto_def_list(f->db, false, &list, &n), KTO_OK);
	assert_int_equal(n, 0);
	free(list);

	load(f->db, U1, KTO_OK, true);
	load(f->db, V1, KTO_OK, true);
	load(f->db, V_TEXT, KTO_OK, true);

	assert_int_equal(kto_def_list(f->db, false, &list, &n), KTO_OK);
	assert_int_equal(n, 3);
	/* By name, then version. */
	assert_string_equal(list[0].name, "t");
	assert_int_equal(list[0].version, 1);
	assert_string_equal(list[1].name, "t");
	assert_int_equal(list[1].version, 2);
	assert_string_equal(list[2].name, "u");
	assert_string_equal(list[2].channel, "email");
	assert_int_equal(list[2].version, 1);
	for (size_t i = 0; i < n; i++)
		assert_true(is_lower_hex64(list[i].hash));
	free(list);

	assert_int_equal(kto_def_list(f->db, true, &list, &n), KTO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "t");
	assert_int_equal(list[0].version, 2);
	assert_string_equal(list[1].name, "u");
	assert_int_equal(list[1].version, 1);
	free(list);
}

static void
test_get(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version v2 = load(f->db, V_TEXT, KTO_OK, true);
	struct kto_def_version u = load(f->db, U1, KTO_OK, true);
	struct kto_def_version got;
	char ref[32], sentinel[] = "sentinel", *src = NULL;

	/* By version id. */
	snprintf(ref, sizeof ref, "%lld", (long long)v1.id);
	assert_int_equal(kto_def_get(f->db, ref, &got, &src), KTO_OK);
	assert_int_equal(got.id, v1.id);
	assert_int_equal(got.version, 1);
	assert_string_equal(got.hash, v1.hash);
	assert_non_null(src);
	assert_string_equal(src, V1);
	free(src);
	snprintf(ref, sizeof ref, "%lld", (long long)u.id);
	assert_int_equal(kto_def_get(f->db, ref, &got, NULL), KTO_OK);
	assert_string_equal(got.name, "u");

	/* By name: the newest version. */
	src = NULL;
	assert_int_equal(kto_def_get(f->db, "t", &got, &src), KTO_OK);
	assert_int_equal(got.id, v2.id);
	assert_int_equal(got.version, 2);
	assert_string_equal(src, V_TEXT);
	free(src);

	/* name@version. */
	src = NULL;
	assert_int_equal(kto_def_get(f->db, "t@1", &got, &src), KTO_OK);
	assert_int_equal(got.id, v1.id);
	assert_string_equal(got.hash, V1_SHA256);
	assert_string_equal(src, V1);
	free(src);
	assert_int_equal(kto_def_get(f->db, "t@2", &got, NULL), KTO_OK);
	assert_int_equal(got.id, v2.id);

	/* Unknown: not found, and *source stays NULL. */
	src = sentinel;
	assert_int_equal(kto_def_get(f->db, "nope", &got, &src), KTO_ENOTFOUND);
	assert_null(src);
	assert_contains(kto_db_errmsg(f->db), "nope");
	assert_int_equal(kto_def_get(f->db, "t@3", &got, NULL), KTO_ENOTFOUND);
	assert_int_equal(kto_def_get(f->db, "nope@1", &got, NULL), KTO_ENOTFOUND);
	assert_int_equal(kto_def_get(f->db, "999", &got, NULL), KTO_ENOTFOUND);

	/* Malformed references. */
	assert_int_equal(kto_def_get(f->db, "x@y", &got, NULL), KTO_EINPUT);
	assert_contains(kto_db_errmsg(f->db), "x@y");
	assert_int_equal(kto_def_get(f->db, "t@", &got, NULL), KTO_EINPUT);
	assert_int_equal(kto_def_get(f->db, "t@0", &got, NULL), KTO_EINPUT);
	assert_int_equal(kto_def_get(f->db, "t@-1", &got, NULL), KTO_EINPUT);
	assert_int_equal(kto_def_get(f->db, "t@1x", &got, NULL), KTO_EINPUT);
}

/* HARDENING D1: an invalid file leaves the active version */
static void
test_invalid_not_stored(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v;
	struct kto_diags d;
	bool created = true;

	kto_diags_init(&d);
	assert_int_equal(kto_def_load(f->db, ACTOR, "bad.kto", BAD, strlen(BAD), &v,
	    &created, &d), KTO_EINPUT);
	assert_false(created);
	assert_true(d.errors >= 2);
	assert_true(diag_says(&d, "colour", NULL));
	assert_true(diag_says(&d, "misschien", NULL));
	for (size_t i = 0; i < d.n; i++)
		if (strstr(d.v[i].msg, "colour"))
			assert_int_equal(d.v[i].line, 4);
		else if (strstr(d.v[i].msg, "misschien"))
			assert_int_equal(d.v[i].line, 14);
	assert_contains(kto_db_errmsg(f->db), "bad.kto");
	kto_diags_release(&d);
	assert_int_equal(DEFS(f->db), 0);
	assert_int_equal(VERSIONS(f->db), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log"), 0);
}

/* A valid text with a NUL byte after it: the length counts, and it is refused. */
static void
test_nul_byte_not_stored(void **state)
{
	struct tu_fixture *f = *state;
	size_t len = strlen(V1);
	char *src = malloc(len + 8);
	struct kto_def_version v;
	struct kto_diags d;
	bool created = true;

	assert_non_null(src);
	memcpy(src, V1, len);
	memcpy(src + len, "\0# x\n", 6);
	kto_diags_init(&d);
	assert_int_equal(kto_def_load(f->db, ACTOR, "nul.kto", src, len + 5, &v,
	    &created, &d), KTO_EINPUT);
	assert_false(created);
	kto_diags_release(&d);
	free(src);
	assert_int_equal(VERSIONS(f->db), 0);
	assert_int_equal(DEFS(f->db), 0);
}

static void
test_channel_change(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v;
	struct kto_diags d;
	bool created = true;

	load(f->db, V1, KTO_OK, true);
	kto_diags_init(&d);
	assert_int_equal(kto_def_load(f->db, ACTOR, "phone.kto", V_PHONE,
	    strlen(V_PHONE), &v, &created, &d), KTO_EINPUT);
	assert_false(created);
	assert_contains(kto_db_errmsg(f->db), "counter");
	assert_contains(kto_db_errmsg(f->db), "phone");
	kto_diags_release(&d);
	assert_int_equal(VERSIONS(f->db), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM survey_def WHERE "
	    "name = 't' AND channel = 'counter'"), 1);
	assert_int_equal(AUDITS(f->db), 1);
}

/* Without responses, any valid edit is a new version, even dropping options. */
/* HARDENING D4: incompatible edits refused once answered */
static void
test_unanswered_edits_free(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v;

	load(f->db, V1, KTO_OK, true);
	v = load(f->db, V_TYPE, KTO_OK, true);
	assert_int_equal(v.version, 2);
	v = load(f->db, V_DROP, KTO_OK, true);
	assert_int_equal(v.version, 3);
	assert_int_equal(VERSIONS(f->db), 3);
}

static void
test_answered_type_change_refused(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version got;

	add_response(f->db, v1.id);
	assert_int_equal(kto_def_get(f->db, "t@1", &got, NULL), KTO_OK);
	assert_int_equal(got.responses, 1);
	refuse_incompatible(f->db, V_TYPE, "Q1", "mark");
	refuse_incompatible(f->db, V_TYPE, "Q1", "yesno");
	/* The newest version is still version 1. */
	assert_int_equal(kto_def_get(f->db, "t", &got, NULL), KTO_OK);
	assert_int_equal(got.version, 1);
}

static void
test_answered_option_drop_refused(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);

	add_response(f->db, v1.id);
	refuse_incompatible(f->db, V_DROP, "'c'", "Q2");
}

static void
test_answered_compatible_edits(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version v;

	add_response(f->db, v1.id);
	v = load(f->db, V_TEXT, KTO_OK, true);
	assert_int_equal(v.version, 2);
	v = load(f->db, V_ADDQ, KTO_OK, true);
	assert_int_equal(v.version, 3);
	assert_int_equal(VERSIONS(f->db), 3);
	assert_int_equal(AUDITS(f->db), 3);
	/* Version 1 is still the answered one: its rules still hold. */
	refuse_incompatible(f->db, V_DROP, "'c'", "Q2");
}

/* Responses to a later version count too. */
static void
test_answered_later_version(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v2;

	load(f->db, V1, KTO_OK, true);
	v2 = load(f->db, V_TEXT, KTO_OK, true);
	add_response(f->db, v2.id);
	refuse_incompatible(f->db, V_TYPE, "Q1", "version 2");
}

/*
** A question answered in an old version, dropped in a newer answered one,
** cannot come back with another type: every answered version counts.
*/
static void
test_answered_dropped_question_returns(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version v2;

	add_response(f->db, v1.id);
	v2 = load(f->db, V_NOQ1, KTO_OK, true);
	add_response(f->db, v2.id);
	refuse_incompatible(f->db, V_TYPE, "Q1", "version 1");
	/* Coming back unchanged is fine. */
	assert_int_equal(load(f->db, V_TEXT, KTO_OK, true).version, 3);
}

static void
test_versions_immutable(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_def_version v1 = load(f->db, V1, KTO_OK, true);
	struct kto_def_version got;
	char *src = NULL;

	assert_int_not_equal(tu_sql(f->db, "UPDATE survey_def_version "
	    "SET source = 'survey x'"), SQLITE_OK);
	assert_int_not_equal(tu_sql(f->db, "UPDATE survey_def_version "
	    "SET hash = 'x'"), SQLITE_OK);
	assert_int_not_equal(tu_sql(f->db, "UPDATE survey_def_version "
	    "SET version = 5"), SQLITE_OK);
	assert_int_equal(kto_def_get(f->db, "t@1", &got, &src), KTO_OK);
	assert_int_equal(got.id, v1.id);
	assert_string_equal(got.hash, V1_SHA256);
	assert_string_equal(src, V1);
	free(src);
	assert_int_equal(count(f->db, "SELECT count(*) FROM survey_def_version "
	    "WHERE version = 1 AND source_name = 'test.kto'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_new, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_reload_same_bytes, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_edit_is_new_version, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_rows, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_list, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_get, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_not_stored, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte_not_stored, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_channel_change, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_edits_free,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answered_type_change_refused,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answered_option_drop_refused,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answered_compatible_edits,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answered_later_version,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answered_dropped_question_returns,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_versions_immutable, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
