/*
** engine/contact_import: files larger than the batches the reader thread
** hands over, bad rows among good ones, a file that stops half-way, and
** the connection's settings after an import.  (tests/integration/
** contacts_import.sh covers the command and the single-row rules.)
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/municipality.h"
#include "tests/unit/testutil.h"

#define ACTOR "test"
#define ROWS 5000          /* several of the reader's batches */

static int
setup(void **state)
{
	struct tu_fixture *f;

	setenv("KTO_NOW", "2026-11-23T12:00:00", 1);
	if (tu_db_setup(state) != 0)
		return -1;
	f = *state;
	return kto_municipality_add(f->db, ACTOR, "GM0001", "Testdorp", NULL,
	    NULL) == KTO_OK ? 0 : -1;
}

/*
** A file of ROWS rows; every 97th has a bad date and every 89th repeats
** the contact_id of the row before it.  tail: appended after the rows.
*/
static FILE *
make_csv(const char *tail)
{
	FILE *in = tmpfile();

	assert_non_null(in);
	fprintf(in, "contact_id;kanaal;datum;e-mail;naam\r\n");
	for (int i = 1; i <= ROWS; i++) {
		int id = i % 89 == 0 ? i - 1 : i;

		if (i % 97 == 0)
			fprintf(in, "C%d;balie;31-02-2026;p%d@example.nl;Piet\r\n", id, i);
		else
			fprintf(in, "C%d;%s;2026-11-%02d;p%d@example.nl;Piet\r\n", id,
			    i % 2 ? "telefoon" : "balie", 1 + i % 20, i);
	}
	fputs(tail, in);
	rewind(in);
	return in;
}

/* The rows make_csv() rejects, in order: spreadsheet row numbers. */
static int
expected_rejects(int64_t *rows)
{
	int n = 0;

	for (int i = 1; i <= ROWS; i++)
		if (i % 97 == 0 || (i % 89 == 0 && (i - 1) % 97 != 0))
			rows[n++] = i + 1;
	return n;
}

static void
import(struct kto_db *db, FILE *in, bool dry, struct kto_import_report *rep,
       enum kto_rc want)
{
	struct kto_import_options opt = { .dry_run = dry };

	assert_int_equal(kto_contacts_import(db, ACTOR, "GM0001", in, "test.csv",
	    &opt, rep), want);
}

/* Foreign keys are on again: a contact of no municipality is refused. */
static void
assert_keys_on(struct kto_db *db)
{
	assert_int_not_equal(kto_db_exec(db, "INSERT INTO contact (municipality_id, "
	    "external_id, channel, contact_at) VALUES (999, 'X', 'phone', "
	    "'2026-11-02T10:00:00')", ""), KTO_OK);
	assert_contains(kto_db_errmsg(db), "FOREIGN KEY");
}

/* HARDENING C7: batched transactions */
static void
test_many_batches_in_order(void **state)
{
	struct tu_fixture *f = *state;
	static struct kto_import_report rep;
	int64_t want[ROWS];
	int n_want = expected_rejects(want);
	FILE *in = make_csv("");

	import(f->db, in, false, &rep, KTO_OK);
	fclose(in);
	assert_int_equal(rep.rows, ROWS);
	assert_int_equal(rep.total.rejected, n_want);
	assert_int_equal(rep.total.added, ROWS - n_want);
	assert_int_equal(rep.n_rejects, n_want);
	for (int i = 0; i < n_want; i++)
		assert_int_equal(rep.rejects[i].row, want[i]);
	assert_contains(rep.rejects[0].reason, "appears again");   /* row 90 */
	assert_contains(rep.rejects[1].reason, "bad date");        /* row 98 */
	assert_int_equal(rep.channel[KTO_CHANNEL_COUNTER].added +
	    rep.channel[KTO_CHANNEL_PHONE].added, ROWS - n_want);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact"),
	    ROWS - n_want);
	/* Every stored row is the one the file gave for its id (C1067 came
	 * from row 1069: row 1068, with that id first, had a bad date). */
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "email <> 'p' || substr(external_id, 2) || '@example.nl'"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact WHERE "
	    "external_id = 'C1067' AND email = 'p1068@example.nl'"), 1);
	assert_keys_on(f->db);

	/* The same file again changes nothing. */
	in = make_csv("");
	import(f->db, in, false, &rep, KTO_OK);
	fclose(in);
	assert_int_equal(rep.total.unchanged, ROWS - n_want);
	assert_int_equal(rep.total.added, 0);
	assert_int_equal(rep.total.rejected, n_want);
}

static void
test_dry_run_stores_nothing(void **state)
{
	struct tu_fixture *f = *state;
	static struct kto_import_report rep;
	int64_t want[ROWS];
	FILE *in = make_csv("");

	import(f->db, in, true, &rep, KTO_OK);
	fclose(in);
	assert_int_equal(rep.rows, ROWS);
	assert_int_equal(rep.total.rejected, expected_rejects(want));
	assert_int_equal(rep.import_id, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact"), 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact_import"), 0);
	assert_keys_on(f->db);
}

/* HARDENING C4: all-or-nothing per batch */
static void
test_stop_half_way_keeps_the_rows_before(void **state)
{
	struct tu_fixture *f = *state;
	static struct kto_import_report rep;
	int64_t want[ROWS];
	int n_want = expected_rejects(want);
	/* Windows-1252 text after the rows: the file stops there. */
	FILE *in = make_csv("C999999;balie;2026-11-02;caf\xe9@example.nl;X\r\n"
	    "C1000000;balie;2026-11-02;a@example.nl;X\r\n");

	import(f->db, in, false, &rep, KTO_OK);
	fclose(in);
	assert_true(rep.stopped);
	assert_contains(rep.stop_reason, "line");
	assert_int_equal(rep.rows, ROWS);
	assert_int_equal(rep.committed_rows, ROWS);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact"),
	    ROWS - n_want);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact_import "
	    "WHERE status = 'failed'"), 1);
	assert_keys_on(f->db);
}

static void
test_unknown_municipality(void **state)
{
	struct tu_fixture *f = *state;
	static struct kto_import_report rep;
	struct kto_import_options opt = { 0 };
	FILE *in = make_csv("");

	assert_int_equal(kto_contacts_import(f->db, ACTOR, "GM9999", in, "x.csv",
	    &opt, &rep), KTO_ENOTFOUND);
	fclose(in);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM contact_import"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_batches_in_order, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_stores_nothing, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_stop_half_way_keeps_the_rows_before,
		    setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_municipality, setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
