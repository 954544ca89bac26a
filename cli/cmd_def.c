/*
** kto def check|load|list|show: survey definitions.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli/cli.h"
#include "engine/db.h"
#include "engine/defstore.h"
#include "engine/surveydef.h"

/* Prints diagnostics as FILE:LINE:COL: message, like a compiler. */
static void
print_diags(const char *file, const struct kto_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct kto_diag *g = &d->v[i];
		const char *sev = g->severity == KTO_SEV_WARNING ? "warning: " : "";

		if (g->line > 0)
			fprintf(out, "%s:%d:%d: %s%s\n", file, g->line, g->col, sev, g->msg);
		else
			fprintf(out, "%s: %s%s\n", file, sev, g->msg);
	}
	if (d->dropped > 0)
		fprintf(out, "%s: ... and %zu more problems not shown\n", file, d->dropped);
}

static void
json_diags(struct kto_json *j, const struct kto_diags *d)
{
	kto_json_key(j, "problems");
	kto_json_array_begin(j);
	for (size_t i = 0; i < d->n; i++) {
		kto_json_object_begin(j);
		kto_json_kv_string(j, "severity", d->v[i].severity == KTO_SEV_WARNING
		    ? "warning" : "error");
		kto_json_kv_int(j, "line", d->v[i].line);
		kto_json_kv_int(j, "col", d->v[i].col);
		kto_json_kv_string(j, "message", d->v[i].msg);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_kv_int(j, "errors", (int64_t)d->errors);
	kto_json_kv_int(j, "warnings", (int64_t)d->warnings);
}

/*
** Reads a definition file; a file too large or unreadable becomes a
** diagnostic, so it is reported like any other problem.
*/
static char *
read_def(const char *path, size_t *len, struct kto_diags *d)
{
	struct kto_err err = KTO_ERR_INIT;
	char *src = NULL;
	enum kto_rc rc = kto_file_read(path, KTO_DEF_MAX_FILE, &src, len, &err);

	if (rc == KTO_ELIMIT)
		kto_diag_add(d, KTO_SEV_ERROR, 0, 0, "the file is %s%zu bytes; a "
		    "survey definition may be at most %u bytes (1 MiB). Is this the "
		    "right file?", *len > KTO_DEF_MAX_FILE + 1 ? "" : "more than ",
		    *len > KTO_DEF_MAX_FILE + 1 ? *len : (size_t)KTO_DEF_MAX_FILE,
		    KTO_DEF_MAX_FILE);
	else if (rc != KTO_OK)
		kto_diag_add(d, KTO_SEV_ERROR, 0, 0, "%s", kto_err_msg(&err));
	return src;
}

static void
summary_line(const char *file, const struct kto_survey *s)
{
	printf("%s: ok: survey %s (%s), %zu questions on %zu pages, %zu norms\n",
	    file, s->name, kto_channel_name(s->channel), s->n_questions,
	    s->n_pages, s->n_norms);
}

static int
def_check(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct cli_json out;
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 1, argc))
		return CLI_EXIT_USAGE;
	if (cli->json) {
		cli_json_start(&out);
		kto_json_array_begin(&out.j);
	}
	for (int i = optind; i < argc; i++) {
		struct kto_diags d;
		struct kto_survey *s = NULL;
		size_t len = 0;
		char *src;
		enum kto_rc rc = KTO_EINPUT;

		kto_diags_init(&d);
		src = read_def(argv[i], &len, &d);
		if (src != NULL)
			rc = kto_survey_parse(src, len, &s, &d);
		if (rc == KTO_ENOMEM) {
			fprintf(stderr, "%s: out of memory checking %s\n", cli->path, argv[i]);
			status = CLI_EXIT_INTERNAL;
		} else if (rc != KTO_OK && status == CLI_EXIT_OK) {
			status = CLI_EXIT_INPUT;
		}
		if (cli->json) {
			kto_json_object_begin(&out.j);
			kto_json_kv_string(&out.j, "file", argv[i]);
			kto_json_key(&out.j, "valid");
			kto_json_bool(&out.j, rc == KTO_OK);
			kto_json_kv_string(&out.j, "survey", s ? s->name : NULL);
			json_diags(&out.j, &d);
			kto_json_object_end(&out.j);
		} else {
			print_diags(argv[i], &d, stderr);
			if (s != NULL)
				summary_line(argv[i], s);
			else
				fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", argv[i],
				    d.errors, d.errors == 1 ? "" : "s", d.warnings,
				    d.warnings == 1 ? "" : "s");
		}
		kto_survey_free(s);
		kto_diags_release(&d);
		free(src);
	}
	if (cli->json) {
		int js;

		kto_json_array_end(&out.j);
		js = cli_json_done(cli, &out);
		if (js != CLI_EXIT_OK)
			return js;
	}
	return status;
}

static void
json_version(struct kto_json *j, const struct kto_def_version *v)
{
	kto_json_kv_int(j, "id", v->id);
	kto_json_kv_string(j, "name", v->name);
	kto_json_kv_string(j, "channel", v->channel);
	kto_json_kv_int(j, "version", v->version);
	kto_json_kv_string(j, "hash", v->hash);
}

static int
def_load(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct cli_json out;
	struct kto_db *db;
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 1, argc))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if (cli->json) {
		cli_json_start(&out);
		kto_json_array_begin(&out.j);
	}
	/* Each file on its own: one bad file does not stop the others. */
	for (int i = optind; i < argc; i++) {
		struct kto_def_version v;
		struct kto_diags d;
		size_t len = 0;
		bool created = false;
		char *src;
		enum kto_rc rc = KTO_EINPUT;

		kto_diags_init(&d);
		src = read_def(argv[i], &len, &d);
		if (src != NULL)
			rc = kto_def_load(db, cli_actor(), argv[i], src, len, &v,
			    &created, &d);
		print_diags(argv[i], &d, stderr);
		if (rc != KTO_OK) {
			if (src != NULL)
				fprintf(stderr, "%s: %s\n", cli->path, kto_db_errmsg(db));
			if (cli_exit_for(rc) > status)
				status = cli_exit_for(rc);
		} else if (cli->json) {
			kto_json_object_begin(&out.j);
			kto_json_kv_string(&out.j, "file", argv[i]);
			json_version(&out.j, &v);
			kto_json_key(&out.j, "created");
			kto_json_bool(&out.j, created);
			kto_json_object_end(&out.j);
		} else if (created) {
			printf("%s: loaded %s version %lld (sha256 %.12s)\n", argv[i],
			    v.name, (long long)v.version, v.hash);
		} else {
			struct kto_def_version newest;

			printf("%s: unchanged, already stored as %s version %lld", argv[i],
			    v.name, (long long)v.version);
			if (kto_def_get(db, v.name, &newest, NULL) == KTO_OK &&
			    newest.version != v.version)
				printf(" (the newest is version %lld; to make this text the "
				    "newest again, change it, e.g. in a comment)",
				    (long long)newest.version);
			printf("\n");
		}
		kto_diags_release(&d);
		free(src);
	}
	if (cli->json) {
		int js;

		kto_json_array_end(&out.j);
		js = cli_json_done(cli, &out);
		if (js != CLI_EXIT_OK)
			return js;
	}
	return status;
}

static int
def_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "latest", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_def_version *list;
	struct kto_db *db;
	bool latest = false;
	size_t n;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'l')
			latest = true;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_def_list(db, latest, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			json_version(&out.j, &list[i]);
			kto_json_kv_string(&out.j, "loaded_at", list[i].loaded_at);
			kto_json_kv_int(&out.j, "responses", list[i].responses);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No survey definitions yet; load one with 'kto def load FILE'.\n");
	} else {
		printf("%5s  %-24s %-8s %7s  %-12s %9s  %s\n", "ID", "NAME", "CHANNEL",
		    "VERSION", "SHA256", "RESPONSES", "LOADED");
		for (size_t i = 0; i < n; i++)
			printf("%5lld  %-24s %-8s %7lld  %.12s %9lld  %s\n",
			    (long long)list[i].id, list[i].name, list[i].channel,
			    (long long)list[i].version, list[i].hash,
			    (long long)list[i].responses, list[i].loaded_at);
	}
	free(list);
	return status;
}

static void
json_text(struct kto_json *j, const char *key, const struct kto_text *t)
{
	kto_json_key(j, key);
	if (t->nl == NULL) {
		kto_json_null(j);
		return;
	}
	kto_json_object_begin(j);
	kto_json_kv_string(j, "nl", t->nl);
	kto_json_kv_string(j, "en", t->en);
	kto_json_object_end(j);
}

static void
json_cond(struct kto_json *j, const char *key, const struct kto_cond *c)
{
	kto_json_kv_string(j, key, c ? c->source : NULL);
}

static void
json_question(struct kto_json *j, const struct kto_question *q)
{
	kto_json_object_begin(j);
	kto_json_kv_string(j, "id", q->id);
	kto_json_kv_string(j, "type", kto_qtype_name(q->type));
	kto_json_kv_string(j, "area", q->area ? kto_area_code(q->area) : NULL);
	kto_json_key(j, "required");
	kto_json_bool(j, q->required);
	kto_json_key(j, "dont_know");
	kto_json_bool(j, q->dont_know);
	json_text(j, "text", &q->text);
	json_text(j, "help", &q->help);
	json_cond(j, "show_if", q->show_if);
	if (q->n_options > 0) {
		kto_json_key(j, "options");
		kto_json_array_begin(j);
		for (size_t i = 0; i < q->n_options; i++) {
			kto_json_object_begin(j);
			kto_json_kv_string(j, "code", q->options[i].code);
			json_text(j, "label", &q->options[i].label);
			kto_json_object_end(j);
		}
		kto_json_array_end(j);
	}
	if (q->type == KTO_Q_NUMBER) {
		kto_json_kv_double(j, "min", q->min);
		kto_json_kv_double(j, "max", q->max);
		kto_json_kv_int(j, "decimals", q->decimals);
		json_text(j, "unit", &q->unit);
	}
	if (q->type == KTO_Q_TEXT || q->type == KTO_Q_OPEN) {
		kto_json_kv_int(j, "max_length", q->max_length);
		kto_json_kv_string(j, "pattern", q->pattern_source);
	}
	kto_json_object_end(j);
}

static void
json_survey(struct kto_json *j, const struct kto_survey *s)
{
	json_text(j, "title", &s->title);
	json_text(j, "intro", &s->intro);
	json_text(j, "thanks", &s->thanks);
	kto_json_kv_string(j, "overall", s->overall ? s->overall->id : NULL);
	kto_json_key(j, "pages");
	kto_json_array_begin(j);
	for (size_t p = 0; p < s->n_pages; p++) {
		const struct kto_page *pg = &s->pages[p];

		kto_json_object_begin(j);
		kto_json_kv_string(j, "id", pg->id);
		json_text(j, "title", &pg->title);
		json_cond(j, "show_if", pg->show_if);
		kto_json_key(j, "questions");
		kto_json_array_begin(j);
		for (size_t i = 0; i < pg->n_questions; i++)
			json_question(j, &s->questions[pg->first_question + i]);
		kto_json_array_end(j);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "norms");
	kto_json_array_begin(j);
	for (size_t i = 0; i < s->n_norms; i++) {
		const struct kto_norm *n = &s->norms[i];

		kto_json_object_begin(j);
		kto_json_kv_string(j, "id", n->id);
		json_text(j, "text", &n->text);
		kto_json_kv_string(j, "item", n->item ? n->item->id : NULL);
		json_cond(j, "met_if", n->met_if);
		json_cond(j, "applies_if", n->applies_if);
		kto_json_kv_double(j, "target", n->target);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "mails");
	kto_json_object_begin(j);
	for (int m = 0; m < 2; m++) {
		const struct kto_mail *mail = m ? &s->reminder : &s->invitation;

		kto_json_key(j, m ? "reminder" : "invitation");
		if (!mail->present) {
			kto_json_null(j);
			continue;
		}
		kto_json_object_begin(j);
		json_text(j, "subject", &mail->subject);
		json_text(j, "body", &mail->body);
		kto_json_object_end(j);
	}
	kto_json_object_end(j);
}

static void
print_survey(const struct kto_def_version *v, const struct kto_survey *s)
{
	printf("%s version %lld (%s), sha256 %.12s, loaded %s from %s\n", v->name,
	    (long long)v->version, v->channel, v->hash, v->loaded_at,
	    v->source_name[0] ? v->source_name : "?");
	printf("Responses: %lld\n", (long long)v->responses);
	printf("Title:     %s%s%s\n", s->title.nl, s->title.en ? " / " : "",
	    s->title.en ? s->title.en : "");
	printf("Overall:   %s\n", s->overall ? s->overall->id : "-");
	for (size_t p = 0; p < s->n_pages; p++) {
		const struct kto_page *pg = &s->pages[p];

		printf("\nPage %zu%s%s%s%s\n", p + 1, pg->id[0] ? " " : "", pg->id,
		    pg->title.nl ? ": " : "", pg->title.nl ? pg->title.nl : "");
		if (pg->show_if)
			printf("  shown if %s\n", pg->show_if->source);
		for (size_t i = 0; i < pg->n_questions; i++) {
			const struct kto_question *q = &s->questions[pg->first_question + i];

			printf("  %-8s %-7s %-4s %s%s\n", q->id, kto_qtype_name(q->type),
			    q->area ? kto_area_code(q->area) : "-", q->text.nl,
			    q->required ? " *" : "");
			if (q->show_if)
				printf("  %-8s shown if %s\n", "", q->show_if->source);
		}
	}
	if (s->n_norms > 0)
		printf("\nService norms\n");
	for (size_t i = 0; i < s->n_norms; i++) {
		const struct kto_norm *n = &s->norms[i];

		printf("  %-8s %s: met if %s%s%s; target %g%%\n", n->id, n->text.nl,
		    n->met_if ? n->met_if->source : "?",
		    n->applies_if ? ", for those with " : "",
		    n->applies_if ? n->applies_if->source : "", n->target);
	}
	printf("\nMails: invitation%s\n", s->reminder.present ? " and reminder" :
	    " (no reminder)");
}

static int
def_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_def_version v;
	struct kto_survey *s = NULL;
	struct kto_diags d;
	struct kto_db *db;
	char *src = NULL;
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 1, 1, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_def_get(db, argv[optind], &v, &src)) != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the definitions with 'kto def list'" : NULL);
	kto_diags_init(&d);
	rc = kto_survey_parse(src, strlen(src), &s, &d);
	if (rc != KTO_OK) {
		/* Stored versions were valid when loaded; a newer kto may be stricter. */
		print_diags(v.name, &d, stderr);
		status = cli_fail(cli, rc, NULL);
	} else if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		json_version(&out.j, &v);
		kto_json_kv_string(&out.j, "loaded_at", v.loaded_at);
		kto_json_kv_string(&out.j, "source_name", v.source_name);
		kto_json_kv_int(&out.j, "responses", v.responses);
		json_survey(&out.j, s);
		kto_json_object_end(&out.j);
		status = cli_json_done(cli, &out);
	} else {
		print_survey(&v, s);
	}
	kto_survey_free(s);
	kto_diags_release(&d);
	free(src);
	return status;
}

const struct cli_cmd cli_def_cmds[] = {
	{ "check", "check survey definition files and explain every mistake",
	  "Usage: kto def check FILE... [--json]\n"
	  "\n"
	  "Reports every problem as FILE:LINE:COL: message. Exit status 0 when all\n"
	  "files are valid (warnings allowed), 1 otherwise. Needs no database.\n"
	  "The format is described in survey-defs/FORMAT.md.\n",
	  def_check, NULL },
	{ "load", "store survey definitions as new versions",
	  "Usage: kto def load FILE... [--json]\n"
	  "\n"
	  "Each valid file is stored as a new version of the survey it defines;\n"
	  "a file that is stored already changes nothing. A version is never\n"
	  "changed afterwards: an edited file becomes a new version.\n",
	  def_load, NULL },
	{ "list", "list the stored survey definitions",
	  "Usage: kto def list [--latest] [--json]\n"
	  "\n"
	  "  --latest  only the newest version of each survey\n"
	  "  --json    print [{\"id\", \"name\", \"channel\", \"version\", \"hash\"}, ...]\n",
	  def_list, NULL },
	{ "show", "show one stored definition",
	  "Usage: kto def show ID [--json]\n"
	  "\n"
	  "  ID  a version id (from 'kto def list'), a survey name (its newest\n"
	  "      version) or NAME@VERSION\n",
	  def_show, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
