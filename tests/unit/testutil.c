#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/diag.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/sampling.h"
#include "engine/wave.h"
#include "tests/unit/testutil.h"

void
tu_assert_contains(const char *haystack, const char *needle, const char *file,
                   int line)
{
	if (haystack == NULL || needle == NULL || strstr(haystack, needle) == NULL) {
		print_error("'%s' does not contain '%s'\n",
		    haystack ? haystack : "(null)", needle ? needle : "(null)");
		_fail(file, line);
	}
}

char *
tu_tempdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;
	size_t n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = strlen(tmp) + sizeof "/kto-unit-XXXXXX";
	dir = malloc(n);
	assert_non_null(dir);
	snprintf(dir, n, "%s/kto-unit-XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void
rmtree(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	/* A test may have left the directory read-only. */
	chmod(path, 0700);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *sub;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			sub = tu_path(path, e->d_name);
			rmtree(sub);
			free(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

void
tu_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	rmtree(dir);
	free(dir);
}

char *
tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

unsigned char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t n = 0, cap = 0, got;

	assert_non_null(f);
	do {
		if (cap - n < 4096) {
			unsigned char *p = realloc(data, cap + 65536);

			assert_non_null(p);
			data = p;
			cap += 65536;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	if (len != NULL)
		*len = n;
	return data;
}

void
tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

int
tu_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

int
tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

int64_t
tu_query_int(struct kto_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db->sqlite, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
tu_sql(struct kto_db *db, const char *sql)
{
	return sqlite3_exec(db->sqlite, sql, NULL, NULL, NULL);
}

int
tu_db_setup(void **state)
{
	struct tu_fixture *f = calloc(1, sizeof *f);
	struct kto_err err = KTO_ERR_INIT;

	if (f == NULL)
		return -1;
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "kto.db");
	if (kto_db_open(f->path, KTO_DB_CREATE, &f->db, &err) != KTO_OK) {
		print_error("cannot open %s: %s\n", f->path, kto_err_msg(&err));
		tu_rmtree(f->dir);
		free(f->path);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int
tu_db_teardown(void **state)
{
	struct tu_fixture *f = *state;

	if (f == NULL)
		return 0;
	kto_db_close(f->db);
	tu_rmtree(f->dir);
	free(f->path);
	free(f);
	*state = NULL;
	return 0;
}

void
tu_two_invitations(struct kto_db *db, const char *def, char tokens[2][32])
{
	struct kto_datetime now;
	struct kto_def_version v;
	struct kto_diags d;
	struct kto_wave_spec s;
	bool created;
	int64_t id;
	sqlite3_stmt *st;

	assert_true(kto_datetime_parse("2026-11-20T12:00:00", &now));
	kto_db_set_now(db, &now);
	assert_int_equal(kto_municipality_add(db, "cli:unit-test", "GM0001", "Testdorp", NULL,
	    NULL), KTO_OK);
	kto_diags_init(&d);
	assert_int_equal(kto_def_load(db, "cli:unit-test", "t.kto", def, strlen(def), &v,
	    &created, &d), KTO_OK);
	kto_diags_release(&d);
	for (int i = 0; i < 2; i++) {
		struct kto_contact_input in = { .channel = "counter",
		    .contact_at = "2026-11-19" };
		enum kto_contact_outcome o;
		char cid[8], email[32], reason[200];

		snprintf(cid, sizeof cid, "c%d", i);
		snprintf(email, sizeof email, "p%d@example.org", i);
		in.contact_id = cid;
		in.email = email;
		assert_int_equal(kto_contact_put(db, "GM0001", &in, &o, reason,
		    sizeof reason), KTO_OK);
	}
	kto_wave_spec_init(&s);
	s.municipality = "GM0001";
	s.from = "2026-11-01";
	s.to = "2026-11-20";
	s.channel[KTO_CHANNEL_COUNTER] = true;
	s.has_seed = true;
	s.seed = 1;
	assert_int_equal(kto_wave_create(db, "cli:unit-test", &s, &id), KTO_OK);
	assert_int_equal(kto_wave_sample(db, "cli:unit-test", id, NULL), KTO_OK);
	assert_int_equal(sqlite3_prepare_v2(db->sqlite, "SELECT mail_token FROM "
	    "invitation ORDER BY id", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(tokens[i], 32, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
}
