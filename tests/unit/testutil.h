/*
** Helpers shared by the unit tests: temporary directories that clean up
** after themselves, whole-file reads and writes, a fresh kto database per
** test, and a floating-point assertion that prints both values.
**
** Include after <cmocka.h> and the headers it needs.
*/
#ifndef KTO_TESTS_TESTUTIL_H
#define KTO_TESTS_TESTUTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

struct kto_db;

/*
** Fails the test unless |a - b| <= tol; NaN never passes.  A macro so that
** cmocka reports the line of the call.
*/
#define assert_close(a, b, tol) do {                                      \
	double tu_a_ = (a), tu_b_ = (b);                                  \
	if (!(fabs(tu_a_ - tu_b_) <= (tol))) {                            \
		print_error("%.17g is not within %g of %.17g\n", tu_a_,   \
		    (double)(tol), tu_b_);                                \
		fail();                                                   \
	}                                                                 \
} while (0)

#define assert_nan(a) do {                                                \
	double tu_v_ = (a);                                               \
	if (!isnan(tu_v_)) {                                              \
		print_error("%.17g is not NaN\n", tu_v_);                 \
		fail();                                                   \
	}                                                                 \
} while (0)

/* Fails the test unless needle occurs in haystack. */
#define assert_contains(haystack, needle) \
	tu_assert_contains((haystack), (needle), __FILE__, __LINE__)
void tu_assert_contains(const char *haystack, const char *needle,
                        const char *file, int line);

/* A new empty directory under $TMPDIR (or /tmp); free with tu_rmtree(). */
char *tu_tempdir(void);

/* Removes dir and everything below it, then frees the string. */
void tu_rmtree(char *dir);

/* "dir/name" in memory the caller frees. */
char *tu_path(const char *dir, const char *name);

/* Whole-file I/O; the tests fail on any error.  *len may be NULL. */
unsigned char *tu_read_file(const char *path, size_t *len);
void tu_write_file(const char *path, const void *data, size_t len);

/* True when path exists (as anything). */
int tu_exists(const char *path);

/* Number of entries in dir, not counting "." and "..". */
int tu_count_entries(const char *dir);

/* The single integer result of sql run on db's connection. */
int64_t tu_query_int(struct kto_db *db, const char *sql);

/* Runs sql on db's connection; returns SQLite's result code. */
int tu_sql(struct kto_db *db, const char *sql);

/*
** A fresh kto database in its own temporary directory, for cmocka's
** per-test setup and teardown: *state points to a struct tu_fixture.
*/
struct tu_fixture {
	char *dir;
	char *path;
	struct kto_db *db;
};
/*
** Into db: municipality GM0001, the definition def (a counter survey),
** two counter contacts and a sampled wave that invites both, with the
** clock at 2026-11-20 12:00; their tokens into tokens.
*/
void tu_two_invitations(struct kto_db *db, const char *def, char tokens[2][32]);

int tu_db_setup(void **state);
int tu_db_teardown(void **state);

#endif
