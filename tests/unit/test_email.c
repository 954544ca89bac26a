/*
** engine/email: which addresses kto accepts and why it refuses the others,
** the normal form, and the keyed address hash (one key per installation,
** created once, kept in the setting table).
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

#include <sodium.h>

#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/email.h"
#include "tests/unit/testutil.h"

#define KEY_COUNT \
	"SELECT count(*) FROM setting WHERE key = 'address_hash_key'"

/* Expects addr to be accepted. */
static void
expect_ok(const char *addr)
{
	const char *p = kto_email_problem(addr);

	if (p != NULL) {
		print_error("'%s' was refused: it %s\n", addr, p);
		fail();
	}
}

/* Expects addr to be refused with a reason containing `why`. */
static void
expect_bad(const char *addr, const char *why)
{
	const char *p = kto_email_problem(addr);

	if (p == NULL) {
		print_error("'%s' was accepted; wanted a reason with '%s'\n", addr, why);
		fail();
	}
	if (strstr(p, why) == NULL) {
		print_error("'%s' was refused because it '%s'; wanted '%s'\n", addr, p,
		    why);
		fail();
	}
}

/* A string of n copies of c in buf (which must hold n + 1). */
static char *
repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
test_accepts(void **state)
{
	(void)state;
	expect_ok("jan@example.nl");
	expect_ok("jan.de.vries@example.nl");
	expect_ok("jan+kto@example.nl");
	expect_ok("jan-willem@example.nl");
	expect_ok("j@e.nl");
	expect_ok("info@mail.gemeente.beverwijk.nl");
	expect_ok("jan1980@example2.nl");
	expect_ok("1234@123.nl");
	expect_ok("jan@my-domain.nl");
	expect_ok("Jan.De.Vries@Example.NL");
	expect_ok("o'brien@example.ie");
	expect_ok("a_b!#$%&*/=?^`{|}~@example.nl");
	expect_ok("x@a-b-c.d-e.nl");
}

static void
test_accepts_limits(void **state)
{
	char local[70], label[70], addr[300];

	(void)state;
	/* 64 characters before the '@' and a 63-character label are allowed. */
	snprintf(addr, sizeof addr, "%s@example.nl", repeat(local, 'a', 64));
	expect_ok(addr);
	snprintf(addr, sizeof addr, "jan@%s.nl", repeat(label, 'b', 63));
	expect_ok(addr);
	/* Exactly 254 characters: 64 + 1 + 63 + 1 + 63 + 1 + 61. */
	snprintf(addr, sizeof addr, "%s@%s.", repeat(local, 'a', 64),
	    repeat(label, 'b', 63));
	strcat(addr, repeat(label, 'c', 63));
	strcat(addr, ".");
	strcat(addr, repeat(label, 'd', 61));
	assert_int_equal(strlen(addr), 254);
	expect_ok(addr);
}

static void
test_rejects(void **state)
{
	char local[80], label[80], addr[400];

	(void)state;
	expect_bad("", "is empty");
	expect_bad("jan.example.nl", "has no '@'");
	expect_bad("jan@@example.nl", "more than one '@'");
	expect_bad("jan@ex@ample.nl", "more than one '@'");
	/* HARDENING C5: CR/LF in an address never reaches SMTP. */
	expect_bad("jan@example.nl\r", "line break");
	expect_bad("jan@example.nl\rRCPT TO:<x@y.nl>", "line break");
	expect_bad("jan@example.nl\nBcc: x@y.nl", "line break");
	expect_bad("jan de vries@example.nl", "space");
	expect_bad("jan@example .nl", "space");
	expect_bad("jan\t@example.nl", "control character");
	expect_bad("jan\x7f@example.nl", "control character");
	expect_bad("@example.nl", "nothing before the '@'");
	expect_bad(".jan@example.nl", "dot at the start or end");
	expect_bad("jan.@example.nl", "dot at the start or end");
	expect_bad("jan..vries@example.nl", "two dots in a row");
	expect_bad("jan@", "nothing after the '@'");
	expect_bad("jan@localhost", "without a dot");
	expect_bad("jan@example..nl", "empty part in the domain");
	expect_bad("jan@.example.nl", "empty part in the domain");
	expect_bad("jan@example.nl.", "ends with a dot");
	expect_bad("jan@-example.nl", "starts with '-'");
	expect_bad("jan@mail.-example.nl", "starts with '-'");
	expect_bad("jan@example-.nl", "ends with '-'");
	expect_bad("jan@[192.168.1.1]", "IP address");
	expect_bad("jan@[IPv6:::1]", "IP address");
	expect_bad("jan@exa_mple.nl", "not allowed in the domain");
	expect_bad("\"jan\"@example.nl", "not allowed before the '@'");
	expect_bad("jan(x)@example.nl", "not allowed before the '@'");
	expect_bad("j\xc3\xa1n@example.nl", "outside ASCII");
	expect_bad("jan@b\xc3\xbc" "cher.de", "outside ASCII");

	snprintf(addr, sizeof addr, "%s@example.nl", repeat(local, 'a', 65));
	expect_bad(addr, "more than 64 characters before the '@'");
	snprintf(addr, sizeof addr, "jan@%s.nl", repeat(label, 'b', 64));
	expect_bad(addr, "longer than 63 characters");
	/* 255 characters, every part within its own limit. */
	snprintf(addr, sizeof addr, "%s@%s.", repeat(local, 'a', 64),
	    repeat(label, 'b', 63));
	strcat(addr, repeat(label, 'c', 63));
	strcat(addr, ".");
	strcat(addr, repeat(label, 'd', 62));
	assert_int_equal(strlen(addr), 255);
	expect_bad(addr, "longer than 254 characters");
}

/*
** Regression (was a bug in engine/email.c, domain_problem): a '-' at the end of the LAST
** domain label is only checked when a '.' follows it, so
** "jan@example.nl-" is accepted although a label may not end with '-'
** (RFC 1035 LDH rule; the first-label case "jan@example-.nl" is refused).
*/
static void
test_rejects_last_label_hyphen(void **state)
{
	(void)state;
	expect_bad("jan@example.nl-", "ends with '-'");
	expect_bad("jan@localhost-", "");
}

static void
test_normalize(void **state)
{
	char out[KTO_EMAIL_MAX + 1], in[400];

	(void)state;
	assert_true(kto_email_normalize("  Jan.De.Vries@Example.NL\t", out));
	assert_string_equal(out, "jan.de.vries@example.nl");
	assert_true(kto_email_normalize("jan@example.nl", out));
	assert_string_equal(out, "jan@example.nl");
	assert_true(kto_email_normalize("\t \tJAN+KTO@EXAMPLE.NL ", out));
	assert_string_equal(out, "jan+kto@example.nl");
	assert_true(kto_email_normalize("", out));
	assert_string_equal(out, "");
	assert_true(kto_email_normalize("   ", out));
	assert_string_equal(out, "");
	/* Only ASCII letters are lowered; other bytes stay as they are. */
	assert_true(kto_email_normalize("J\xc3\x81N@X.NL", out));
	assert_string_equal(out, "j\xc3\x81n@x.nl");
	/* 254 characters fit, with white space around them. */
	memset(in, 'A', 254);
	in[254] = '\0';
	in[100] = '@';
	assert_true(kto_email_normalize(in, out));
	assert_int_equal(strlen(out), 254);
	assert_int_equal(out[0], 'a');
	snprintf(in + 254, sizeof in - 254, "   ");
	assert_true(kto_email_normalize(in, out));
	assert_int_equal(strlen(out), 254);
	/* 255 do not. */
	memset(in, 'a', 255);
	in[255] = '\0';
	assert_false(kto_email_normalize(in, out));
}

/* The hash of addr in db, expecting success. */
static void
hash_of(struct kto_db *db, const char *addr, unsigned char out[KTO_EMAIL_HASH_BYTES])
{
	memset(out, 0, KTO_EMAIL_HASH_BYTES);
	assert_int_equal(kto_email_hash(db, addr, out), KTO_OK);
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
test_hash(void **state)
{
	struct tu_fixture *f = *state;
	unsigned char a[KTO_EMAIL_HASH_BYTES], a2[KTO_EMAIL_HASH_BYTES];
	unsigned char b[KTO_EMAIL_HASH_BYTES], want[KTO_EMAIL_HASH_BYTES];
	unsigned char key[crypto_generichash_KEYBYTES];
	sqlite3_stmt *st;

	assert_int_equal(tu_query_int(f->db, KEY_COUNT), 0);
	hash_of(f->db, "jan@example.nl", a);
	assert_false(all_zero(a, sizeof a));
	assert_int_equal(tu_query_int(f->db, KEY_COUNT), 1);
	hash_of(f->db, "jan@example.nl", a2);
	assert_memory_equal(a, a2, sizeof a);
	hash_of(f->db, "piet@example.nl", b);
	assert_memory_not_equal(a, b, sizeof a);
	/* The hash is of the exact text: the caller normalises first. */
	hash_of(f->db, "jan@example.nl ", b);
	assert_memory_not_equal(a, b, sizeof a);
	hash_of(f->db, "jan@example.n", b);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(tu_query_int(f->db, KEY_COUNT), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT length(value) FROM setting "
	    "WHERE key = 'address_hash_key'"), crypto_generichash_KEYBYTES);

	/* It is BLAKE2b keyed with the stored key, not a plain hash. */
	assert_int_equal(sqlite3_prepare_v2(f->db->sqlite, "SELECT value FROM "
	    "setting WHERE key = 'address_hash_key'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), sizeof key);
	memcpy(key, sqlite3_column_blob(st, 0), sizeof key);
	sqlite3_finalize(st);
	assert_int_equal(sodium_init() < 0, 0);
	crypto_generichash(want, sizeof want, (const unsigned char *)"jan@example.nl",
	    strlen("jan@example.nl"), key, sizeof key);
	assert_memory_equal(a, want, sizeof a);
	crypto_generichash(want, sizeof want, (const unsigned char *)"jan@example.nl",
	    strlen("jan@example.nl"), NULL, 0);
	assert_memory_not_equal(a, want, sizeof a);
}

/* The key outlives the connection: reopening gives the same hashes. */
static void
test_hash_persists(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_err err = KTO_ERR_INIT;
	unsigned char a[KTO_EMAIL_HASH_BYTES], again[KTO_EMAIL_HASH_BYTES];

	hash_of(f->db, "jan@example.nl", a);
	kto_db_close(f->db);
	f->db = NULL;
	assert_int_equal(kto_db_open(f->path, 0, &f->db, &err), KTO_OK);
	hash_of(f->db, "jan@example.nl", again);
	assert_memory_equal(a, again, sizeof a);
	assert_int_equal(tu_query_int(f->db, KEY_COUNT), 1);
}

/* Two installations have two keys: the same address hashes differently. */
static void
test_hash_per_database(void **state)
{
	struct tu_fixture *f = *state;
	void *other_state = NULL;
	struct tu_fixture *g;
	unsigned char a[KTO_EMAIL_HASH_BYTES], b[KTO_EMAIL_HASH_BYTES];
	unsigned char a2[KTO_EMAIL_HASH_BYTES], b2[KTO_EMAIL_HASH_BYTES];

	assert_int_equal(tu_db_setup(&other_state), 0);
	g = other_state;
	hash_of(f->db, "jan@example.nl", a);
	hash_of(g->db, "jan@example.nl", b);
	assert_memory_not_equal(a, b, sizeof a);
	/* Each stays stable within its own database. */
	hash_of(f->db, "jan@example.nl", a2);
	hash_of(g->db, "jan@example.nl", b2);
	assert_memory_equal(a, a2, sizeof a);
	assert_memory_equal(b, b2, sizeof b);
	assert_int_equal(tu_query_int(g->db, KEY_COUNT), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM setting s1 "
	    "WHERE key = 'address_hash_key'"), 1);
	tu_db_teardown(&other_state);
}

/* A damaged key is an error, not a silent hash with the wrong key. */
static void
test_hash_bad_key(void **state)
{
	struct tu_fixture *f = *state;
	unsigned char h[KTO_EMAIL_HASH_BYTES];

	assert_int_equal(tu_sql(f->db, "INSERT INTO setting (key, value) VALUES "
	    "('address_hash_key', x'0102')"), SQLITE_OK);
	assert_int_equal(kto_email_hash(f->db, "jan@example.nl", h), KTO_EINTERNAL);
	assert_contains(kto_db_errmsg(f->db), "wrong length");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_accepts_limits),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rejects_last_label_hyphen),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test_setup_teardown(test_hash, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_hash_persists, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_hash_per_database, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_hash_bad_key, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
