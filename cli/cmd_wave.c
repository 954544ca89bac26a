/*
** kto wave create|sample|show|list|export-sample|verify|close
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/audit.h"
#include "engine/db.h"
#include "engine/sampling.h"
#include "engine/wave.h"

/* ---------------------------------------------------------------------- */
/* Per-channel option values: "100" for every channel, or "phone=150,..." */

enum value_kind { VALUE_COUNT, VALUE_FRACTION, VALUE_TEXT };

/*
** The next item of a per-channel list at *s: up to the next comma that
** starts another "channel=" pair, so that a decimal comma ("0,3") stays
** inside its value.  Returns NULL at the end.
*/
static char *
next_item(char **s)
{
	char *start = *s, *p;

	if (start == NULL || *start == '\0')
		return NULL;
	for (p = start; *p; p++) {
		enum kto_channel ch;
		char name[16];
		size_t n;

		if (*p != ',')
			continue;
		n = strcspn(p + 1, "=,");
		if (p[1 + n] != '=' || n == 0 || n >= sizeof name)
			continue;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		if (!kto_channel_parse(name, &ch))
			continue;
		*p = '\0';
		*s = p + 1;
		return start;
	}
	*s = p;
	return start;
}

/*
** Parses an option value into per-channel slots: ints (count), doubles
** (fraction) or strings (text).  A single value is for every channel:
** *plain is then set, so that the caller can drop it for channels the
** wave does not have.  false, with a message, when it is wrong.
*/
static bool
per_channel(struct cli *cli, const struct cli_cmd *cmd, const char *opt,
            const char *value, enum value_kind kind, void *slots, bool *plain)
{
	char buf[512], *rest = buf, *item;

	if (strlen(value) >= sizeof buf) {
		cli_usage_error(cli, cmd, "%s: the value is too long", opt);
		return false;
	}
	snprintf(buf, sizeof buf, "%s", value);
	*plain = strchr(buf, '=') == NULL;
	if (*plain && kind == VALUE_TEXT) {
		cli_usage_error(cli, cmd, "%s: write CHANNEL=VALUE, e.g. "
		    "counter=mijn-balie", opt);
		return false;
	}
	while ((item = *plain ? (rest && *rest ? (rest = NULL, buf) : NULL)
	    : next_item(&rest)) != NULL) {
		char *eq = strchr(item, '=');
		const char *v = eq ? eq + 1 : item;
		enum kto_channel ch;
		int from = 0, to = KTO_CHANNEL_COUNT;

		if (eq != NULL) {
			*eq = '\0';
			if (!kto_channel_parse(item, &ch)) {
				cli_usage_error(cli, cmd, "%s: unknown channel '%s'", opt, item);
				return false;
			}
			from = (int)ch;
			to = from + 1;
		}
		for (int c = from; c < to; c++) {
			int64_t n;
			double d;

			if (kind == VALUE_COUNT) {
				if (kto_parse_i64(v, 1, 1000000, &n) != KTO_OK) {
					cli_usage_error(cli, cmd, "%s: '%s' is not a whole number "
					    "of at least 1", opt, v);
					return false;
				}
				((int64_t *)slots)[c] = n;
			} else if (kind == VALUE_FRACTION) {
				if (kto_parse_double(v, 0, 1, &d) != KTO_OK || d <= 0) {
					cli_usage_error(cli, cmd, "%s: '%s' must be a number above "
					    "0 and at most 1, such as 0.3 or 0,3", opt, v);
					return false;
				}
				((double *)slots)[c] = d;
			} else {
				free((void *)(uintptr_t)((const char **)slots)[c]);
				((const char **)slots)[c] = strdup(v);
			}
		}
	}
	return true;
}

static bool
parse_days(struct cli *cli, const struct cli_cmd *cmd, const char *opt,
           const char *v, int *out)
{
	int64_t n;

	if (kto_parse_i64(v, 0, 1096, &n) != KTO_OK) {
		cli_usage_error(cli, cmd, "%s: '%s' is not a number of days", opt, v);
		return false;
	}
	*out = (int)n;
	return true;
}

/* Reads a wave id argument; false (after a usage message) when it is not one. */
static bool
wave_id(struct cli *cli, const struct cli_cmd *cmd, const char *s, int64_t *id)
{
	if (kto_parse_i64(s, 1, INT64_MAX, id) != KTO_OK) {
		cli_usage_error(cli, cmd, "'%s' is not a wave number", s);
		return false;
	}
	return true;
}

/* The prologue of the commands that take one WAVE argument. */
static int
wave_begin(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
           int64_t *id, struct kto_db **db)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1) ||
	    !wave_id(cli, cmd, argv[optind], id))
		return CLI_EXIT_USAGE;
	if ((*db = cli_db(cli)) == NULL)
		return cli->open_status;
	return CLI_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* create                                                                  */

static int
wave_create(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "channels", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 'T' },
		{ "response-rate", required_argument, NULL, 'R' },
		{ "max-invitations", required_argument, NULL, 'M' },
		{ "def", required_argument, NULL, 'd' },
		{ "continuous", required_argument, NULL, 'C' },
		{ "recent-days", required_argument, NULL, 'r' },
		{ "reminder-days", required_argument, NULL, 'D' },
		{ "exclude-invited-days", required_argument, NULL, 'X' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_wave_spec spec;
	struct kto_wave_info w;
	struct kto_db *db;
	int64_t id, seed;
	int c, status = CLI_EXIT_OK;
	bool ok = true, plain = false, continuous_plain = false, any = false;
	enum kto_rc rc;

	kto_wave_spec_init(&spec);
	while (ok && (c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			goto out;
		switch (c) {
		case 'm': spec.municipality = optarg; break;
		case 'f': spec.from = optarg; break;
		case 't': spec.to = optarg; break;
		case 'c': {
			char buf[128], *item, *save = NULL;
			enum kto_channel ch;

			snprintf(buf, sizeof buf, "%s", optarg);
			for (item = strtok_r(buf, ",", &save); item && ok;
			    item = strtok_r(NULL, ",", &save)) {
				if (!kto_channel_parse(item, &ch)) {
					status = cli_usage_error(cli, cmd, "--channels: unknown "
					    "channel '%s'; use counter, phone, email", item);
					ok = false;
				} else {
					spec.channel[ch] = true;
				}
			}
			break;
		}
		case 'T': ok = per_channel(cli, cmd, "--target", optarg, VALUE_COUNT, spec.target, &plain); break;
		case 'R': ok = per_channel(cli, cmd, "--response-rate", optarg, VALUE_FRACTION, spec.response_rate, &plain); break;
		case 'M': ok = per_channel(cli, cmd, "--max-invitations", optarg, VALUE_COUNT, spec.max_invitations, &plain); break;
		case 'd': ok = per_channel(cli, cmd, "--def", optarg, VALUE_TEXT, spec.def, &plain); break;
		case 'C':
			ok = per_channel(cli, cmd, "--continuous", optarg, VALUE_FRACTION,
			    spec.continuous, &plain);
			continuous_plain = plain;
			break;
		case 'r': ok = parse_days(cli, cmd, "--recent-days", optarg, &spec.recent_days); break;
		case 'D': ok = parse_days(cli, cmd, "--reminder-days", optarg, &spec.reminder_days); break;
		case 'X': ok = parse_days(cli, cmd, "--exclude-invited-days", optarg, &spec.invited_recently_days); break;
		case 's':
			if (kto_parse_i64(optarg, 0, INT64_MAX, &seed) != KTO_OK) {
				status = cli_usage_error(cli, cmd, "--seed: '%s' is not a "
				    "whole number from 0", optarg);
				ok = false;
			}
			spec.has_seed = true;
			spec.seed = (uint64_t)seed;
			break;
		}
	}
	if (!ok) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	/* One --continuous value is for the wave's channels, not all three. */
	for (int k = 0; k < KTO_CHANNEL_COUNT; k++)
		any |= spec.channel[k];
	for (int k = 0; k < KTO_CHANNEL_COUNT && any && continuous_plain; k++)
		if (!spec.channel[k])
			spec.continuous[k] = 0;
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0)) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (spec.municipality == NULL || spec.from == NULL || spec.to == NULL) {
		status = cli_usage_error(cli, cmd, "--municipality, --from and --to "
		    "are required");
		goto out;
	}
	if ((db = cli_db(cli)) == NULL) {
		status = cli->open_status;
		goto out;
	}
	rc = kto_wave_create(db, cli_actor(), &spec, &id);
	if (rc == KTO_OK)
		rc = kto_wave_get(db, id, &w);
	if (rc != KTO_OK) {
		status = cli_fail(cli, rc, NULL);
		goto out;
	}
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "id", w.id);
		kto_json_kv_string(&out.j, "municipality", w.municipality);
		kto_json_kv_string(&out.j, "state", w.state);
		kto_json_kv_int(&out.j, "seed", (int64_t)w.seed);
		kto_json_object_end(&out.j);
		status = cli_json_done(cli, &out);
	} else {
		printf("Created wave %lld for %s %s, %s to %s (seed %llu).\n",
		    (long long)w.id, w.municipality, w.municipality_name, w.from, w.to,
		    (unsigned long long)w.seed);
		printf("Draw its sample with: kto wave sample %lld\n", (long long)w.id);
	}
out:
	for (int k = 0; k < KTO_CHANNEL_COUNT; k++)
		free((void *)(uintptr_t)spec.def[k]);
	return status;
}

/* ---------------------------------------------------------------------- */
/* show                                                                    */

static int
show_json(struct cli *cli, const struct kto_wave_info *w)
{
	struct cli_json out;

	cli_json_start(&out);
	kto_wave_json(&out.j, w);
	return cli_json_done(cli, &out);
}

static void
row(const struct kto_wave_info *w, const char *label, int64_t (*get)(
    const struct kto_wave_counts *, int), int arg)
{
	printf("  %-26s", label);
	for (size_t i = 0; i < w->n_channels; i++)
		printf(" %10lld", (long long)get(&w->channels[i].n, arg));
	if (w->n_channels > 1)
		printf(" %10lld", (long long)get(&w->totals, arg));
	printf("\n");
}

static int64_t get_population(const struct kto_wave_counts *n, int a) { (void)a; return n->population; }
static int64_t get_excluded(const struct kto_wave_counts *n, int a) { return n->excluded[a]; }
static int64_t get_frame(const struct kto_wave_counts *n, int a) { (void)a; return n->frame; }
static int64_t get_sampled(const struct kto_wave_counts *n, int a) { (void)a; return n->sampled; }
static int64_t get_shortfall(const struct kto_wave_counts *n, int a) { (void)a; return n->shortfall; }
static int64_t get_invited(const struct kto_wave_counts *n, int a) { (void)a; return n->invited; }
static int64_t get_reminded(const struct kto_wave_counts *n, int a) { (void)a; return n->reminded; }
static int64_t get_responded(const struct kto_wave_counts *n, int a) { (void)a; return n->responded; }
static int64_t get_failed(const struct kto_wave_counts *n, int a) { (void)a; return n->mail_failed; }
static int64_t get_pending(const struct kto_wave_counts *n, int a) { (void)a; return n->mail_pending; }

static const char *const exclusion_labels[KTO_EXCL_COUNT] = {
	"  no e-mail address", "  staff or test address", "  opted out",
	"  invited recently", "  contact too long ago", "  same address again",
};

static void
show_text(const struct kto_wave_info *w)
{
	bool drawn = strcmp(w->state, "draft") != 0;

	printf("Wave %lld: %s %s, %s to %s, %s%s\n", (long long)w->id,
	    w->municipality, w->municipality_name, w->from, w->to, w->state,
	    w->continuous ? " (continuous)" : "");
	printf("Seed %llu; contacts at most %d days old at sampling; no one "
	    "invited within %d days; reminder after %d days\n",
	    (unsigned long long)w->seed, w->recent_days, w->invited_recently_days,
	    w->reminder_days);
	printf("\n  %-26s", "");
	for (size_t i = 0; i < w->n_channels; i++)
		printf(" %10s", kto_channel_name(w->channels[i].channel));
	if (w->n_channels > 1)
		printf(" %10s", "total");
	printf("\n");
	for (size_t i = 0; i < w->n_channels; i++)
		printf("  %-26s %s version %lld\n", i == 0 ? "survey definitions" : "",
		    w->channels[i].def_name, (long long)w->channels[i].def_version);
	printf("  %-26s", "target (responses)");
	for (size_t i = 0; i < w->n_channels; i++)
		printf(" %10lld", (long long)w->channels[i].target);
	printf("\n  %-26s", "expected response rate");
	for (size_t i = 0; i < w->n_channels; i++)
		printf(" %9.0f%%", w->channels[i].response_rate * 100);
	printf("\n");
	row(w, drawn ? "contacts in period (N)" : "contacts in period so far", get_population, 0);
	if (!drawn) {
		printf("\nNot sampled yet: kto wave sample %lld\n", (long long)w->id);
		return;
	}
	printf("  %-26s\n", "excluded:");
	for (int e = 0; e < KTO_EXCL_COUNT; e++)
		row(w, exclusion_labels[e], get_excluded, e);
	row(w, "frame (eligible)", get_frame, 0);
	row(w, "sample", get_sampled, 0);
	if (w->totals.shortfall > 0)
		row(w, "short of the plan", get_shortfall, 0);
	row(w, "invited", get_invited, 0);
	row(w, "reminded", get_reminded, 0);
	row(w, "responded", get_responded, 0);
	row(w, "mail waiting (incl. retries)", get_pending, 0);
	row(w, "mail failures", get_failed, 0);
}

/* Prints one wave, as JSON or as text: what show and sample end with. */
static int
print_wave(struct cli *cli, struct kto_db *db, int64_t id)
{
	struct kto_wave_info *w;
	int status = CLI_EXIT_OK;
	enum kto_rc rc;

	if ((w = malloc(sizeof *w)) == NULL)
		return CLI_EXIT_INTERNAL;
	if ((rc = kto_wave_get(db, id, w)) != KTO_OK)
		status = cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the waves with 'kto wave list'" : NULL);
	else if (cli->json)
		status = show_json(cli, w);
	else
		show_text(w);
	free(w);
	return status;
}

static int
wave_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	int64_t id;
	int status;

	if ((status = wave_begin(cli, cmd, argc, argv, &id, &db)) != CLI_CONTINUE)
		return status;
	return print_wave(cli, db, id);
}

/* ---------------------------------------------------------------------- */
/* sample, verify, close, list, export-sample                              */

static int
wave_sample(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_sample_report rep;
	struct kto_db *db;
	int64_t id;
	int status;
	enum kto_rc rc;

	if ((status = wave_begin(cli, cmd, argc, argv, &id, &db)) != CLI_CONTINUE)
		return status;
	if ((rc = kto_wave_sample(db, cli_actor(), id, &rep)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	for (size_t i = 0; i < rep.n; i++) {
		const struct kto_sample_result *r = &rep.channels[i];

		if (r->drawn && r->shortfall > 0 && !r->continuous)
			fprintf(stderr, "%s: %s: the frame has only %lld eligible "
			    "contacts; all are invited, %lld fewer than the %lld "
			    "planned\n", cli->path, kto_channel_name(r->channel),
			    (long long)r->frame, (long long)r->shortfall,
			    (long long)r->planned);
	}
	return print_wave(cli, db, id);
}

static int
wave_verify(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char summary[4096];
	struct kto_db *db;
	int64_t id;
	int status;
	enum kto_rc rc;

	if ((status = wave_begin(cli, cmd, argc, argv, &id, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	rc = kto_wave_verify(db, id, summary, sizeof summary);
	fputs(summary, stdout);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("Wave %lld: drawing again from the recorded frames and seed gives "
	    "exactly the sample that was invited.\n", (long long)id);
	return CLI_EXIT_OK;
}

static int
wave_close(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	int64_t id;
	int status;
	enum kto_rc rc;

	if ((status = wave_begin(cli, cmd, argc, argv, &id, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_wave_close(db, cli_actor(), id)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("Closed wave %lld: no more invitations, reminders or answers.\n",
	    (long long)id);
	return CLI_EXIT_OK;
}

static int
wave_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_wave_summary *list;
	const char *code = NULL;
	struct kto_db *db;
	size_t n;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hm:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			code = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_wave_list(db, code, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			kto_json_kv_int(&out.j, "id", list[i].id);
			kto_json_kv_string(&out.j, "municipality", list[i].municipality);
			kto_json_kv_string(&out.j, "state", list[i].state);
			kto_json_kv_string(&out.j, "from", list[i].from);
			kto_json_kv_string(&out.j, "to", list[i].to);
			kto_json_key(&out.j, "continuous");
			kto_json_bool(&out.j, list[i].continuous);
			kto_json_kv_int(&out.j, "sampled", list[i].sampled);
			kto_json_kv_int(&out.j, "responded", list[i].responded);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No waves yet; create one with 'kto wave create'.\n");
	} else {
		printf("%6s  %-10s %-10s %-10s %-10s %8s %9s\n", "WAVE", "MUNICIP.",
		    "STATE", "FROM", "TO", "SAMPLED", "RESPONDED");
		for (size_t i = 0; i < n; i++)
			printf("%6lld  %-10s %-10s %-10s %-10s %8lld %9lld%s\n",
			    (long long)list[i].id, list[i].municipality, list[i].state,
			    list[i].from, list[i].to, (long long)list[i].sampled,
			    (long long)list[i].responded,
			    list[i].continuous ? "  continuous" : "");
	}
	free(list);
	return status;
}

/* Who took a wave's sample, for the audit log. */
static enum kto_rc
audit_sample_export(struct kto_db *db, int64_t id, const char *path)
{
	struct kto_wave_info w;
	char subject[32];
	enum kto_rc rc = kto_wave_get_header(db, id, &w);

	if (rc != KTO_OK)
		return rc;
	snprintf(subject, sizeof subject, "wave %lld", (long long)id);
	return kto_audit_code(db, cli_actor(), "export.sample", w.municipality, subject,
	    path ? path : "-");
}

static int
wave_export_sample(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL;
	struct kto_db *db;
	struct kto_sample_row *rows = NULL;
	size_t n = 0;
	int64_t id;
	FILE *out = stdout;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "ho:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'o')
			path = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1) ||
	    !wave_id(cli, cmd, argv[optind], &id))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_wave_sample_rows(db, id, &rows, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (path != NULL && (out = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", cli->path, path,
		    strerror(errno));
		free(rows);
		return CLI_EXIT_INPUT;
	}
	{
		struct kto_buf line = KTO_BUF_INIT(4096);

		fputs("contact_id,channel\r\n", out);
		for (size_t i = 0; i < n; i++) {
			kto_buf_reset(&line);
			/* The id came from the municipality's file: quote it safely. */
			kto_csv_field(&line, rows[i].contact_id, ',');
			kto_buf_addf(&line, ",%s\r\n", kto_channel_name(rows[i].channel));
			fwrite(kto_buf_str(&line), 1, line.len, out);
		}
		kto_buf_release(&line);
	}
	free(rows);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "%s: writing '%s' failed: %s\n", cli->path, path,
		    strerror(errno));
		status = CLI_EXIT_INPUT;
	}
	if (status == CLI_EXIT_OK && (rc = audit_sample_export(db, id, path)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	return status;
}

const struct cli_cmd cli_wave_cmds[] = {
	{ "create", "create a survey wave (a draft, until its sample is drawn)",
	  "Usage: kto wave create --municipality CODE --from DATE --to DATE\n"
	  "                       [--channels counter,phone,email] [--target N]\n"
	  "                       [--response-rate R] [--max-invitations N]\n"
	  "                       [--def CHANNEL=NAME[@VERSION]] [--continuous F]\n"
	  "                       [--recent-days D] [--reminder-days D]\n"
	  "                       [--exclude-invited-days D] [--seed S] [--json]\n"
	  "\n"
	  "  --from, --to        the period whose contacts form the population\n"
	  "  --channels          the channels (strata); default all three\n"
	  "  --target            completed questionnaires wanted (default 100)\n"
	  "  --response-rate     expected share that answers (default: what this\n"
	  "                      municipality's earlier waves achieved, else 0.3)\n"
	  "  --max-invitations   a cap on the invitations\n"
	  "  --def               the survey definition (default kto-balie,\n"
	  "                      kto-telefoon, kto-email)\n"
	  "  --continuous F      sample continuously: each new contact with\n"
	  "                      probability F (run 'kto wave sample' daily)\n"
	  "  --recent-days       invite only contacts at most D days old (7)\n"
	  "  --reminder-days     days until the one reminder (5; 0: none)\n"
	  "  --exclude-invited-days  skip addresses invited in the last D days\n"
	  "                      by any wave (182)\n"
	  "  --seed              the random seed (default: random; always kept)\n"
	  "\n"
	  "--target, --response-rate, --max-invitations and --continuous take one\n"
	  "value for every channel, or CHANNEL=VALUE pairs: --target phone=150,\n"
	  "counter=80.\n",
	  wave_create, NULL },
	{ "sample", "draw the sample and queue the invitations",
	  "Usage: kto wave sample WAVE [--json]\n"
	  "\n"
	  "Draws a stratified random sample per channel from the eligible contacts\n"
	  "and queues one invitation per sampled contact. A wave is sampled once;\n"
	  "a continuous wave draws the contacts that arrived since its last draw.\n",
	  wave_sample, NULL },
	{ "show", "show a wave: population, exclusions, sample, progress",
	  "Usage: kto wave show WAVE [--json]\n",
	  wave_show, NULL },
	{ "list", "list the waves",
	  "Usage: kto wave list [--municipality CODE] [--json]\n",
	  wave_list, NULL },
	{ "export-sample", "write the drawn sample as CSV (no addresses)",
	  "Usage: kto wave export-sample WAVE [--out FILE]\n"
	  "\n"
	  "CSV with the columns contact_id,channel, in the order of the draw.\n",
	  wave_export_sample, NULL },
	{ "verify", "draw the sample again from the record and compare",
	  "Usage: kto wave verify WAVE\n"
	  "\n"
	  "For the audit: draws each sample again from its recorded frame and\n"
	  "seed and checks it equals the invitations. Exit 0 when identical.\n",
	  wave_verify, NULL },
	{ "close", "close a wave: no more invitations, reminders or answers",
	  "Usage: kto wave close WAVE\n",
	  wave_close, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
