/*
** kto report letter | letters | overview: the tailored letters (Brief op
** Maat) and the team's overview as PDF files, from a stored result set.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/audit.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "engine/results.h"
#include "engine/wave.h"
#include "report/letter.h"

struct report_options {
	struct kto_results_scope scope;
	const char *municipality, *circle, *out, *dir;
	int threads;
};

enum { OPT_MUN = 'm', OPT_WAVE = 'w', OPT_YEAR = 'y', OPT_OUT = 'o', OPT_CIRCLE = 'c',
       OPT_DIR = 'd', OPT_THREADS = 't' };

/* The options of the three commands; allowed names which each takes. */
static int
parse_options(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
              const char *allowed, struct report_options *o)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, OPT_MUN },
		{ "wave", required_argument, NULL, OPT_WAVE },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "circle", required_argument, NULL, OPT_CIRCLE },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ NULL, 0, NULL, 0 }
	};
	int c, status = CLI_EXIT_OK, given = 0;
	int64_t v;

	memset(o, 0, sizeof *o);
	o->threads = 2;
	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (strchr(allowed, c) == NULL) {
			for (const struct option *p = opts; p->name != NULL; p++)
				if (p->val == c)
					return cli_usage_error(cli, cmd, "--%s is not an option "
					    "of '%s'", p->name, cli->path);
			return cli_usage_error(cli, cmd, "unexpected option");
		}
		switch (c) {
		case OPT_WAVE:
		case OPT_YEAR:
			if ((status = cli_scope_arg(cli, cmd, c == OPT_WAVE ? CLI_SCOPE_WAVE :
			    CLI_SCOPE_YEAR, optarg, &v)) != CLI_CONTINUE)
				return status;
			if (c == OPT_WAVE)
				o->scope.wave_id = v;
			else
				o->scope.year = (int)v;
			given++;
			break;
		case OPT_THREADS:
			if (kto_parse_i64(optarg, 1, 64, &v) != KTO_OK)
				return cli_usage_error(cli, cmd, "--threads '%s': a number "
				    "from 1 to 64", optarg);
			o->threads = (int)v;
			break;
		case OPT_MUN: o->municipality = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_CIRCLE: o->circle = optarg; break;
		case OPT_DIR: o->dir = optarg; break;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (given != 1)
		return cli_usage_error(cli, cmd, "say which results: --wave W or --year Y");
	if (strchr(allowed, OPT_OUT) && (o->out == NULL || o->out[0] == '\0'))
		return cli_usage_error(cli, cmd, "say where the PDF goes: --out FILE.pdf");
	if (strchr(allowed, OPT_DIR) && (o->dir == NULL || o->dir[0] == '\0'))
		return cli_usage_error(cli, cmd, "say where the letters go: --dir DIR");
	if (strchr(allowed, OPT_MUN) && o->municipality == NULL && o->scope.year)
		return cli_usage_error(cli, cmd, "say whose letter: --municipality CODE");
	return CLI_CONTINUE;
}

/*
** Writes data to path through a temporary file beside it, renamed into
** place: a reader never sees half a PDF.  "-" is standard output.  On
** failure err says why.
*/
static enum kto_rc
write_file(const char *path, const struct kto_buf *data, struct kto_err *err)
{
	char tmp[4096];
	size_t off = 0;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data->ptr, 1, data->len, stdout) != data->len || fflush(stdout))
			return kto_err_set(err, KTO_EIO, "writing the PDF to standard "
			    "output: %s", strerror(errno));
		return KTO_OK;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return kto_err_set(err, KTO_EINPUT, "the file name '%s' is too long", path);
	if ((fd = mkstemp(tmp)) < 0)
		return kto_err_set(err, KTO_EIO, "cannot write '%s': %s", path,
		    strerror(errno));
	while (off < data->len) {
		ssize_t w = write(fd, data->ptr + off, data->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;

			close(fd);
			unlink(tmp);
			return kto_err_set(err, e == ENOSPC ? KTO_EFULL : KTO_EIO, "writing "
			    "'%s': %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	/* mkstemp makes the file private; a report is an ordinary file. */
	if (fchmod(fd, 0644) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return kto_err_set(err, KTO_EIO, "writing '%s': %s", path, strerror(e));
	}
	return KTO_OK;
}

/* Says what went wrong in a letter or overview call. */
static int
report_fail(struct cli *cli, enum kto_rc rc, const struct kto_results_scope *scope)
{
	char hint[96];

	switch (rc) {
	case KTO_ENOTFOUND:
		break;
	case KTO_ENOMEM:
		fprintf(stderr, "%s: out of memory\n", cli->path);
		return cli_exit_for(rc);
	case KTO_ELIMIT:
		fprintf(stderr, "%s: the PDF grew past %u MB\n", cli->path,
		    KTO_LETTER_MAX >> 20);
		return cli_exit_for(rc);
	case KTO_EINTERNAL:
		fprintf(stderr, "%s: drawing the PDF failed (Cairo)\n", cli->path);
		return cli_exit_for(rc);
	default:
		return cli_fail(cli, rc, NULL);
	}
	if (scope->wave_id)
		snprintf(hint, sizeof hint, "run 'kto results compute --wave %lld' first",
		    (long long)scope->wave_id);
	else
		snprintf(hint, sizeof hint, "run 'kto results compute --year %d' first",
		    scope->year);
	return cli_fail(cli, rc, strstr(kto_db_errmsg(cli->db), "results") ? hint : NULL);
}

/* Does code take part in scope (a wave of its that starts in the year)? */
static enum kto_rc
takes_part(struct kto_db *db, const char *code, const struct kto_results_scope *scope,
           bool *yes)
{
	struct kto_wave_summary *w = NULL;
	size_t n = 0;
	char year[8];
	enum kto_rc rc = kto_wave_list(db, code, &w, &n);

	snprintf(year, sizeof year, "%04d", scope->year);
	*yes = false;
	for (size_t i = 0; rc == KTO_OK && i < n; i++)
		*yes = *yes || strncmp(w[i].from, year, 4) == 0;
	free(w);
	return rc;
}

static void
print_written(struct cli *cli, const char *what, const char *path, size_t bytes)
{
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "file", path);
		kto_json_kv_int(&out.j, "bytes", (int64_t)bytes);
		kto_json_object_end(&out.j);
		cli_json_done(cli, &out);
	} else if (strcmp(path, "-") != 0) {
		printf("Wrote %s to %s (%zu kB).\n", what, path, (bytes + 1023) / 1024);
	}
}

/* Who took which report, for the audit log. */
static enum kto_rc
audit_report(struct kto_db *db, const char *action, const char *code,
             const struct report_options *o)
{
	char subject[64];

	if (o->scope.wave_id > 0)
		snprintf(subject, sizeof subject, "wave %lld", (long long)o->scope.wave_id);
	else
		snprintf(subject, sizeof subject, "year %d", o->scope.year);
	return kto_audit_code(db, cli_actor(), action, code, subject,
	    o->out ? o->out : o->dir);
}

/* ------------------------------------------------------------------ */
/* letter                                                              */

static int
letter_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct report_options o;
	struct kto_municipality m;
	struct kto_buf pdf = KTO_BUF_INIT(KTO_LETTER_MAX);
	struct kto_err err = KTO_ERR_INIT;
	struct kto_db *db;
	char what[400], code[KTO_CODE_MAX + 1];
	size_t bytes;
	int status = parse_options(cli, cmd, argc, argv, "mwyo", &o);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if (o.scope.wave_id) {
		struct kto_wave_info w;

		if ((rc = kto_wave_get_header(db, o.scope.wave_id, &w)) != KTO_OK)
			return cli_fail(cli, rc, NULL);
		if (o.municipality != NULL && strcasecmp(o.municipality, w.municipality)) {
			fprintf(stderr, "%s: wave %lld is of %s (%s), not of %s\n", cli->path,
			    (long long)w.id, w.municipality, w.municipality_name,
			    o.municipality);
			return CLI_EXIT_INPUT;
		}
		snprintf(code, sizeof code, "%s", w.municipality);
		o.municipality = code;
	}
	if ((rc = kto_municipality_find(db, o.municipality, &m)) != KTO_OK)
		return cli_fail(cli, rc, "see 'kto municipality list'");
	if (!o.scope.wave_id) {
		bool yes;

		if ((rc = takes_part(db, m.code, &o.scope, &yes)) != KTO_OK)
			return cli_fail(cli, rc, NULL);
		if (!yes) {
			fprintf(stderr, "%s: %s (%s) has no wave that starts in %d: there is "
			    "nothing to report\n", cli->path, m.code, m.name, o.scope.year);
			return CLI_EXIT_INPUT;
		}
	}
	if ((rc = kto_letter_write(db, m.code, &o.scope, &pdf)) != KTO_OK) {
		kto_buf_release(&pdf);
		return report_fail(cli, rc, &o.scope);
	}
	kto_letter_cleanup();
	/* Logged before the file is written: a log that cannot be written (a
	 * busy or full database) leaves no letter the log does not know. */
	if ((rc = audit_report(db, "export.letter", m.code, &o)) != KTO_OK) {
		kto_buf_release(&pdf);
		return cli_fail(cli, rc, NULL);
	}
	rc = write_file(o.out, &pdf, &err);
	snprintf(what, sizeof what, "the letter of %s (%s)", m.name, m.code);
	bytes = pdf.len;
	kto_buf_release(&pdf);
	if (rc != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	print_written(cli, what, o.out, bytes);
	return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* letters: every municipality's, on several threads                   */

struct batch {
	const char *db_path, *dir;
	const struct kto_letter_batch *set;      /* the result set, read once */
	char (*codes)[KTO_CODE_MAX + 1];
	size_t n, next, done, failed;
	bool progress;
	pthread_mutex_t lock;
};

static void *
batch_worker(void *arg)
{
	struct batch *b = arg;
	struct kto_db *db = NULL;
	struct kto_err err = KTO_ERR_INIT;
	struct kto_buf pdf = KTO_BUF_INIT(KTO_LETTER_MAX);

	if (kto_db_open(b->db_path, 0, &db, &err) != KTO_OK) {
		pthread_mutex_lock(&b->lock);
		fprintf(stderr, "kto report letters: %s\n", kto_err_msg(&err));
		b->failed += b->n - b->next;
		b->next = b->n;
		pthread_mutex_unlock(&b->lock);
		return NULL;
	}
	for (;;) {
		char path[4096];
		const char *code;
		enum kto_rc rc;

		pthread_mutex_lock(&b->lock);
		code = b->next < b->n ? b->codes[b->next++] : NULL;
		pthread_mutex_unlock(&b->lock);
		if (code == NULL)
			break;
		kto_buf_reset(&pdf);
		kto_err_clear(&err);
		rc = kto_letter_batch_write(b->set, db, code, &pdf);
		if (rc != KTO_OK)
			kto_err_set(&err, rc, "%s", rc == KTO_ENOTFOUND || rc == KTO_EDB ||
			    rc == KTO_EBUSY ? kto_db_errmsg(db) : kto_strerror(rc));
		else if ((size_t)snprintf(path, sizeof path, "%s/%s.pdf", b->dir, code) >=
		    sizeof path)
			rc = kto_err_set(&err, KTO_EINPUT, "the directory name is too long");
		else
			rc = write_file(path, &pdf, &err);
		pthread_mutex_lock(&b->lock);
		b->done++;
		if (rc != KTO_OK) {
			b->failed++;
			fprintf(stderr, "%skto report letters: %s: %s\n", b->progress ? "\n" :
			    "", code, kto_err_msg(&err));
		}
		if (b->progress) {
			printf("\r  %zu of %zu letters", b->done, b->n);
			fflush(stdout);
		}
		pthread_mutex_unlock(&b->lock);
	}
	kto_buf_release(&pdf);
	kto_db_close(db);
	return NULL;
}

/* The codes of the municipalities with a wave in scope, without repeats. */
static enum kto_rc
batch_codes(struct kto_db *db, const struct kto_results_scope *scope, struct batch *b)
{
	struct kto_wave_summary *w = NULL;
	size_t n = 0;
	char year[8];
	enum kto_rc rc = kto_wave_list(db, NULL, &w, &n);

	if (rc != KTO_OK)
		return rc;
	snprintf(year, sizeof year, "%04d", scope->year);
	if ((b->codes = calloc(n + 1, sizeof *b->codes)) == NULL) {
		free(w);
		return KTO_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (scope->wave_id ? w[i].id != scope->wave_id :
		    strncmp(w[i].from, year, 4) != 0)
			continue;
		for (size_t k = 0; k < b->n && !seen; k++)
			seen = strcmp(b->codes[k], w[i].municipality) == 0;
		if (!seen)
			snprintf(b->codes[b->n++], sizeof b->codes[0], "%s", w[i].municipality);
	}
	free(w);
	return KTO_OK;
}

static int
letters_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct report_options o;
	struct batch b;
	struct kto_letter_batch *set = NULL;
	struct kto_db *db;
	pthread_t tid[64];
	struct timespec t0, t1;
	int status = parse_options(cli, cmd, argc, argv, "wydt", &o), started = 0;
	enum kto_rc rc;
	double secs;

	if (status != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = kto_letter_batch_open(db, &o.scope, &set)) != KTO_OK)
		return report_fail(cli, rc, &o.scope);
	memset(&b, 0, sizeof b);
	if ((rc = batch_codes(db, &o.scope, &b)) != KTO_OK) {
		kto_letter_batch_free(set);
		return cli_fail(cli, rc, NULL);
	}
	if (mkdir(o.dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create the directory '%s': %s\n", cli->path,
		    o.dir, strerror(errno));
		kto_letter_batch_free(set);
		free(b.codes);
		return CLI_EXIT_INPUT;
	}
	b.db_path = cli->db_path;
	b.dir = o.dir;
	b.set = set;
	b.progress = !cli->json && isatty(STDOUT_FILENO);
	pthread_mutex_init(&b.lock, NULL);
	for (int i = 0; i < o.threads && (size_t)i < b.n; i++)
		if (pthread_create(&tid[started], NULL, batch_worker, &b) == 0)
			started++;
	if (started == 0 && b.n > 0)
		batch_worker(&b);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	kto_letter_cleanup();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_destroy(&b.lock);
	kto_letter_batch_free(set);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (b.progress)
		putchar('\n');
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "dir", o.dir);
		kto_json_kv_int(&out.j, "letters", (int64_t)(b.n - b.failed));
		kto_json_kv_int(&out.j, "failed", (int64_t)b.failed);
		kto_json_kv_double(&out.j, "seconds", secs);
		kto_json_object_end(&out.j);
		cli_json_done(cli, &out);
	} else {
		printf("Wrote %zu letters to %s in %.1f s (%d threads).\n", b.n - b.failed,
		    o.dir, secs, started ? started : 1);
	}
	free(b.codes);
	if (b.n > b.failed && (rc = audit_report(db, "export.letters", NULL, &o)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (b.n == 0) {
		fprintf(stderr, "%s: no municipality has a wave in this scope\n", cli->path);
		return CLI_EXIT_INPUT;
	}
	return b.failed ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* overview                                                            */

static int
overview_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct report_options o;
	struct kto_buf pdf = KTO_BUF_INIT(KTO_LETTER_MAX);
	struct kto_err err = KTO_ERR_INIT;
	struct kto_db *db;
	int status = parse_options(cli, cmd, argc, argv, "wyoc", &o);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_overview_write(db, &o.scope, o.circle, &pdf)) != KTO_OK) {
		kto_buf_release(&pdf);
		if (rc == KTO_ENOTFOUND && o.circle != NULL &&
		    strstr(kto_db_errmsg(db), "circle") != NULL)
			return cli_fail(cli, rc, "see 'kto circle list'");
		return report_fail(cli, rc, &o.scope);
	}
	kto_letter_cleanup();
	if ((rc = audit_report(db, "export.overview", NULL, &o)) != KTO_OK) {
		kto_buf_release(&pdf);
		return cli_fail(cli, rc, NULL);
	}
	rc = write_file(o.out, &pdf, &err);
	if (rc == KTO_OK)
		print_written(cli, "the overview", o.out, pdf.len);
	kto_buf_release(&pdf);
	return rc == KTO_OK ? CLI_EXIT_OK : cli_fail_err(cli, &err, NULL);
}

const struct cli_cmd cli_report_cmds[] = {
	{ "letter", "a municipality's tailored letter (Brief op Maat) as PDF",
	  "Usage: kto report letter --municipality CODE (--wave W | --year Y)\n"
	  "           --out FILE.pdf [--json]\n"
	  "\n"
	  "Writes the Brief op Maat of a municipality from the newest result set of\n"
	  "the wave or year (compute it first with 'kto results compute'): its\n"
	  "overall marks per channel with their intervals against its circle, all\n"
	  "participants and last year; its strongest and weakest areas; its service\n"
	  "norms; the priority matrix with the points to improve first; response\n"
	  "and method.  In Dutch, A4, one to three pages.\n"
	  "\n"
	  "  --municipality CODE  whose letter (with --wave: the wave's municipality\n"
	  "                       when left out)\n"
	  "  --wave W             the results of one wave\n"
	  "  --year Y             the results of the year (the benchmark)\n"
	  "  --out FILE.pdf       where to write it ('-': standard output)\n",
	  letter_exec, NULL },
	{ "letters", "every municipality's letter, into a directory",
	  "Usage: kto report letters (--wave W | --year Y) --dir DIR [--threads N]\n"
	  "\n"
	  "Writes DIR/CODE.pdf, the Brief op Maat of every municipality with a wave\n"
	  "in the scope, from the newest result set.  Letters are drawn in parallel,\n"
	  "each thread on its own database connection.\n"
	  "\n"
	  "  --dir DIR     the directory (created when missing)\n"
	  "  --threads N   how many letters at once (default 2)\n"
	  "  --json        {\"dir\", \"letters\", \"failed\", \"seconds\"}\n",
	  letters_exec, NULL },
	{ "overview", "the team's overview of all municipalities per circle, as PDF",
	  "Usage: kto report overview (--wave W | --year Y) [--circle CODE]\n"
	  "           --out FILE.pdf [--json]\n"
	  "\n"
	  "Writes the KTO-rapportage: per comparison circle, each member's overall\n"
	  "mark per channel with n, significantly higher or lower than the other\n"
	  "members marked, against the circle and all participants.\n"
	  "\n"
	  "  --circle CODE   only this circle\n"
	  "  --out FILE.pdf  where to write it ('-': standard output)\n",
	  overview_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
