/*
** engine/commit_group: one writer thread, transactions shared by the
** requests that queue while the previous commit reaches the disk.
*/
#include "engine/commit_group.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/db_int.h"

/* The most requests in one transaction: bounds the work one fsync waits for. */
#define GROUP_MAX 256

struct job {
	enum kto_rc (*fn)(struct kto_db *db, void *arg);
	void *arg;
	enum kto_rc rc;
	struct kto_err err;
	bool done;
	/* Submitted without waiting: called after the commit, then freed. */
	void (*on_done)(void *ctx, enum kto_rc rc, const struct kto_err *err);
	void *ctx;
	struct job *next;
};

struct kto_commit_group {
	struct kto_db *db;
	pthread_t writer;
	pthread_mutex_t lock;
	pthread_cond_t queued;       /* a job is waiting, or stop */
	pthread_cond_t committed;    /* a group is done */
	struct job *head, *tail;
	bool stop;
};

/* Runs one job in a savepoint of the open transaction. */
static void
run_job(struct kto_db *db, struct job *j)
{
	j->rc = kto_db_exec(db, "SAVEPOINT job", "");
	if (j->rc == KTO_OK) {
		db->in_transaction = true;
		j->rc = j->fn(db, j->arg);
	}
	if (j->rc != KTO_OK) {
		j->err = db->err;
		/* Undo this job alone; the transaction goes on for the others. */
		if (!sqlite3_get_autocommit(db->sqlite))
			sqlite3_exec(db->sqlite, "ROLLBACK TO job", NULL, NULL, NULL);
	}
	if (!sqlite3_get_autocommit(db->sqlite))
		sqlite3_exec(db->sqlite, "RELEASE job", NULL, NULL, NULL);
}

/*
** Runs a group of jobs in one transaction and commits it.  If the
** transaction is lost (SQLite rolls it back on a full disk or an I/O
** error), every job of the group fails with that error: none is
** acknowledged that is not on disk.
*/
static void
run_group(struct kto_db *db, struct job *first)
{
	enum kto_rc rc = kto_db_exec(db, "BEGIN IMMEDIATE", "");
	struct kto_err err = db->err;

	for (struct job *j = first; j != NULL; j = j->next) {
		if (rc != KTO_OK) {
			j->rc = rc;
			j->err = err;
			continue;
		}
		run_job(db, j);
		if (sqlite3_get_autocommit(db->sqlite)) {
			/* A full disk stays a full disk: a temporary failure. */
			rc = kto_db_seterr(db, j->rc != KTO_OK ? j->rc : KTO_EDB,
			    "the transaction was lost: %s", kto_db_errmsg(db));
			err = db->err;
		}
	}
	db->in_transaction = false;
	if (rc == KTO_OK) {
		rc = kto_db_exec(db, "COMMIT", "");
		err = db->err;
	}
	if (rc != KTO_OK && !sqlite3_get_autocommit(db->sqlite))
		sqlite3_exec(db->sqlite, "ROLLBACK", NULL, NULL, NULL);
	if (rc != KTO_OK)
		for (struct job *j = first; j != NULL; j = j->next)
			if (j->rc == KTO_OK) {
				j->rc = rc;
				j->err = err;
			}
}

static void *
writer_main(void *arg)
{
	struct kto_commit_group *g = arg;

	for (;;) {
		struct job *first, *last;
		int n = 1;

		pthread_mutex_lock(&g->lock);
		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->queued, &g->lock);
		if (g->head == NULL) {
			pthread_mutex_unlock(&g->lock);
			return NULL;
		}
		/* Everything queued, up to GROUP_MAX, goes into this commit. */
		first = last = g->head;
		while (last->next != NULL && n < GROUP_MAX) {
			last = last->next;
			n++;
		}
		g->head = last->next;
		if (g->head == NULL)
			g->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&g->lock);

		run_group(g->db, first);

		/*
		** Under the lock, a waiter's job (on its stack) is marked done and
		** the submitted ones are set apart: once the lock is released a
		** waiter may return and its job be gone.
		*/
		struct job *submitted = NULL;

		pthread_mutex_lock(&g->lock);
		for (struct job *j = first, *next; j != NULL; j = next) {
			next = j->next;
			if (j->on_done != NULL) {
				j->next = submitted;
				submitted = j;
			} else {
				j->done = true;
			}
		}
		pthread_cond_broadcast(&g->committed);
		pthread_mutex_unlock(&g->lock);
		for (struct job *j = submitted, *next; j != NULL; j = next) {
			next = j->next;
			j->on_done(j->ctx, j->rc, &j->err);
			free(j);
		}
	}
}

enum kto_rc
kto_commit_group_start(const char *db_path, const struct kto_datetime *now,
                       struct kto_commit_group **out, struct kto_err *err)
{
	struct kto_commit_group *g = calloc(1, sizeof *g);
	enum kto_rc rc;

	*out = NULL;
	if (g == NULL)
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	if ((rc = kto_db_open(db_path, 0, &g->db, err)) != KTO_OK) {
		free(g);
		return rc;
	}
	if (now != NULL)
		kto_db_set_now(g->db, now);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->queued, NULL);
	pthread_cond_init(&g->committed, NULL);
	if (pthread_create(&g->writer, NULL, writer_main, g) != 0) {
		kto_db_close(g->db);
		pthread_mutex_destroy(&g->lock);
		pthread_cond_destroy(&g->queued);
		pthread_cond_destroy(&g->committed);
		free(g);
		return kto_err_set(err, KTO_ENOMEM, "cannot start the writer thread");
	}
	*out = g;
	return KTO_OK;
}

void
kto_commit_group_close(struct kto_commit_group *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (g->stop) {
		pthread_mutex_unlock(&g->lock);
		return;
	}
	g->stop = true;
	pthread_cond_signal(&g->queued);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->writer, NULL);
}

void
kto_commit_group_stop(struct kto_commit_group *g)
{
	if (g == NULL)
		return;
	kto_commit_group_close(g);
	kto_db_close(g->db);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->queued);
	pthread_cond_destroy(&g->committed);
	free(g);
}

static void
enqueue(struct kto_commit_group *g, struct job *j)
{
	if (g->tail != NULL)
		g->tail->next = j;
	else
		g->head = j;
	g->tail = j;
	pthread_cond_signal(&g->queued);
}

enum kto_rc
kto_commit_group_submit(struct kto_commit_group *g,
                        enum kto_rc (*fn)(struct kto_db *db, void *arg), void *arg,
                        void (*done)(void *ctx, enum kto_rc rc,
                                     const struct kto_err *err),
                        void *ctx)
{
	struct job *j = calloc(1, sizeof *j);

	if (j == NULL)
		return KTO_ENOMEM;
	j->fn = fn;
	j->arg = arg;
	j->err = (struct kto_err)KTO_ERR_INIT;
	j->on_done = done;
	j->ctx = ctx;
	pthread_mutex_lock(&g->lock);
	if (g->stop) {
		pthread_mutex_unlock(&g->lock);
		free(j);
		return KTO_ESTATE;
	}
	enqueue(g, j);
	pthread_mutex_unlock(&g->lock);
	return KTO_OK;
}

enum kto_rc
kto_commit_group_run(struct kto_commit_group *g,
                     enum kto_rc (*fn)(struct kto_db *db, void *arg), void *arg,
                     struct kto_err *err)
{
	struct job j = { .fn = fn, .arg = arg, .err = KTO_ERR_INIT };

	pthread_mutex_lock(&g->lock);
	if (g->stop) {
		pthread_mutex_unlock(&g->lock);
		return kto_err_set(err, KTO_ESTATE, "the server is stopping; "
		    "nothing was saved");
	}
	enqueue(g, &j);
	while (!j.done)
		pthread_cond_wait(&g->committed, &g->lock);
	pthread_mutex_unlock(&g->lock);
	if (err != NULL)
		*err = j.err;
	return j.rc;
}
