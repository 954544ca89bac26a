/*
** engine/commit_group: jobs from many threads share commits; a failing job
** is undone alone; a job's outcome is known only once it is on disk.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/commit_group.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "tests/unit/testutil.h"

#define THREADS 8
#define JOBS_PER_THREAD 50

/* A job: inserts one circle (code), and fails afterwards when asked to. */
struct insert {
	char code[16];
	bool fail_after;
};

static enum kto_rc
insert_circle(struct kto_db *db, void *arg)
{
	struct insert *in = arg;
	enum kto_rc rc = kto_db_exec(db, "INSERT INTO circle (code, name) VALUES "
	    "(?, 'Test')", "t", in->code);

	if (rc == KTO_OK && in->fail_after)
		return kto_db_seterr(db, KTO_EINPUT, "job %s fails on purpose", in->code);
	return rc;
}

struct worker {
	struct kto_commit_group *g;
	int n;
	int failures;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < JOBS_PER_THREAD; i++) {
		struct insert in;
		struct kto_err err = KTO_ERR_INIT;

		snprintf(in.code, sizeof in.code, "K%d-%d", w->n, i);
		in.fail_after = i % 10 == 3;     /* a tenth of them fail */
		if (kto_commit_group_run(w->g, insert_circle, &in, &err) != KTO_OK) {
			w->failures++;
			if (strstr(kto_err_msg(&err), "on purpose") == NULL)
				w->failures += 1000;     /* not the failure it should be */
		}
	}
	return NULL;
}

static void
test_many_threads_share_commits(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_commit_group *g;
	struct kto_err err = KTO_ERR_INIT;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int failures = 0;

	assert_int_equal(kto_commit_group_start(f->path, NULL, &g, &err), KTO_OK);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .g = g, .n = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	/* Each failing job was undone alone; every other one is on disk. */
	assert_int_equal(failures, THREADS * JOBS_PER_THREAD / 10);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"),
	    THREADS * JOBS_PER_THREAD * 9 / 10);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle WHERE "
	    "CAST(substr(code, instr(code, '-') + 1) AS INTEGER) % 10 = 3"), 0);
	kto_commit_group_stop(g);
}

/* A job that breaks a constraint is refused with SQLite's reason. */
static void
test_constraint_failure_is_reported(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_commit_group *g;
	struct kto_err err = KTO_ERR_INIT;
	struct insert a = { "DUP", false }, b = { "DUP", false };

	assert_int_equal(kto_commit_group_start(f->path, NULL, &g, &err), KTO_OK);
	assert_int_equal(kto_commit_group_run(g, insert_circle, &a, &err), KTO_OK);
	assert_int_not_equal(kto_commit_group_run(g, insert_circle, &b, &err), KTO_OK);
	assert_contains(kto_err_msg(&err), "UNIQUE");
	kto_commit_group_stop(g);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"), 1);
}

struct submitted {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done, ok;
};

static void
on_done(void *ctx, enum kto_rc rc, const struct kto_err *err)
{
	struct submitted *s = ctx;

	(void)err;
	pthread_mutex_lock(&s->lock);
	s->done++;
	s->ok += rc == KTO_OK;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Submitted jobs call back once committed; stop runs what is queued. */
static void
test_submit_calls_back(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_commit_group *g;
	struct kto_err err = KTO_ERR_INIT;
	struct submitted s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	static struct insert in[20];

	assert_int_equal(kto_commit_group_start(f->path, NULL, &g, &err), KTO_OK);
	for (int i = 0; i < 20; i++) {
		snprintf(in[i].code, sizeof in[i].code, "S%d", i);
		in[i].fail_after = i == 7;
		assert_int_equal(kto_commit_group_submit(g, insert_circle, &in[i],
		    on_done, &s), KTO_OK);
	}
	kto_commit_group_stop(g);        /* runs the queue before it returns */
	assert_int_equal(s.done, 20);
	assert_int_equal(s.ok, 19);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"), 19);
}

/* A closed group refuses new work, with a reason, until it is freed. */
static void
test_closed_refuses(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_commit_group *g;
	struct kto_err err = KTO_ERR_INIT;
	struct submitted s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct insert in = { "LATE", false };

	assert_int_equal(kto_commit_group_start(f->path, NULL, &g, &err), KTO_OK);
	kto_commit_group_close(g);
	assert_int_equal(kto_commit_group_run(g, insert_circle, &in, &err), KTO_ESTATE);
	assert_contains(kto_err_msg(&err), "stopping");
	assert_int_equal(kto_commit_group_submit(g, insert_circle, &in, on_done, &s),
	    KTO_ESTATE);
	kto_commit_group_stop(g);
	assert_int_equal(s.done, 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM circle"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_threads_share_commits,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_constraint_failure_is_reported,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_submit_calls_back, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_closed_refuses, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
