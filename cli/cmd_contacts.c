/*
** kto contacts import
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/contacts.h"
#include "engine/db.h"

struct progress {
	unsigned long long size;     /* 0 when unknown (a pipe) */
	bool shown;
};

/* Progress on a terminal only: a log or a pipe gets just the summary. */
static void
show_progress(void *ctx, unsigned long long bytes)
{
	struct progress *p = ctx;

	if (p->size > 0)
		fprintf(stderr, "\rreading: %3llu%% (%.1f of %.1f MB)",
		    bytes * 100 / p->size, (double)bytes / 1e6, (double)p->size / 1e6);
	else
		fprintf(stderr, "\rreading: %.1f MB", (double)bytes / 1e6);
	p->shown = true;
}

static void
print_counts_row(const char *name, const struct kto_import_counts *c)
{
	printf("  %-10s %9lld %9lld %11lld %10lld\n", name, (long long)c->added,
	    (long long)c->updated, (long long)c->unchanged, (long long)c->rejected);
}

static void
print_report(const char *file, const char *code, bool dry_run,
             const struct kto_import_report *r)
{
	printf("%s %s for %s: %lld rows, separator '%s'%s\n", dry_run ?
	    "Checked (dry run, nothing stored)" : "Imported", file, code,
	    (long long)r->rows, r->delimiter == '\t' ? "tab" :
	    (char[2]){ r->delimiter, '\0' }, dry_run ? "" : ".");
	printf("Columns: %s\n", r->columns);
	printf("\n  %-10s %9s %9s %11s %10s\n", "channel", "added", "updated",
	    "unchanged", "rejected");
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		print_counts_row(kto_channel_name((enum kto_channel)c), &r->channel[c]);
	if (r->unknown_channel.rejected > 0)
		print_counts_row("(unknown)", &r->unknown_channel);
	print_counts_row("total", &r->total);
}

static void
print_problems(const struct cli *cli, const char *file,
               const struct kto_import_report *r, const char *rejects)
{
	if (r->ignored[0])
		fprintf(stderr, "%s: warning: these columns are not stored (data "
		    "minimisation: kto keeps only what the survey needs): %s\n",
		    cli->path, r->ignored);
	for (size_t i = 0; i < r->n_rejects; i++)
		fprintf(stderr, "%s:%lld: %s\n", file, (long long)r->rejects[i].row,
		    r->rejects[i].reason);
	if ((int64_t)r->n_rejects < r->total.rejected)
		fprintf(stderr, "%s: ... and %lld more rejected rows%s%s\n", cli->path,
		    (long long)(r->total.rejected - (int64_t)r->n_rejects),
		    rejects ? "; all are in " : "; write them all to a file with "
		    "--rejects FILE", rejects ? rejects : "");
	if (r->stopped)
		fprintf(stderr, "%s: the import stopped: %s\n%s: the %lld rows before "
		    "it were stored; correct the file and import it again (rows "
		    "already stored will count as unchanged)\n", cli->path,
		    r->stop_reason, cli->path, (long long)r->committed_rows);
}

/*
** After an import failed half-way (the disk full, the database busy, the
** process stopped): what is in the database, and how to complete it.  The
** rows are committed in batches, so the stored ones are the file's first.
*/
static void
print_kept(const struct cli *cli, const char *file,
           const struct kto_import_options *opt, const struct kto_import_report *r)
{
	if (opt->dry_run)
		return;
	if (r->committed_rows == 0)
		fprintf(stderr, "%s: nothing of '%s' was stored; import it again "
		    "when the problem is solved\n", cli->path, file);
	else
		fprintf(stderr, "%s: the first %lld rows of '%s' were stored; import "
		    "the same file again when the problem is solved to store the "
		    "rest (rows already stored count as unchanged)\n", cli->path,
		    (long long)r->committed_rows, file);
}

static void
json_counts(struct kto_json *j, const struct kto_import_counts *c)
{
	kto_json_kv_int(j, "added", c->added);
	kto_json_kv_int(j, "updated", c->updated);
	kto_json_kv_int(j, "unchanged", c->unchanged);
	kto_json_kv_int(j, "rejected", c->rejected);
}

static int
json_report(struct cli *cli, const char *file, const char *code, bool dry_run,
            const struct kto_import_report *r)
{
	struct cli_json out;

	cli_json_start(&out);
	kto_json_object_begin(&out.j);
	kto_json_kv_int(&out.j, "import_id", r->import_id);
	kto_json_kv_string(&out.j, "municipality", code);
	kto_json_kv_string(&out.j, "file", file);
	kto_json_key(&out.j, "dry_run");
	kto_json_bool(&out.j, dry_run);
	kto_json_kv_string(&out.j, "delimiter", (char[2]){ r->delimiter, '\0' });
	kto_json_kv_string(&out.j, "columns", r->columns);
	kto_json_kv_string(&out.j, "ignored_columns", r->ignored);
	kto_json_kv_int(&out.j, "rows", r->rows);
	kto_json_key(&out.j, "channels");
	kto_json_array_begin(&out.j);
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "channel", kto_channel_name((enum kto_channel)c));
		json_counts(&out.j, &r->channel[c]);
		kto_json_object_end(&out.j);
	}
	kto_json_array_end(&out.j);
	kto_json_key(&out.j, "totals");
	kto_json_object_begin(&out.j);
	json_counts(&out.j, &r->total);
	kto_json_object_end(&out.j);
	kto_json_key(&out.j, "rejects");
	kto_json_array_begin(&out.j);
	for (size_t i = 0; i < r->n_rejects; i++) {
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "row", r->rejects[i].row);
		kto_json_kv_string(&out.j, "reason", r->rejects[i].reason);
		kto_json_object_end(&out.j);
	}
	kto_json_array_end(&out.j);
	kto_json_key(&out.j, "stopped");
	kto_json_bool(&out.j, r->stopped);
	kto_json_kv_string(&out.j, "stop_reason", r->stopped ? r->stop_reason : NULL);
	kto_json_object_end(&out.j);
	return cli_json_done(cli, &out);
}

static int
contacts_import(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "rejects", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_import_options opt = { false, NULL, NULL, NULL };
	struct kto_import_report *rep;
	struct progress prog = { 0, false };
	const char *code = NULL, *rejects = NULL, *file;
	struct kto_db *db;
	struct stat sb;
	FILE *in;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hm:nr:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			code = optarg;
		else if (c == 'n')
			opt.dry_run = true;
		else if (c == 'r')
			rejects = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (code == NULL)
		return cli_usage_error(cli, cmd, "--municipality is required");
	file = argv[optind];
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (in == NULL) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", cli->path, file,
		    strerror(errno));
		return CLI_EXIT_INPUT;
	}
	if (fstat(fileno(in), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "%s: '%s' is a directory, not a CSV file\n", cli->path,
		    file);
		fclose(in);
		return CLI_EXIT_INPUT;
	}
	if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
		prog.size = (unsigned long long)sb.st_size;
	if (isatty(STDERR_FILENO) && isatty(STDOUT_FILENO) && !cli->json) {
		opt.progress = show_progress;
		opt.progress_ctx = &prog;
	}
	if (rejects != NULL && (opt.rejects = fopen(rejects, "wb")) == NULL) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", cli->path, rejects,
		    strerror(errno));
		if (in != stdin)
			fclose(in);
		return CLI_EXIT_INPUT;
	}
	rep = calloc(1, sizeof *rep);
	if (rep == NULL || (db = cli_db(cli)) == NULL) {
		status = rep == NULL ? CLI_EXIT_INTERNAL : cli->open_status;
		goto out;
	}
	rc = kto_contacts_import(db, cli_actor(), code, in, file, &opt, rep);
	if (prog.shown)
		fprintf(stderr, "\r%60s\r", "");
	if (rc != KTO_OK) {
		status = cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the municipalities with 'kto municipality list'" : NULL);
		if (rep->rows > 0)
			print_problems(cli, file, rep, rejects);
		if (cli_exit_for(rc) != CLI_EXIT_INPUT)
			print_kept(cli, file, &opt, rep);
		goto out;
	}
	print_problems(cli, file, rep, rejects);
	status = cli->json ? json_report(cli, file, code, opt.dry_run, rep)
	    : (print_report(file, code, opt.dry_run, rep), CLI_EXIT_OK);
	/* Rejected rows are wrong input: say so in the status, after the work. */
	if (status == CLI_EXIT_OK && (rep->total.rejected > 0 || rep->stopped))
		status = CLI_EXIT_INPUT;
out:
	free(rep);
	if (opt.rejects != NULL && fclose(opt.rejects) != 0) {
		fprintf(stderr, "%s: writing '%s' failed: %s\n", cli->path, rejects,
		    strerror(errno));
		status = CLI_EXIT_INPUT;
	}
	if (in != stdin)
		fclose(in);
	return status;
}

const struct cli_cmd cli_contacts_cmds[] = {
	{ "import", "import a municipality's contacts from a CSV file",
	  "Usage: kto contacts import --municipality CODE FILE.csv [--dry-run]\n"
	  "                           [--rejects FILE] [--json]\n"
	  "\n"
	  "  FILE.csv        contacts, one per row (see README: contacts CSV);\n"
	  "                  '-' reads standard input\n"
	  "  --municipality  whose contacts these are\n"
	  "  --dry-run       check every row and report, but store nothing\n"
	  "  --rejects FILE  write the rejected rows, with their reason, to FILE\n"
	  "                  (CSV: correct it and import it again)\n"
	  "\n"
	  "Columns: contact_id, channel (counter/phone/email or balie/telefoon/\n"
	  "e-mail), contact_at (2026-11-23, 2026-11-23 14:05 or 23-11-2026), and\n"
	  "optionally email, product, team, language (nl/en). Other columns are\n"
	  "not stored. Comma or semicolon separated, UTF-8. Importing the same\n"
	  "file again changes nothing. Exit status 1 when rows were rejected (the\n"
	  "other rows are stored).\n",
	  contacts_import, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
