/*
** engine/db: opening, refusing and configuring the database file,
** transactions, and the schema's own guards (triggers).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/audit.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "tests/unit/testutil.h"

#define KTO_APP_ID 0x4B544F31

/* A dummy non-NULL handle, to see that kto_db_open clears *out. */
static struct kto_db dummy_db;
#define not_null (&dummy_db)

static int
setup_dir(void **state)
{
	*state = tu_tempdir();
	return 0;
}

static int
teardown_dir(void **state)
{
	tu_rmtree(*state);
	return 0;
}

/* Creates a kto database at path and closes it. */
static void
make_kto_db(const char *path)
{
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_OK);
	kto_db_close(db);
}

/* Runs sql on a raw SQLite connection of our own, then closes it. */
static void
raw_sql(const char *path, const char *sql)
{
	sqlite3 *s = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open_v2(path, &s,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK) {
		print_error("%s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(s);
		fail();
	}
	assert_int_equal(sqlite3_close(s), SQLITE_OK);
}

/*
** Opens path (with KTO_DB_CREATE, as the CLI does) and expects a refusal
** with want and a message containing `says`, leaving the file byte for
** byte as it was and no journal or WAL file behind.
*/
static void
expect_refused(const char *dir, const char *path, enum kto_rc want,
               const char *says)
{
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;
	unsigned char *before, *after;
	size_t nbefore, nafter;
	int entries = tu_count_entries(dir);

	before = tu_read_file(path, &nbefore);
	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), want);
	assert_null(db);
	assert_int_equal(err.rc, want);
	assert_contains(kto_err_msg(&err), path);
	assert_contains(kto_err_msg(&err), says);
	/* Once more without KTO_DB_CREATE: the same answer. */
	db = not_null;
	assert_int_equal(kto_db_open(path, 0, &db, NULL), want);
	assert_null(db);

	after = tu_read_file(path, &nafter);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore);
	assert_int_equal(tu_count_entries(dir), entries);
	free(before);
	free(after);
}

static void
test_open_creates(void **state)
{
	char *path = tu_path(*state, "new.db");
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	assert_false(tu_exists(path));
	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_OK);
	assert_non_null(db);
	assert_ptr_not_equal(db, not_null);
	assert_true(tu_exists(path));
	assert_true(kto_db_latest_schema_version() >= 1);
	assert_int_equal(kto_db_schema_version(db), kto_db_latest_schema_version());
	assert_int_equal(tu_query_int(db, "PRAGMA application_id"), KTO_APP_ID);
	assert_int_equal(tu_query_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('circle', 'municipality', "
	    "'audit_log', 'survey_def_version')"), 4);
	kto_db_close(db);
	kto_db_close(NULL);     /* allowed */
	free(path);
}

static void
test_reopen(void **state)
{
	char *path = tu_path(*state, "kto.db");
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_OK);
	assert_int_equal(kto_db_exec(db, "INSERT INTO circle (code, name) "
	    "VALUES ('k1', 'Kring 1')", ""), KTO_OK);
	kto_db_close(db);

	/* Without KTO_DB_CREATE, and again with it: the same data. */
	db = NULL;
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_OK);
	assert_int_equal(kto_db_schema_version(db), kto_db_latest_schema_version());
	assert_int_equal(tu_query_int(db, "SELECT count(*) FROM circle"), 1);
	kto_db_close(db);
	db = NULL;
	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_OK);
	assert_int_equal(tu_query_int(db, "SELECT count(*) FROM circle "
	    "WHERE code = 'k1' AND name = 'Kring 1'"), 1);
	assert_int_equal(kto_db_integrity_check(db), KTO_OK);
	kto_db_close(db);
	free(path);
}

static void
test_two_connections(void **state)
{
	char *path = tu_path(*state, "kto.db");
	struct kto_db *a = NULL, *b = NULL;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &a, &err), KTO_OK);
	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &b, &err), KTO_OK);
	assert_int_equal(kto_db_exec(a, "INSERT INTO circle (code, name) "
	    "VALUES ('k1', 'Kring 1')", ""), KTO_OK);
	assert_int_equal(tu_query_int(b, "SELECT count(*) FROM circle"), 1);
	kto_db_close(a);
	kto_db_close(b);
	free(path);
}

static void
test_pragmas(void **state)
{
	struct tu_fixture *f = *state;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(f->db->sqlite, "PRAGMA journal_mode",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(tu_query_int(f->db, "PRAGMA foreign_keys"), 1);
	/* HARDENING B4: an acknowledged write survives a power cut. */
	assert_int_equal(tu_query_int(f->db, "PRAGMA synchronous"), 2);  /* FULL */
	assert_int_equal(tu_query_int(f->db, "PRAGMA secure_delete"), 1);
	assert_true(tu_query_int(f->db, "PRAGMA busy_timeout") > 0);
}

/*
** $KTO_DB_BUSY_TIMEOUT_MS and $KTO_DB_MAX_PAGES reach the connection; a
** write past the cap is KTO_EFULL and says so; a bad value is refused with
** the variable's name (HARDENING B1, B2).
*/
static void
test_env_limits(void **state)
{
	char *path = tu_path(*state, "limits.db");
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;
	int64_t pages;
	char cap[32];

	make_kto_db(path);
	setenv("KTO_DB_BUSY_TIMEOUT_MS", "1234", 1);
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_OK);
	assert_int_equal(tu_query_int(db, "PRAGMA busy_timeout"), 1234);
	pages = tu_query_int(db, "PRAGMA page_count");
	kto_db_close(db);

	snprintf(cap, sizeof cap, "%lld", (long long)pages + 2);
	setenv("KTO_DB_MAX_PAGES", cap, 1);
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_OK);
	assert_int_equal(tu_query_int(db, "PRAGMA max_page_count"), pages + 2);
	assert_int_equal(kto_db_exec(db, "CREATE TABLE filler (x BLOB)", ""), KTO_OK);
	assert_int_equal(kto_db_exec(db, "INSERT INTO filler VALUES (zeroblob(100000))",
	    ""), KTO_EFULL);
	assert_contains(kto_db_errmsg(db), "full");
	kto_db_close(db);

	setenv("KTO_DB_MAX_PAGES", "lots", 1);
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_EINPUT);
	assert_contains(err.msg, "$KTO_DB_MAX_PAGES");
	unsetenv("KTO_DB_MAX_PAGES");
	setenv("KTO_DB_BUSY_TIMEOUT_MS", "-1", 1);
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_EINPUT);
	assert_contains(err.msg, "$KTO_DB_BUSY_TIMEOUT_MS");
	assert_null(db);
	unsetenv("KTO_DB_BUSY_TIMEOUT_MS");
	free(path);
}

static void
test_foreign_keys_enforced(void **state)
{
	struct tu_fixture *f = *state;

	assert_int_not_equal(kto_db_exec(f->db, "INSERT INTO municipality "
	    "(code, name, circle_id) VALUES ('GM1', 'X', 999)", ""), KTO_OK);
	assert_contains(kto_db_errmsg(f->db), "FOREIGN KEY");
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM municipality"), 0);
}

static void
test_refuse_random_bytes(void **state)
{
	char *path = tu_path(*state, "random.bin");
	unsigned char data[8192];
	uint32_t x = 2463534242u;       /* xorshift32: the same bytes every run */

	for (size_t i = 0; i < sizeof data; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)(x >> 24);
	}
	assert_memory_not_equal(data, "SQLite format 3", 16);
	tu_write_file(path, data, sizeof data);
	expect_refused(*state, path, KTO_ESCHEMA, "not a kto database");
	free(path);
}

static void
test_refuse_text_file(void **state)
{
	char *path = tu_path(*state, "notes.txt");
	const char text[] = "code,name\nGM0375,Beverwijk\n";

	tu_write_file(path, text, sizeof text - 1);
	expect_refused(*state, path, KTO_ESCHEMA, "not a kto database");
	free(path);
}

static void
test_refuse_foreign_sqlite(void **state)
{
	char *path = tu_path(*state, "other.sqlite");

	raw_sql(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
	expect_refused(*state, path, KTO_ESCHEMA, "another program");
	free(path);
}

static void
test_refuse_foreign_empty_with_app_id(void **state)
{
	char *path = tu_path(*state, "other-empty.sqlite");

	/* No tables, but marked as some other program's database. */
	raw_sql(path, "PRAGMA application_id = 1234;");
	expect_refused(*state, path, KTO_ESCHEMA, "another program");
	free(path);
}

static void
test_refuse_newer_schema(void **state)
{
	char *path = tu_path(*state, "newer.db");
	char sql[128];

	make_kto_db(path);
	/* journal_mode=DELETE checkpoints the WAL into the main file first. */
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = DELETE; "
	    "PRAGMA user_version = %d;", kto_db_latest_schema_version() + 1);
	raw_sql(path, sql);
	assert_int_equal(tu_count_entries(*state), 1);     /* no -wal left */
	expect_refused(*state, path, KTO_ESCHEMA, "newer");
	free(path);
}

/* The migrations, as engine/db.c applies them. */
extern const char *const kto_migrations[];

/*
** A database at schema version 1, as kto wrote it before migration 2,
** holding the rows of `rows_sql`.
*/
static void
make_v1_db(const char *path, const char *rows_sql)
{
	char sql[160];

	raw_sql(path, "PRAGMA journal_mode = WAL;");
	raw_sql(path, kto_migrations[0]);
	snprintf(sql, sizeof sql, "PRAGMA user_version = 1; "
	    "PRAGMA application_id = %d;", KTO_APP_ID);
	raw_sql(path, sql);
	raw_sql(path, rows_sql);
}

static void
test_upgrade_keeps_rows(void **state)
{
	char *path = tu_path(*state, "v1.db");
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;

	make_v1_db(path, "INSERT INTO municipality (id, code, name) VALUES "
	    "(1, 'GM0363', 'Amsterdam');"
	    "INSERT INTO contact (id, municipality_id, external_id, channel, "
	    "contact_at, email) VALUES (7, 1, 'C1', 'phone', "
	    "'2026-11-02T10:00:00', 'a@example.nl');");
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_OK);
	assert_int_equal(kto_db_schema_version(db), kto_db_latest_schema_version());
	assert_int_equal(tu_query_int(db, "SELECT count(*) FROM contact WHERE "
	    "id = 7 AND external_id = 'C1' AND channel = 'phone' AND "
	    "email = 'a@example.nl'"), 1);
	/* The rebuilt table still refuses what the old one refused... */
	assert_int_not_equal(kto_db_exec(db, "INSERT INTO contact (municipality_id, "
	    "external_id, channel, contact_at) VALUES (1, 'C2', 'fax', "
	    "'2026-11-02T10:00:00')", ""), KTO_OK);
	assert_contains(kto_db_errmsg(db), "CHECK");
	assert_int_not_equal(kto_db_exec(db, "INSERT INTO contact (municipality_id, "
	    "external_id, channel, contact_at) VALUES (1, 'C1', 'email', "
	    "'2026-11-02T10:00:00')", ""), KTO_OK);
	assert_contains(kto_db_errmsg(db), "UNIQUE");
	/* ...and foreign keys are on again after the upgrade. */
	assert_int_not_equal(kto_db_exec(db, "INSERT INTO contact (municipality_id, "
	    "external_id, channel, contact_at) VALUES (99, 'C3', 'email', "
	    "'2026-11-02T10:00:00')", ""), KTO_OK);
	assert_contains(kto_db_errmsg(db), "FOREIGN KEY");
	kto_db_close(db);
	free(path);
}

static void
test_upgrade_refuses_broken_keys(void **state)
{
	char *path = tu_path(*state, "broken.db");
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	/* A contact of a municipality that is not there (written with the
	 * keys off): the upgrade must not bless it. */
	make_v1_db(path, "INSERT INTO contact (municipality_id, external_id, "
	    "channel, contact_at) VALUES (42, 'C1', 'phone', "
	    "'2026-11-02T10:00:00');");
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_EINTERNAL);
	assert_null(db);
	assert_contains(kto_err_msg(&err), "table contact");
	assert_contains(kto_err_msg(&err), "municipality");
	/* Nothing changed: the same answer again. */
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_EINTERNAL);
	assert_null(db);
	free(path);
}

static void
test_empty_file_is_initialised(void **state)
{
	char *path = tu_path(*state, "empty.db");
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;

	/* A zero-byte file is an empty SQLite database: kto may take it. */
	tu_write_file(path, "", 0);
	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_OK);
	assert_int_equal(kto_db_schema_version(db), kto_db_latest_schema_version());
	kto_db_close(db);
	free(path);
}

static void
test_missing_without_create(void **state)
{
	char *path = tu_path(*state, "missing.db");
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(path, 0, &db, &err), KTO_ENOTFOUND);
	assert_null(db);
	assert_int_equal(err.rc, KTO_ENOTFOUND);
	assert_contains(kto_err_msg(&err), path);
	assert_false(tu_exists(path));
	assert_int_equal(tu_count_entries(*state), 0);
	free(path);
}

static void
test_nonexistent_directory(void **state)
{
	char *sub = tu_path(*state, "no-such-dir");
	char *path = tu_path(sub, "kto.db");
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_EIO);
	assert_null(db);
	assert_int_equal(err.rc, KTO_EIO);
	assert_contains(kto_err_msg(&err), path);
	assert_false(tu_exists(sub));
	free(path);
	free(sub);
}

static void
test_readonly_directory(void **state)
{
	char *sub = tu_path(*state, "ro");
	char *path = tu_path(sub, "kto.db");
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	if (geteuid() == 0) {
		/* root writes into read-only directories anyway. */
		free(path);
		free(sub);
		skip();
	}
	assert_int_equal(mkdir(sub, 0500), 0);
	assert_int_equal(kto_db_open(path, KTO_DB_CREATE, &db, &err), KTO_EIO);
	assert_null(db);
	assert_contains(kto_err_msg(&err), path);
	assert_false(tu_exists(path));
	chmod(sub, 0700);
	free(path);
	free(sub);
}

static void
test_directory_path(void **state)
{
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	assert_int_equal(kto_db_open(*state, KTO_DB_CREATE, &db, &err), KTO_EINPUT);
	assert_null(db);
	assert_contains(kto_err_msg(&err), (const char *)*state);
	assert_contains(kto_err_msg(&err), "not a regular file");
	db = not_null;
	assert_int_equal(kto_db_open(*state, 0, &db, &err), KTO_EINPUT);
	assert_null(db);
	assert_int_equal(tu_count_entries(*state), 0);
}

static void
test_no_path(void **state)
{
	struct kto_db *db = not_null;
	struct kto_err err = KTO_ERR_INIT;

	(void)state;
	assert_int_equal(kto_db_open("", KTO_DB_CREATE, &db, &err), KTO_EINPUT);
	assert_null(db);
	assert_contains(kto_err_msg(&err), "KTO_DB");
	db = not_null;
	assert_int_equal(kto_db_open(NULL, KTO_DB_CREATE, &db, &err), KTO_EINPUT);
	assert_null(db);
}

/* Transaction bodies. */
static enum kto_rc
txn_insert(struct kto_db *db, void *arg)
{
	return kto_db_exec(db, "INSERT INTO circle (code, name) VALUES (?, 'N')",
	    "t", (const char *)arg);
}

static enum kto_rc
txn_insert_then_fail(struct kto_db *db, void *arg)
{
	enum kto_rc rc = txn_insert(db, arg);

	if (rc != KTO_OK)
		return rc;
	return kto_db_seterr(db, KTO_ESTATE, "refused by the test after "
	    "inserting %s", (const char *)arg);
}

static enum kto_rc
txn_two_inserts_second_duplicate(struct kto_db *db, void *arg)
{
	enum kto_rc rc = txn_insert(db, arg);

	if (rc != KTO_OK)
		return rc;
	return txn_insert(db, arg);
}

struct nested {
	enum kto_rc inner_rc;
	char inner_msg[KTO_ERR_MAX];
};

static enum kto_rc
txn_nested(struct kto_db *db, void *arg)
{
	struct nested *n = arg;
	enum kto_rc rc = txn_insert(db, (void *)(uintptr_t)"outer");

	if (rc != KTO_OK)
		return rc;
	n->inner_rc = kto_db_transaction(db, txn_insert, (void *)(uintptr_t)"inner");
	snprintf(n->inner_msg, sizeof n->inner_msg, "%s", kto_db_errmsg(db));
	return KTO_OK;
}

static void
test_transaction_commits(void **state)
{
	struct tu_fixture *f = *state;

	assert_int_equal(kto_db_transaction(f->db, txn_insert,
	    (void *)(uintptr_t)"t1"), KTO_OK);
	assert_int_equal(tu_query_int(f->db,
	    "SELECT count(*) FROM circle WHERE code = 't1'"), 1);
	assert_int_not_equal(sqlite3_get_autocommit(f->db->sqlite), 0);

	/* Committed for real: another connection sees it. */
	{
		struct kto_db *other = NULL;
		struct kto_err err = KTO_ERR_INIT;

		assert_int_equal(kto_db_open(f->path, 0, &other, &err), KTO_OK);
		assert_int_equal(tu_query_int(other,
		    "SELECT count(*) FROM circle WHERE code = 't1'"), 1);
		kto_db_close(other);
	}
}

static void
test_transaction_rolls_back(void **state)
{
	struct tu_fixture *f = *state;

	assert_int_equal(kto_db_transaction(f->db, txn_insert_then_fail,
	    (void *)(uintptr_t)"t2"), KTO_ESTATE);
	/* The insert is gone, the message is fn's, and no transaction is open. */
	assert_int_equal(tu_query_int(f->db,
	    "SELECT count(*) FROM circle WHERE code = 't2'"), 0);
	assert_int_equal(kto_db_err(f->db)->rc, KTO_ESTATE);
	assert_string_equal(kto_db_errmsg(f->db),
	    "refused by the test after inserting t2");
	assert_int_not_equal(sqlite3_get_autocommit(f->db->sqlite), 0);

	/* The connection is usable afterwards. */
	assert_int_equal(kto_db_transaction(f->db, txn_insert,
	    (void *)(uintptr_t)"t3"), KTO_OK);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"), 1);
}

static void
test_transaction_rolls_back_sql_error(void **state)
{
	struct tu_fixture *f = *state;

	/* The second insert violates UNIQUE: the first must go too. */
	assert_int_equal(kto_db_transaction(f->db,
	    txn_two_inserts_second_duplicate, (void *)(uintptr_t)"dup"), KTO_EDB);
	assert_contains(kto_db_errmsg(f->db), "UNIQUE");
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"), 0);
	assert_int_not_equal(sqlite3_get_autocommit(f->db->sqlite), 0);
}

static void
test_transaction_nested(void **state)
{
	struct tu_fixture *f = *state;
	struct nested n = { KTO_OK, "" };

	assert_int_equal(kto_db_transaction(f->db, txn_nested, &n), KTO_OK);
	assert_int_equal(n.inner_rc, KTO_EINTERNAL);
	assert_contains(n.inner_msg, "nested");
	/* The inner body never ran; the outer one committed. */
	assert_int_equal(tu_query_int(f->db,
	    "SELECT count(*) FROM circle WHERE code = 'inner'"), 0);
	assert_int_equal(tu_query_int(f->db,
	    "SELECT count(*) FROM circle WHERE code = 'outer'"), 1);
	/* And the flag was reset: a new transaction works. */
	assert_int_equal(kto_db_transaction(f->db, txn_insert,
	    (void *)(uintptr_t)"after"), KTO_OK);
}

static void
test_integrity_check(void **state)
{
	struct tu_fixture *f = *state;

	assert_int_equal(kto_db_integrity_check(f->db), KTO_OK);
}

static void
test_survey_def_version_immutable(void **state)
{
	static const char *const updates[] = {
		"UPDATE survey_def_version SET source = '{\"changed\": 1}'",
		"UPDATE survey_def_version SET hash = 'beef'",
		"UPDATE survey_def_version SET version = 2",
		"UPDATE survey_def_version SET def_id = 2",
	};
	struct tu_fixture *f = *state;

	assert_int_equal(kto_db_exec(f->db, "INSERT INTO survey_def (id, name, "
	    "channel) VALUES (1, 'balie', 'counter'), (2, 'mail', 'email')", ""),
	    KTO_OK);
	assert_int_equal(kto_db_exec(f->db, "INSERT INTO survey_def_version "
	    "(def_id, version, hash, source) VALUES (1, 1, 'abc', '{}')", ""),
	    KTO_OK);
	for (size_t i = 0; i < sizeof updates / sizeof updates[0]; i++) {
		assert_int_not_equal(kto_db_exec(f->db, updates[i], ""), KTO_OK);
		assert_contains(kto_db_errmsg(f->db), "immutable");
	}
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM "
	    "survey_def_version WHERE def_id = 1 AND version = 1 AND "
	    "hash = 'abc' AND source = '{}'"), 1);
}

static void
test_audit_log_append_only(void **state)
{
	struct tu_fixture *f = *state;

	assert_int_equal(kto_audit(f->db, "cli:test", "test.action", 0, "subj",
	    "detail"), KTO_OK);
	assert_int_not_equal(kto_db_exec(f->db, "UPDATE audit_log SET detail = "
	    "'rewritten'", ""), KTO_OK);
	assert_contains(kto_db_errmsg(f->db), "append-only");
	assert_int_not_equal(kto_db_exec(f->db, "UPDATE audit_log SET actor = "
	    "'someone else'", ""), KTO_OK);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE actor = 'cli:test' AND action = 'test.action' AND "
	    "subject = 'subj' AND detail = 'detail' AND municipality_id IS NULL"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_reopen, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_two_connections, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_pragmas, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys_enforced, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_refuse_random_bytes, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_refuse_text_file, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_refuse_foreign_sqlite, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_refuse_foreign_empty_with_app_id,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_refuse_newer_schema, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_upgrade_keeps_rows, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_upgrade_refuses_broken_keys,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_empty_file_is_initialised, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_missing_without_create, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_nonexistent_directory, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_readonly_directory, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_directory_path, setup_dir,
		    teardown_dir),
		cmocka_unit_test(test_no_path),
		cmocka_unit_test_setup_teardown(test_env_limits, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_transaction_commits, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rolls_back, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rolls_back_sql_error,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_nested, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_integrity_check, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_survey_def_version_immutable,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_log_append_only, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
