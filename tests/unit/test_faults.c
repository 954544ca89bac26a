/*
** Fault injection in SQLite's style (HARDENING.md, testing habit 4): the
** Nth allocation fails, or the Nth write, sync or truncate of a database
** file, for n = 1, 2, ... until the operation gets through untouched.
** After every failure:
**
**   - kto returned a clean error (a status with a message, no crash);
**   - the database, opened again on the plain unix VFS, passes
**     integrity_check;
**   - what was acknowledged before is still there;
**   - the failed operation is there completely or not at all (a failed
**     sync may leave a commit that did reach the log: "there" is allowed);
**   - nothing leaked: SQLite's outstanding allocations are back where they
**     were, and under ASan LeakSanitizer finds nothing.
**
** The operations are the two that take people's data in: a citizen's
** submission (the engine calls the web makes, directly and through the
** commit group's writer thread) and a contacts import.
**
** Allocations are counted in two places.  SQLite's go through
** SQLITE_CONFIG_MALLOC; kto's own malloc, calloc, realloc and strdup are
** redirected at link time (-Wl,--wrap, this program only) to the wrappers
** below, so kto's code is exercised unchanged.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/diag.h"
#include "engine/commit_group.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/response.h"
#include "engine/sampling.h"
#include "engine/wave.h"
#include "tests/unit/testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/common_interface_defs.h>
#endif

#define ACTOR "cli:fault-test"

/* A safety net: no operation here needs anywhere near this many steps. */
#define MAX_N 20000

/* ---- The fault switch ------------------------------------------------ */

enum fault_kind {
	FAULT_NONE,
	FAULT_ALLOC,      /* the Nth allocation returns NULL */
	FAULT_IOERR,      /* the Nth write/sync/truncate: SQLITE_IOERR_* */
	FAULT_FULL        /* the Nth write/sync/truncate: SQLITE_FULL */
};

/*
** Atomic: the import reads its file on a second thread, and the commit
** group writes on its own.  fail_at 0 means disarmed.
*/
static _Atomic int fault_kind = FAULT_NONE;
static _Atomic long fault_fail_at;
static _Atomic long fault_seen;
static _Atomic bool fault_hit;
static bool fault_trace;      /* $KTO_FAULT_TRACE: where each fault hits */
static bool lsan_each;        /* $KTO_FAULT_LSAN_EACH: leak check per n */

static void
fault_arm(enum fault_kind kind, long n)
{
	atomic_store(&fault_seen, 0);
	atomic_store(&fault_hit, false);
	atomic_store(&fault_fail_at, n);
	atomic_store(&fault_kind, kind);
}

static void
fault_disarm(void)
{
	atomic_store(&fault_kind, FAULT_NONE);
	atomic_store(&fault_fail_at, 0);
}

/* Counts one event of `kind`; true when it is the one to fail. */
static bool
fault_now(enum fault_kind kind)
{
	int k = atomic_load(&fault_kind);

	if (k == FAULT_NONE)
		return false;
	if (kind == FAULT_ALLOC ? k != FAULT_ALLOC : k == FAULT_ALLOC)
		return false;
	if (atomic_fetch_add(&fault_seen, 1) + 1 != atomic_load(&fault_fail_at))
		return false;
	atomic_store(&fault_hit, true);
#ifdef HAVE_LSAN
	if (fault_trace)
		__sanitizer_print_stack_trace();
#endif
	return true;
}

/* ---- kto's allocations (-Wl,--wrap) ----------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

void *
__wrap_malloc(size_t n)
{
	return fault_now(FAULT_ALLOC) ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fault_now(FAULT_ALLOC) ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	/* A failing realloc leaves p as it was, as the real one does. */
	return fault_now(FAULT_ALLOC) ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return fault_now(FAULT_ALLOC) ? NULL : __real_strdup(s);
}

/* ---- SQLite's allocations (SQLITE_CONFIG_MALLOC) ---------------------- */

static sqlite3_mem_methods real_mem;
static _Atomic long sqlite_live;     /* blocks SQLite holds */

static void *
fm_malloc(int n)
{
	void *p;

	if (fault_now(FAULT_ALLOC))
		return NULL;
	if ((p = real_mem.xMalloc(n)) != NULL)
		atomic_fetch_add(&sqlite_live, 1);
	return p;
}

static void
fm_free(void *p)
{
	if (p != NULL)
		atomic_fetch_sub(&sqlite_live, 1);
	real_mem.xFree(p);
}

static void *
fm_realloc(void *p, int n)
{
	return fault_now(FAULT_ALLOC) ? NULL : real_mem.xRealloc(p, n);
}

static int fm_size(void *p) { return real_mem.xSize(p); }
static int fm_roundup(int n) { return real_mem.xRoundup(n); }
static int fm_init(void *app) { (void)app; return real_mem.xInit(real_mem.pAppData); }
static void fm_shutdown(void *app) { (void)app; real_mem.xShutdown(real_mem.pAppData); }

static const sqlite3_mem_methods fault_mem = {
	fm_malloc, fm_free, fm_realloc, fm_size, fm_roundup, fm_init,
	fm_shutdown, NULL
};

/* ---- The VFS shim ----------------------------------------------------- */

/*
** A VFS wrapped around the default one, registered as the default so
** that kto's own kto_db_open() uses it.  Each file is the shim's header
** followed by the real VFS's file; every method forwards, except that
** xWrite, xSync and xTruncate count and fail the Nth.
*/
struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

static int
shim_fault(int ioerr)
{
	int k = atomic_load(&fault_kind);

	if (k != FAULT_IOERR && k != FAULT_FULL)
		return SQLITE_OK;
	if (!fault_now(k))
		return SQLITE_OK;
	return k == FAULT_FULL ? SQLITE_FULL : ioerr;
}

#define REAL(f) (((struct shim_file *)(f))->real)

static int
shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
shim_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
shim_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = shim_fault(SQLITE_IOERR_WRITE);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = shim_fault(SQLITE_IOERR_TRUNCATE);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
shim_sync(sqlite3_file *f, int flags)
{
	int rc = shim_fault(SQLITE_IOERR_FSYNC);

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
shim_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
shim_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
shim_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
shim_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
shim_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
shim_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
shim_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int
shim_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
shim_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int
shim_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods shim_io = {
	3, shim_close, shim_read, shim_write, shim_truncate, shim_sync,
	shim_file_size, shim_lock, shim_unlock, shim_check_reserved,
	shim_file_control, shim_sector_size, shim_device_characteristics,
	shim_shm_map, shim_shm_lock, shim_shm_barrier, shim_shm_unmap,
	shim_fetch, shim_unfetch
};

static int
shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
          int *out_flags)
{
	struct shim_file *sf = (struct shim_file *)f;
	int rc;

	(void)vfs;
	sf->real = (sqlite3_file *)(sf + 1);
	rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
	/* The real VFS's methods decide whether SQLite will call xClose. */
	sf->base.pMethods = sf->real->pMethods != NULL ? &shim_io : NULL;
	return rc;
}

static int
shim_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
shim_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
shim_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int
shim_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
shim_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
shim_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
shim_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
shim_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void
shim_register(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(real_vfs);
	memset(&shim_vfs, 0, sizeof shim_vfs);
	shim_vfs.iVersion = 2;
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.mxPathname = real_vfs->mxPathname;
	shim_vfs.zName = "kto-fault";
	shim_vfs.xOpen = shim_open;
	shim_vfs.xDelete = shim_delete;
	shim_vfs.xAccess = shim_access;
	shim_vfs.xFullPathname = shim_full_pathname;
	shim_vfs.xRandomness = shim_randomness;
	shim_vfs.xSleep = shim_sleep;
	shim_vfs.xCurrentTime = shim_current_time;
	shim_vfs.xGetLastError = shim_last_error;
	shim_vfs.xCurrentTimeInt64 = shim_current_time64;
	assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
}

/* ---- Helpers ---------------------------------------------------------- */

static const char def[] =
    "survey kto-balie\n  channel: counter\n  title: T\n  overall: M1\n"
    "page een\n  title: Een\n"
    "question C1 choice\n  text: Waarvoor?\n  options:\n    a  A\n    b  B\n"
    "question MU multi\n  text: Wat?\n  options:\n    x  X\n    y  Y\n    z  Z\n"
    "page twee\n  title: Twee\n"
    "question M1 mark\n  text: Cijfer\n  area: TOT\n  required: yes\n  dont-know: yes\n"
    "question O1 open\n  text: Beter?\n"
    "mail invitation\n  subject: S\n  body: {link} {optout_link}\n";

static struct kto_datetime fixed_now;

/* $KTO_FAULT_FROM: the first n, to go straight to a failing one. */
static long first_n = 1;

/* The template every iteration starts from, and the working copy. */
static char *dir, *template_path, *work_path;
static char tokens[2][32];

static void
copy_file(const char *from, const char *to)
{
	size_t len;
	unsigned char *data = tu_read_file(from, &len);

	tu_write_file(to, data, len);
	free(data);
}

/* A fresh working copy of the template (no log: it was closed cleanly). */
static void
fresh_copy(void)
{
	char side[512];

	copy_file(template_path, work_path);
	snprintf(side, sizeof side, "%s-wal", work_path);
	remove(side);
	snprintf(side, sizeof side, "%s-shm", work_path);
	remove(side);
}

/* An independent connection on the real unix VFS, for checking. */
static sqlite3 *
open_real(void)
{
	sqlite3 *s = NULL;

	assert_int_equal(sqlite3_open_v2(work_path, &s, SQLITE_OPEN_READWRITE,
	    "unix"), SQLITE_OK);
	return s;
}

static int64_t
real_int(sqlite3 *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
assert_integrity(sqlite3 *s)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(real_int(s, "SELECT count(*) FROM pragma_foreign_key_check"),
	    0);
}

/* The statuses a fault may turn into: resource errors, never a bug's. */
static void
assert_clean_error(enum kto_rc rc, const char *msg, enum fault_kind kind,
                   long n)
{
	if (rc == KTO_ENOMEM || rc == KTO_EIO || rc == KTO_EFULL)
		assert_true(msg != NULL && msg[0] != '\0');
	else {
		print_error("fault %d at %ld: status %d (%s): %s\n", kind, n,
		    rc, kto_strerror(rc), msg ? msg : "(no message)");
		fail();
	}
}

/* LeakSanitizer now, not only at exit: the leak is then this n's. */
static void
assert_no_leak(long sqlite_before, enum fault_kind kind, long n)
{
	long live = atomic_load(&sqlite_live);

	if (live != sqlite_before) {
		print_error("fault %d at %ld: SQLite holds %ld blocks, %ld before\n",
		    kind, n, live, sqlite_before);
		fail();
	}
#ifdef HAVE_LSAN
	/*
	** A heap scan per n costs more than the run itself; LeakSanitizer's
	** check at exit finds any leak all the same.  $KTO_FAULT_LSAN_EACH
	** pins a leak to its n.
	*/
	if (lsan_each && __lsan_do_recoverable_leak_check() != 0) {
		print_error("fault %d at %ld: LeakSanitizer found a leak\n", kind, n);
		fail();
	}
#endif
}

/* ---- The world -------------------------------------------------------- */

static void
build_template(void)
{
	struct kto_db *db;
	struct kto_respondent r;
	const struct kto_survey *sv;
	struct kto_answer ans[4];

	dir = tu_tempdir();
	template_path = tu_path(dir, "template.db");
	work_path = tu_path(dir, "work.db");
	assert_true(kto_datetime_parse("2026-11-20T12:00:00", &fixed_now));
	assert_int_equal(kto_db_open(template_path, KTO_DB_CREATE, &db, NULL),
	    KTO_OK);
	tu_two_invitations(db, def, tokens);

	/* The acknowledged submission that every fault must leave alone. */
	memset(ans, 0, sizeof ans);
	ans[0] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .code = "a" };
	ans[2] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .num = 7 };
	assert_int_equal(kto_respondent_find(db, tokens[0], &r), KTO_OK);
	assert_int_equal(kto_respondent_survey(db, &r, &sv), KTO_OK);
	assert_int_equal(kto_response_save(db, &r, sv, 0, ans, 1, false, NULL),
	    KTO_OK);
	assert_int_equal(kto_response_save(db, &r, sv, 1, ans, 1, true, NULL),
	    KTO_OK);
	kto_respondent_survey_release(sv);
	kto_db_close(db);
}

/* ---- The operations under test ---------------------------------------- */

/*
** An operation runs on the working copy with the fault armed and says how
** many of its steps were acknowledged (returned KTO_OK) before it failed:
** the check afterwards knows what must be there and what may be.
*/
struct outcome {
	enum kto_rc rc;
	char msg[KTO_ERR_MAX];
	int acked;          /* steps acknowledged */
};

typedef void (*operation_fn)(struct kto_db *db, enum fault_kind kind, long n,
                             struct outcome *out);
typedef void (*verify_fn)(sqlite3 *s, const struct outcome *out);

static void
submission_answers(struct kto_answer ans[4])
{
	static const char *const codes[] = { "x", "z" };

	memset(ans, 0, 4 * sizeof *ans);
	ans[0] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .code = "b" };
	ans[1] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .codes = codes,
	    .n_codes = 2 };
	ans[2] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .num = 9 };
	ans[3] = (struct kto_answer){ .state = KTO_ANSWER_VALUE,
	    .text = "de balie was snel" };
}

static bool
step_failed(struct kto_db *db, enum kto_rc rc, struct outcome *out)
{
	if (rc == KTO_OK)
		return false;
	out->rc = rc;
	snprintf(out->msg, sizeof out->msg, "%s", kto_db_errmsg(db));
	return true;
}

/* Both pages of the second invitation, the last one completing it. */
static void
op_submission(struct kto_db *db, enum fault_kind kind, long n,
              struct outcome *out)
{
	struct kto_respondent r;
	const struct kto_survey *s = NULL;
	struct kto_answer ans[4];
	bool now_done = false;

	submission_answers(ans);
	fault_arm(kind, n);
	if (step_failed(db, kto_respondent_find(db, tokens[1], &r), out) ||
	    step_failed(db, kto_respondent_survey(db, &r, &s), out))
		goto out;
	if (step_failed(db, kto_response_save(db, &r, s, 0, ans, 1, false,
	    NULL), out))
		goto out;
	out->acked = 1;
	if (step_failed(db, kto_response_save(db, &r, s, 1, ans, 1, true,
	    &now_done), out))
		goto out;
	assert_true(now_done);
	out->acked = 2;
out:
	fault_disarm();
	if (s != NULL)
		kto_respondent_survey_release(s);
}

/* The same through the commit group's writer, as kto serve does it. */
static void
op_submission_grouped(struct kto_db *db, enum fault_kind kind, long n,
                      struct outcome *out)
{
	struct kto_commit_group *g = NULL;
	struct kto_err err = KTO_ERR_INIT;
	struct kto_arena a = KTO_ARENA_INIT(1 << 20);
	struct kto_respondent r;
	const struct kto_survey *s = NULL;
	struct kto_answer ans[4];
	kto_write_fn fn;
	void *arg;
	enum kto_rc rc;

	/*
	** The writer starts with the server, before any citizen arrives; its
	** opening is kto_db_open(), which the other loops cover.
	*/
	submission_answers(ans);
	assert_int_equal(kto_commit_group_start(work_path, &fixed_now, &g, &err),
	    KTO_OK);
	fault_arm(kind, n);
	if (step_failed(db, kto_respondent_find(db, tokens[1], &r), out) ||
	    step_failed(db, kto_respondent_survey(db, &r, &s), out))
		goto out;
	for (int page = 0; page < 2; page++) {
		if (step_failed(db, kto_response_save_job(&a, &r, s, (size_t)page,
		    ans, 1, page == 1, &fn, &arg), out))
			goto out;
		if ((rc = kto_commit_group_run(g, fn, arg, &err)) != KTO_OK) {
			out->rc = rc;
			snprintf(out->msg, sizeof out->msg, "%s", kto_err_msg(&err));
			goto out;
		}
		out->acked = page + 1;
	}
out:
	kto_commit_group_stop(g);
	fault_disarm();
	if (s != NULL)
		kto_respondent_survey_release(s);
	kto_arena_release(&a);
}

static void
verify_submission(sqlite3 *s, const struct outcome *out)
{
	int64_t complete, answers, responses;

	/* The earlier, acknowledged response: complete with its answers. */
	assert_int_equal(real_int(s, "SELECT count(*) FROM response r JOIN "
	    "invitation i ON i.id = r.invitation_id WHERE r.state = 'complete' "
	    "AND i.draw_order = (SELECT min(draw_order) FROM invitation)"), 1);
	assert_int_equal(real_int(s, "SELECT count(*) FROM answer WHERE "
	    "response_id = (SELECT min(id) FROM response)"), 2);

	/* This one: exactly as after `acked` steps, or as after one more. */
	responses = real_int(s, "SELECT count(*) FROM response");
	complete = real_int(s, "SELECT count(*) FROM response WHERE state = "
	    "'complete'");
	answers = real_int(s, "SELECT count(*) FROM answer WHERE response_id <> "
	    "(SELECT min(id) FROM response)");
	if (out->acked == 2 || (out->acked == 1 && complete == 2)) {
		assert_int_equal(complete, 2);
		assert_int_equal(answers, 4);
		assert_int_equal(real_int(s, "SELECT count(*) FROM invitation WHERE "
		    "state = 'responded'"), 2);
	} else if (out->acked == 1 || responses == 2) {
		/* Page one stored and nothing of page two, or both complete. */
		assert_int_equal(responses, 2);
		assert_int_equal(complete, 1);
		assert_int_equal(answers, 2);
	} else {
		assert_int_equal(responses, 1);
		assert_int_equal(answers, 0);
	}
}

/* Twelve new contacts, and one the template has already (unchanged). */
static const char import_csv[] =
    "contact_id;channel;contact_at;email\r\n"
    "c0;counter;2026-11-19;p0@example.org\r\n"
    "n01;counter;2026-11-18;n01@example.org\r\n"
    "n02;phone;2026-11-18;n02@example.org\r\n"
    "n03;email;2026-11-18;n03@example.org\r\n"
    "n04;counter;2026-11-17;n04@example.org\r\n"
    "n05;phone;2026-11-17;\r\n"
    "n06;email;2026-11-17;n06@example.org\r\n"
    "n07;counter;2026-11-16;n07@example.org\r\n"
    "n08;phone;2026-11-16;n08@example.org\r\n"
    "n09;email;2026-11-16;n09@example.org\r\n"
    "n10;counter;2026-11-15;n10@example.org\r\n"
    "n11;phone;2026-11-15;n11@example.org\r\n"
    "n12;email;2026-11-15;n12@example.org\r\n";

static void
run_import(struct kto_db *db, struct outcome *out, struct kto_import_report *rep)
{
	static char csv[sizeof import_csv];
	struct kto_import_options opt = { 0 };
	FILE *in;

	memcpy(csv, import_csv, sizeof csv);
	in = fmemopen(csv, sizeof csv - 1, "r");
	enum kto_rc rc;

	assert_non_null(in);
	rc = kto_contacts_import(db, ACTOR, "GM0001", in, "contacten.csv", &opt,
	    rep);
	fclose(in);
	if (!step_failed(db, rc, out))
		out->acked = 1;
}

static void
op_import(struct kto_db *db, enum fault_kind kind, long n, struct outcome *out)
{
	struct kto_import_report *rep = __real_calloc(1, sizeof *rep);

	assert_non_null(rep);
	fault_arm(kind, n);
	run_import(db, out, rep);
	fault_disarm();
	/*
	** The import loosens the connection's settings for its length; they
	** must be back whatever happened, for the connection lives on (a
	** web worker's does).
	*/
	assert_int_equal(tu_query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(tu_query_int(db, "PRAGMA synchronous"), 2);
	if (out->acked == 1) {
		assert_int_equal(rep->total.added, 12);
		assert_int_equal(rep->total.unchanged, 1);
	}
	free(rep);
}

/*
** An import commits in batches (engine/contacts.h): a failed one may keep
** the rows before the failure, and importing the same file again adds the
** rest.  So: the old contacts are there, nothing is there that the file
** does not hold, all of it after success -- and after the retry.
*/
static void
verify_import(sqlite3 *s, const struct outcome *out)
{
	int64_t old = real_int(s, "SELECT count(*) FROM contact WHERE "
	    "external_id IN ('c0', 'c1')");
	int64_t added = real_int(s, "SELECT count(*) FROM contact WHERE "
	    "external_id LIKE 'n%'");

	assert_int_equal(old, 2);
	assert_int_equal(real_int(s, "SELECT count(*) FROM contact"), 2 + added);
	assert_true(added <= 12);
	if (out->acked == 1)
		assert_int_equal(added, 12);
	/* What was stored was stored right. */
	assert_int_equal(real_int(s, "SELECT count(*) FROM contact WHERE "
	    "external_id LIKE 'n%' AND (email IS NULL) <> (external_id = 'n05')"),
	    0);
}

/* After any outcome: the file imported again, unfaulted, is all there. */
static void
retry_import(void)
{
	struct kto_db *db;
	struct outcome out = { 0 };
	struct kto_import_report *rep = calloc(1, sizeof *rep);
	sqlite3 *s;

	assert_non_null(rep);
	assert_int_equal(kto_db_open(work_path, 0, &db, NULL), KTO_OK);
	kto_db_set_now(db, &fixed_now);
	run_import(db, &out, rep);
	assert_int_equal(out.rc, KTO_OK);
	kto_db_close(db);
	free(rep);
	s = open_real();
	assert_int_equal(real_int(s, "SELECT count(*) FROM contact"), 14);
	sqlite3_close(s);
}

/* ---- The loop --------------------------------------------------------- */

/* What the faults of one loop turned into, for its summary line. */
static long by_status[KTO_RC_COUNT];

/*
** One run with the fault at n on a fresh copy; true when the operation
** went through without meeting the fault (the loop is then done).
*/
static bool
fault_once(operation_fn op, verify_fn verify, void (*after)(void),
           enum fault_kind kind, long n)
{
	struct kto_db *db;
	struct outcome out = { .rc = KTO_OK };
	long sqlite_before;
	bool hit;
	sqlite3 *s;

	fresh_copy();
	sqlite_before = atomic_load(&sqlite_live);
	assert_int_equal(kto_db_open(work_path, 0, &db, NULL), KTO_OK);
	kto_db_set_now(db, &fixed_now);
	op(db, kind, n, &out);
	hit = atomic_load(&fault_hit);
	kto_db_close(db);

	if (!hit)
		assert_int_equal(out.rc, KTO_OK);
	else if (out.rc != KTO_OK)
		assert_clean_error(out.rc, out.msg, kind, n);
	if (hit)
		by_status[out.rc]++;
	/* A fault SQLite or kto absorbed (a benign allocation) is fine too. */

	s = open_real();
	assert_integrity(s);
	verify(s, &out);
	sqlite3_close(s);
	if (after != NULL)
		after();
	assert_no_leak(sqlite_before, kind, n);
	return !hit;
}

static void
fault_loop(operation_fn op, verify_fn verify, void (*after)(void),
           enum fault_kind kind, const char *what)
{
	long n;

	memset(by_status, 0, sizeof by_status);
	for (n = first_n; n < MAX_N; n++)
		if (fault_once(op, verify, after, kind, n))
			break;
	assert_true(n < MAX_N);
	/* Without a single failed operation the loop would test nothing. */
	assert_true(n > first_n && by_status[KTO_OK] < n - first_n);
	print_message("%s: %ld faults; absorbed %ld, ENOMEM %ld, EIO %ld, "
	    "EFULL %ld\n", what, n - 1, by_status[KTO_OK], by_status[KTO_ENOMEM],
	    by_status[KTO_EIO], by_status[KTO_EFULL]);
}

static void
test_submission_alloc(void **state)
{
	(void)state;
	fault_loop(op_submission, verify_submission, NULL, FAULT_ALLOC,
	    "submission, Nth allocation");
}

static void
test_submission_ioerr(void **state)
{
	(void)state;
	fault_loop(op_submission, verify_submission, NULL, FAULT_IOERR,
	    "submission, Nth write/sync/truncate: I/O error");
}

static void
test_submission_full(void **state)
{
	(void)state;
	fault_loop(op_submission, verify_submission, NULL, FAULT_FULL,
	    "submission, Nth write/sync/truncate: disk full");
}

static void
test_grouped_alloc(void **state)
{
	(void)state;
	fault_loop(op_submission_grouped, verify_submission, NULL, FAULT_ALLOC,
	    "grouped submission, Nth allocation");
}

static void
test_grouped_ioerr(void **state)
{
	(void)state;
	fault_loop(op_submission_grouped, verify_submission, NULL, FAULT_IOERR,
	    "grouped submission, Nth write/sync/truncate: I/O error");
}

static void
test_import_alloc(void **state)
{
	(void)state;
	fault_loop(op_import, verify_import, retry_import, FAULT_ALLOC,
	    "import, Nth allocation");
}

static void
test_import_ioerr(void **state)
{
	(void)state;
	fault_loop(op_import, verify_import, retry_import, FAULT_IOERR,
	    "import, Nth write/sync/truncate: I/O error");
}

static void
test_import_full(void **state)
{
	(void)state;
	fault_loop(op_import, verify_import, retry_import, FAULT_FULL,
	    "import, Nth write/sync/truncate: disk full");
}

static int
setup(void **state)
{
	(void)state;
	build_template();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	free(template_path);
	free(work_path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submission_alloc),
		cmocka_unit_test(test_submission_ioerr),
		cmocka_unit_test(test_submission_full),
		cmocka_unit_test(test_grouped_alloc),
		cmocka_unit_test(test_grouped_ioerr),
		cmocka_unit_test(test_import_alloc),
		cmocka_unit_test(test_import_ioerr),
		cmocka_unit_test(test_import_full),
	};

	/* Before SQLite initialises: its allocator, then the shim VFS. */
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &fault_mem) != SQLITE_OK) {
		fprintf(stderr, "test_faults: cannot install the allocator\n");
		return 1;
	}
	shim_register();
	if (getenv("KTO_FAULT_FROM") != NULL)
		first_n = strtol(getenv("KTO_FAULT_FROM"), NULL, 10);
	fault_trace = getenv("KTO_FAULT_TRACE") != NULL;
	lsan_each = getenv("KTO_FAULT_LSAN_EACH") != NULL;
	/*
	** Thousands of small databases, each synced: on tmpfs the syncs cost
	** nothing, and the shim counts them all the same.
	*/
	if (getenv("TMPDIR") == NULL && tu_exists("/dev/shm"))
		setenv("TMPDIR", "/dev/shm", 1);
	if (getenv("KTO_FAULT_TEST") != NULL)
		cmocka_set_test_filter(getenv("KTO_FAULT_TEST"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
