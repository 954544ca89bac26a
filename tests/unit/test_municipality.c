/*
** engine/municipality: registering, finding, listing and changing
** municipalities, and the audit trail they leave.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/circle.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

static int64_t
municipalities(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM municipality");
}

static int64_t
audit_rows(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM audit_log");
}

static int64_t
members(struct kto_db *db, const char *circle)
{
	struct kto_circle c;

	assert_int_equal(kto_circle_find(db, circle, &c), KTO_OK);
	return c.members;
}

/* Per test: a database with circles kring-a and kring-b. */
static int
setup(void **state)
{
	struct tu_fixture *f;

	if (tu_db_setup(state) != 0)
		return -1;
	f = *state;
	if (kto_circle_add(f->db, ACTOR, "kring-a", "Kring A", NULL) != KTO_OK ||
	    kto_circle_add(f->db, ACTOR, "kring-b", "Kring B", NULL) != KTO_OK) {
		tu_db_teardown(state);
		return -1;
	}
	return 0;
}

/* Expects add to fail with want and to change nothing. */
static void
refuse_add(struct kto_db *db, const char *code, const char *name,
           const char *circle, enum kto_rc want, const char *says)
{
	int64_t before = municipalities(db), audit = audit_rows(db);
	int64_t id = -7;

	if (kto_municipality_add(db, ACTOR, code, name, circle, &id) != want) {
		print_error("municipality '%s' / '%s' was not refused with %s\n",
		    code ? code : "(null)", name ? name : "(null)", kto_strerror(want));
		fail();
	}
	assert_int_equal(kto_db_err(db)->rc, want);
	if (says != NULL)
		assert_contains(kto_db_errmsg(db), says);
	assert_int_equal(id, -7);
	assert_int_equal(municipalities(db), before);
	assert_int_equal(audit_rows(db), audit);
}

static void
test_add_find(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;
	int64_t id = 0, id2 = 0;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", &id), KTO_OK);
	assert_true(id > 0);
	memset(&m, 0x55, sizeof m);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_int_equal(m.id, id);
	assert_string_equal(m.code, "GM0375");
	assert_string_equal(m.name, "Beverwijk");
	assert_string_equal(m.circle_code, "kring-a");
	assert_string_equal(m.circle_name, "Kring A");
	/* ISO 8601 UTC, e.g. 2026-11-23T18:40:00Z. */
	assert_int_equal(strlen(m.created_at), 20);
	assert_int_equal(m.created_at[10], 'T');
	assert_int_equal(m.created_at[19], 'Z');

	/* Case-insensitive lookup; the circle code too. */
	assert_int_equal(kto_municipality_find(f->db, "gm0375", &m), KTO_OK);
	assert_int_equal(m.id, id);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "KRING-B", &id2), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.circle_code, "kring-b");
	assert_true(id2 != id);
}

static void
test_add_without_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0534", "Hillegom",
	    NULL, NULL), KTO_OK);
	memset(&m, 0x55, sizeof m);
	assert_int_equal(kto_municipality_find(f->db, "GM0534", &m), KTO_OK);
	assert_string_equal(m.name, "Hillegom");
	assert_string_equal(m.circle_code, "");
	assert_string_equal(m.circle_name, "");
	assert_int_equal(members(f->db, "kring-a"), 0);
}

static void
test_find_unknown(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_find(f->db, "GM9999", &m), KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "GM9999");
}

static void
test_duplicate(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", NULL), KTO_OK);
	refuse_add(f->db, "GM0375", "Other", NULL, KTO_EEXISTS, "Beverwijk");
	refuse_add(f->db, "gm0375", "Other", "kring-b", KTO_EEXISTS, "GM0375");
	/* The message names the existing record and its circle. */
	assert_contains(kto_db_errmsg(f->db), "Beverwijk");
	assert_contains(kto_db_errmsg(f->db), "kring-a");
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.name, "Beverwijk");
	assert_string_equal(m.circle_code, "kring-a");

	/* Without a circle, the message still names it. */
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0473", "Zandvoort",
	    NULL, NULL), KTO_OK);
	refuse_add(f->db, "GM0473", "Z", NULL, KTO_EEXISTS, "Zandvoort");
}

static void
test_unknown_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	refuse_add(f->db, "GM0375", "Beverwijk", "kring-x", KTO_ENOTFOUND,
	    "kring-x");
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_ENOTFOUND);
}

static void
test_bad_codes_and_names(void **state)
{
	struct tu_fixture *f = *state;
	char code33[34], name201[202];

	memset(code33, 'G', 33);
	code33[33] = '\0';
	memset(name201, 'n', 201);
	name201[201] = '\0';

	refuse_add(f->db, "", "Name", NULL, KTO_EINPUT, "municipality code");
	refuse_add(f->db, code33, "Name", NULL, KTO_EINPUT, "at most 32");
	refuse_add(f->db, "-GM1", "Name", NULL, KTO_EINPUT, "start");
	refuse_add(f->db, "GM 1", "Name", NULL, KTO_EINPUT, NULL);
	refuse_add(f->db, "GM\xc3\xa9", "Name", NULL, KTO_EINPUT, NULL);
	refuse_add(f->db, "GM1", "", NULL, KTO_EINPUT, "municipality name");
	refuse_add(f->db, "GM1", "  ", NULL, KTO_EINPUT, "empty");
	refuse_add(f->db, "GM1", "Bever\nwijk", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Bever\rwijk", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Beverwijk\x7f", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Beverw\xffjk", NULL, KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "GM1", name201, NULL, KTO_EINPUT, "at most 200");
	/* A bad code is refused before the circle is looked up. */
	refuse_add(f->db, "bad code", "Name", "kring-x", KTO_EINPUT, NULL);
}

static void
test_list(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality *list = NULL;
	size_t n = 99;

	assert_int_equal(kto_municipality_list(f->db, NULL, &list, &n), KTO_OK);
	assert_null(list);
	assert_int_equal(n, 0);

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM3", "Drie",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM1", "Een",
	    "kring-b", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM2", "Twee",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0", "Nul",
	    NULL, NULL), KTO_OK);

	assert_int_equal(kto_municipality_list(f->db, NULL, &list, &n), KTO_OK);
	assert_int_equal(n, 4);
	assert_string_equal(list[0].code, "GM0");
	assert_string_equal(list[0].circle_code, "");
	assert_string_equal(list[1].code, "GM1");
	assert_string_equal(list[1].name, "Een");
	assert_string_equal(list[1].circle_code, "kring-b");
	assert_string_equal(list[1].circle_name, "Kring B");
	assert_string_equal(list[2].code, "GM2");
	assert_string_equal(list[3].code, "GM3");
	free(list);

	/* Filtered by circle (its code case-insensitively). */
	list = NULL;
	assert_int_equal(kto_municipality_list(f->db, "KRING-A", &list, &n), KTO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, "GM2");
	assert_string_equal(list[1].code, "GM3");
	assert_string_equal(list[0].circle_code, "kring-a");
	assert_string_equal(list[1].circle_code, "kring-a");
	free(list);

	/* A circle nobody is in: empty, not an error. */
	assert_int_equal(kto_circle_add(f->db, ACTOR, "kring-c", "Kring C", NULL),
	    KTO_OK);
	list = (struct kto_municipality *)&list;
	assert_int_equal(kto_municipality_list(f->db, "kring-c", &list, &n), KTO_OK);
	assert_null(list);
	assert_int_equal(n, 0);

	/* An unknown circle is an error that says which. */
	list = (struct kto_municipality *)&list;
	n = 99;
	assert_int_equal(kto_municipality_list(f->db, "kring-x", &list, &n),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "kring-x");
	assert_null(list);
	assert_int_equal(n, 0);
}

static void
test_members(void **state)
{
	struct tu_fixture *f = *state;
	char code[16];

	for (int i = 0; i < 11; i++) {
		snprintf(code, sizeof code, "GM%04d", i);
		assert_int_equal(kto_municipality_add(f->db, ACTOR, code, "Gemeente",
		    i < 7 ? "kring-a" : "kring-b", NULL), KTO_OK);
	}
	assert_int_equal(members(f->db, "kring-a"), 7);
	assert_int_equal(members(f->db, "kring-b"), 4);
}

static void
test_update_rename(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { .name = "Bussum (Gooise Meren)" };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "gm0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum (Gooise Meren)");
	assert_string_equal(m.circle_code, "kring-a");   /* unchanged */
	assert_int_equal(audit_rows(f->db), audit + 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.rename' AND subject = 'GM0381' AND "
	    "detail = 'Bussum (Gooise Meren)' AND actor = '" ACTOR "' AND "
	    "municipality_id = (SELECT id FROM municipality WHERE code = 'GM0381')"),
	    1);
}

static void
test_update_move(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { .circle_code = "kring-b" };
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(members(f->db, "kring-a"), 1);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");           /* unchanged */
	assert_string_equal(m.circle_code, "kring-b");
	assert_string_equal(m.circle_name, "Kring B");
	assert_int_equal(members(f->db, "kring-a"), 0);
	assert_int_equal(members(f->db, "kring-b"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.move' AND subject = 'GM0381' AND "
	    "detail = 'kring-b'"), 1);
}

static void
test_update_no_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { .circle_code = "" };
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.circle_code, "");
	assert_string_equal(m.circle_name, "");
	assert_int_equal(members(f->db, "kring-a"), 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM municipality "
	    "WHERE code = 'GM0381' AND circle_id IS NULL"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.move' AND subject = 'GM0381'"), 1);

	/* And back into a circle. */
	ch.circle_code = "kring-a";
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(members(f->db, "kring-a"), 1);
}

static void
test_update_both_atomic(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = {
		.name = "Nieuwe naam", .circle_code = "kring-x" };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	/* The move fails, so the rename in the same call must not stick. */
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "kring-x");
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");
	assert_string_equal(m.circle_code, "kring-a");
	assert_int_equal(audit_rows(f->db), audit);

	/* Both valid: both applied. */
	ch.circle_code = "kring-b";
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Nieuwe naam");
	assert_string_equal(m.circle_code, "kring-b");
	assert_int_equal(audit_rows(f->db), audit + 2);
}

static void
test_update_errors(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes bad_name = { .name = "Bad\nname" };
	struct kto_municipality_changes blank = { .name = "   " };
	struct kto_municipality_changes rename = { .name = "X" };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM9999", &rename),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "GM9999");
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &bad_name),
	    KTO_EINPUT);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &blank),
	    KTO_EINPUT);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");
	assert_int_equal(audit_rows(f->db), audit);
}

static void
test_audit_add(void **state)
{
	struct tu_fixture *f = *state;
	int64_t id = 0, before = audit_rows(f->db);

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", &id), KTO_OK);
	assert_int_equal(audit_rows(f->db), before + 1);
	assert_int_equal(tu_query_int(f->db, "SELECT municipality_id FROM audit_log "
	    "WHERE action = 'municipality.add' AND subject = 'GM0375' AND "
	    "detail = 'Beverwijk' AND actor = '" ACTOR "'"), id);
}

/* The mail and page settings: set, read back, cleared, and logged. */
static void
test_settings(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = {
		.sender_name = "Gemeente Beverwijk \xe2\x80\x93 KTO",
		.sender_address = "kto@beverwijk.nl",
		.reply_to = "klantcontact@beverwijk.nl",
		.privacy_url = "https://www.beverwijk.nl/privacy?lang=nl#kto",
		.public_url = "https://kto.beverwijk.nl/vragenlijst//",
		.signature = "Met vriendelijke groet,\n\nGemeente Beverwijk\n"
		    "Team Dienstverlening \xe2\x82\xac",
	};
	struct kto_municipality_changes clear = {
		.reply_to = "", .privacy_url = "", .public_url = "", .signature = "",
	};
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", NULL), KTO_OK);
	/* Nothing set yet: all empty. */
	memset(&m, 0x55, sizeof m);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.sender_name, "");
	assert_string_equal(m.sender_address, "");
	assert_string_equal(m.reply_to, "");
	assert_string_equal(m.privacy_url, "");
	assert_string_equal(m.public_url, "");
	assert_string_equal(m.signature, "");

	audit = audit_rows(f->db);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "gm0375", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.sender_name, ch.sender_name);
	assert_string_equal(m.sender_address, "kto@beverwijk.nl");
	assert_string_equal(m.reply_to, "klantcontact@beverwijk.nl");
	assert_string_equal(m.privacy_url, ch.privacy_url);
	/* The base of the links is kept without its final slashes. */
	assert_string_equal(m.public_url, "https://kto.beverwijk.nl/vragenlijst");
	assert_string_equal(m.signature, ch.signature);
	/* Name and circle untouched. */
	assert_string_equal(m.name, "Beverwijk");
	assert_string_equal(m.circle_code, "kring-a");
	/* One audit entry per setting, naming it and its value. */
	assert_int_equal(audit_rows(f->db), audit + 6);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.set' AND subject = 'GM0375' AND "
	    "detail = 'sender_address: kto@beverwijk.nl' AND actor = '" ACTOR "'"),
	    1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.set' AND detail = 'public_url: "
	    "https://kto.beverwijk.nl/vragenlijst'"), 1);

	/* The list carries the settings too. */
	{
		struct kto_municipality *list;
		size_t n;

		assert_int_equal(kto_municipality_list(f->db, NULL, &list, &n), KTO_OK);
		assert_int_equal(n, 1);
		assert_string_equal(list[0].sender_address, "kto@beverwijk.nl");
		free(list);
	}

	/* "" clears an optional setting (NULL in the database); NULL keeps it. */
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0375", &clear),
	    KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.reply_to, "");
	assert_string_equal(m.privacy_url, "");
	assert_string_equal(m.public_url, "");
	assert_string_equal(m.signature, "");
	assert_string_equal(m.sender_address, "kto@beverwijk.nl");
	assert_string_equal(m.sender_name, ch.sender_name);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM municipality "
	    "WHERE reply_to IS NULL AND privacy_url IS NULL AND public_url IS NULL "
	    "AND signature IS NULL AND sender_address IS NOT NULL"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.set' AND detail = 'reply_to: (cleared)'"),
	    1);

	/* A test installation may link to itself over http. */
	ch = (struct kto_municipality_changes){ .public_url = "http://127.0.0.1:8080",
	    .privacy_url = "http://localhost/privacy" };
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0375", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.public_url, "http://127.0.0.1:8080");
}

/* Expects ch to be refused with KTO_EINPUT saying `says`, changing nothing. */
static void
refuse_set(struct kto_db *db, const struct kto_municipality_changes *ch,
           const char *says)
{
	struct kto_municipality before, after;
	int64_t audit = audit_rows(db);

	/* Zeroed, so that the bytes after each string compare equal too. */
	memset(&before, 0, sizeof before);
	memset(&after, 0, sizeof after);
	assert_int_equal(kto_municipality_find(db, "GM0375", &before), KTO_OK);
	if (kto_municipality_update(db, ACTOR, "GM0375", ch) != KTO_EINPUT) {
		print_error("a change was not refused (expected: %s)\n", says);
		fail();
	}
	assert_contains(kto_db_errmsg(db), says);
	assert_int_equal(kto_municipality_find(db, "GM0375", &after), KTO_OK);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(audit_rows(db), audit);
}

static void
test_settings_refused(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes good = {
		.sender_name = "Gemeente Beverwijk", .sender_address = "kto@beverwijk.nl",
		.signature = "Groet",
	};
	char long_signature[KTO_SIGNATURE_MAX + 2], long_url[KTO_URL_MAX + 10];

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    NULL, NULL), KTO_OK);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0375", &good),
	    KTO_OK);

	/* A CR or LF in anything that goes into a mail header. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_name = "Beverwijk\r\nBcc: all@example.nl" }, "control character");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_name = "Beverwijk\n" }, "control character");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_address = "kto@beverwijk.nl\r\nRCPT TO:<x@example.nl>" },
	    "line break");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .reply_to = "a@b.nl\n" }, "line break");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = "https://x.nl/\r\nX-Evil: 1" }, "line break");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .public_url = "https://x.nl\n" }, "line break");
	/* Not quoted back: the message must not carry the break either. */
	assert_null(strpbrk(kto_db_errmsg(f->db), "\r\n"));

	/* Addresses. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_address = "beverwijk.nl" }, "has no '@'");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_address = "Gemeente <kto@beverwijk.nl>" }, "sender address");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .reply_to = "kto@localhost" }, "reply-to address");

	/* URLs. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = "http://www.beverwijk.nl/privacy" }, "https://");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = "www.beverwijk.nl/privacy" }, "must start with https://");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = "javascript:alert(1)" }, "must start with https://");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .public_url = "https://kto.beverwijk.nl/?gemeente=1" }, "query");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .public_url = "https://admin:pw@kto.beverwijk.nl" }, "user name");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = "https://www.beverwijk.nl/\"><script>" }, "not allowed");
	memset(long_url, 'a', sizeof long_url - 1);
	memcpy(long_url, "https://", 8);
	long_url[sizeof long_url - 1] = '\0';
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .privacy_url = long_url }, "at most 500");

	/* The signature: line breaks yes, anything else no. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = "Groet,\r\nBeverwijk" }, "carriage return (CR) on line 1");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = "Groet,\n\tBeverwijk" }, "tab on line 2");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = "Groet\x1b[31m" }, "control character");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = "Groet\xe2\x80\xa8" }, "line separator");
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = "Groet \xff" }, "UTF-8");
	memset(long_signature, 'x', sizeof long_signature - 1);
	long_signature[sizeof long_signature - 1] = '\0';
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .signature = long_signature }, "at most 1000");
	long_signature[KTO_SIGNATURE_MAX] = '\0';
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0375",
	    &(struct kto_municipality_changes){ .signature = long_signature }),
	    KTO_OK);

	/* The sender name follows the rules of names; it cannot be blank. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .sender_name = "   " }, "empty");

	/* One bad setting among good ones: none is made. */
	refuse_set(f->db, &(struct kto_municipality_changes){
	    .name = "Nieuw", .reply_to = "ok@beverwijk.nl",
	    .privacy_url = "ftp://x" }, "https://");
}

static void
test_check_url(void **state)
{
	struct kto_err err = KTO_ERR_INIT;
	static const char *const good[] = {
		"https://kto.example.nl", "https://kto.example.nl/", "HTTPS://KTO.example.nl",
		"https://kto.example.nl:8443/a/b-c_d.e~f/%C3%AB", "https://10.0.0.1/",
		"https://[2001:db8::1]:443/x", "http://127.0.0.1:8080/t", "http://localhost",
		"http://LOCALHOST:1/", "http://[::1]/",
	};
	static const char *const bad[] = {
		"", "kto.example.nl", "//kto.example.nl", "http://kto.example.nl",
		"http://127.0.0.1.example.nl/", "https://", "https:///path",
		"https://kto..example.nl", "https://kto.example.nl.", "https://kto.exa mple.nl",
		"https://kto.example.nl:", "https://kto.example.nl:99999",
		"https://kto.example.nl:0", "https://kto.example.nl:8a", "https://[zz]/",
		"https://@kto.example.nl", "https://kto.example.nl/{x}",
		"https://kto.example.nl/a|b", "https://kto.example.nl/%2",
		"https://kto.example.nl/\x7f", "https://kto.example.nl/\t",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (kto_check_url(good[i], "URL", KTO_URL_BASE, &err) != KTO_OK) {
			print_error("'%s' refused: %s\n", good[i], err.msg);
			fail();
		}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (kto_check_url(bad[i], "URL", KTO_URL_PAGE, &err) != KTO_EINPUT) {
			print_error("'%s' accepted\n", bad[i]);
			fail();
		}
	/* A page may have a query and a fragment; a base may not. */
	assert_int_equal(kto_check_url("https://x.nl/p?a=1#b", "URL", KTO_URL_PAGE,
	    &err), KTO_OK);
	assert_int_equal(kto_check_url("https://x.nl/p?a=1", "URL", KTO_URL_BASE,
	    &err), KTO_EINPUT);
	assert_int_equal(kto_check_url("https://x.nl/p#b", "URL", KTO_URL_BASE,
	    &err), KTO_EINPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_add_without_circle, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_find_unknown, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_circle, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_bad_codes_and_names, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_rename, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_move, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_no_circle, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_both_atomic, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_errors, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_add, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_settings_refused, setup,
		    tu_db_teardown),
		cmocka_unit_test(test_check_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
