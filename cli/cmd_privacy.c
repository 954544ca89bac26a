/*
** kto privacy purge|export|erase|settings: the retention purge and a
** citizen's requests under the AVG (articles 15 and 17).  The engine side
** is engine/privacy.c; docs/privacy.md says what is kept, and how long.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/db.h"
#include "engine/privacy.h"

#define OPT_RETENTION 0x200
#define OPT_DRY_RUN 0x201
#define OPT_EMAIL 0x202
#define OPT_KEEP_OPEN 0x203

/* The one sentence every export says about responses. */
#define RESPONSES_NOTE_NL "Antwoorden op de vragenlijst bevatten geen " \
	"e-mailadres. Zolang een golf loopt, wijst de uitnodiging naar het " \
	"antwoord; na de bewaartermijn of na wissen is die koppeling weg."
#define RESPONSES_NOTE_EN "Responses to the questionnaire hold no e-mail " \
	"address. While a wave runs, the invitation points to the response; " \
	"after the retention period or an erasure that link is gone."

static int
parse_days(struct cli *cli, const struct cli_cmd *cmd, const char *arg, int *out)
{
	int64_t v;

	if (kto_parse_i64(arg, 0, KTO_RETENTION_DAYS_MAX, &v) != KTO_OK)
		return cli_usage_error(cli, cmd, "--retention-days '%s' is not a "
		    "number of days from 0 to %d", arg, KTO_RETENTION_DAYS_MAX);
	*out = (int)v;
	return CLI_CONTINUE;
}

/* After a commit, the -wal file could not be emptied: say so, exit 4. */
static int
checkpoint_warning(struct cli *cli, enum kto_rc rc)
{
	fprintf(stderr, "%s: let op: de wijzigingen zijn opgeslagen, maar het "
	    "WAL-bestand kon niet worden geleegd (warning: the changes are saved, "
	    "but the -wal file could not be emptied)\n", cli->path);
	return cli_fail(cli, rc, NULL);
}

/* ---------------------------------------------------------------------- */
/* purge                                                                   */

static void
purge_json(struct cli_json *out, const struct kto_purge_report *r)
{
	kto_json_object_begin(&out->j);
	kto_json_kv_int(&out->j, "retention_days", r->retention_days);
	kto_json_kv_string(&out->j, "closed_before", r->cutoff);
	kto_json_key(&out->j, "dry_run");
	kto_json_bool(&out->j, r->dry_run);
	kto_json_kv_int(&out->j, "waves", r->waves);
	kto_json_kv_int(&out->j, "waves_new", r->waves_new);
	kto_json_kv_int(&out->j, "addresses", r->addresses);
	kto_json_kv_int(&out->j, "tokens", r->tokens);
	kto_json_kv_int(&out->j, "mails", r->mails);
	kto_json_kv_int(&out->j, "replies", r->replies);
	kto_json_kv_int(&out->j, "responses_unlinked", r->responses);
	kto_json_kv_int(&out->j, "open_answers", r->answers);
	kto_json_key(&out->j, "checkpointed");
	kto_json_bool(&out->j, r->checkpointed);
	kto_json_object_end(&out->j);
}

static void
purge_text(const struct kto_purge_report *r)
{
	printf("%s: bewaartermijn %d dagen, golven gesloten voor %s: %lld "
	    "(%lld voor het eerst).\n", r->dry_run ? "Proef (er is niets gewist)" :
	    "Opgeschoond", r->retention_days, r->cutoff, (long long)r->waves,
	    (long long)r->waves_new);
	printf("  %-32s %lld\n", r->dry_run ? "e-mailadressen te wissen:" :
	    "e-mailadressen gewist:", (long long)r->addresses);
	printf("  %-32s %lld\n", "persoonlijke links (tokens):", (long long)r->tokens);
	printf("  %-32s %lld\n", "mails in de wachtrij:", (long long)r->mails);
	printf("  %-32s %lld\n", "antwoorden van de mailserver:", (long long)r->replies);
	printf("  %-32s %lld\n", "reacties losgekoppeld:", (long long)r->responses);
	printf("  %-32s %lld\n", "adressen in open antwoorden:", (long long)r->answers);
	printf("%s: retention %d days, waves closed before %s: %lld (%lld new); "
	    "addresses %lld, tokens %lld, mails %lld, SMTP replies %lld, responses "
	    "unlinked %lld, addresses in open answers %lld.\n", r->dry_run ?
	    "Dry run, nothing erased" : "Purged", r->retention_days, r->cutoff,
	    (long long)r->waves, (long long)r->waves_new, (long long)r->addresses,
	    (long long)r->tokens, (long long)r->mails, (long long)r->replies,
	    (long long)r->responses, (long long)r->answers);
}

static int
privacy_purge(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "retention-days", required_argument, NULL, OPT_RETENTION },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_purge_report r;
	struct kto_db *db;
	int c, days = -1, status = CLI_EXIT_OK;
	bool dry_run = false;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == OPT_RETENTION &&
		    (status = parse_days(cli, cmd, optarg, &days)) != CLI_CONTINUE)
			return status;
		if (c == OPT_DRY_RUN)
			dry_run = true;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_privacy_purge(db, cli_actor(), days, dry_run, &r);
	/* A failed checkpoint comes after the commit: the report still holds. */
	if (rc != KTO_OK && !r.committed)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		purge_json(&out, &r);
		status = cli_json_done(cli, &out);
	} else {
		purge_text(&r);
	}
	return rc == KTO_OK ? status : checkpoint_warning(cli, rc);
}

/* ---------------------------------------------------------------------- */
/* export                                                                  */

/* JSON null for "" (not set). */
static const char *
or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

static void
export_json(struct cli_json *out, const struct kto_privacy_export *x)
{
	struct kto_json *j = &out->j;

	kto_json_object_begin(j);
	kto_json_kv_string(j, "address", x->address);
	kto_json_key(j, "contacts");
	kto_json_array_begin(j);
	for (size_t i = 0; i < x->n_contacts; i++) {
		const struct kto_px_contact *c = &x->contacts[i];

		kto_json_object_begin(j);
		kto_json_kv_string(j, "municipality", c->municipality);
		kto_json_kv_string(j, "municipality_name", c->municipality_name);
		kto_json_kv_string(j, "contact_id", c->external_id);
		kto_json_kv_string(j, "channel", c->channel);
		kto_json_kv_string(j, "contact_at", c->contact_at);
		kto_json_kv_string(j, "imported_at", c->imported_at);
		kto_json_key(j, "address_held");
		kto_json_bool(j, c->address_held);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "invitations");
	kto_json_array_begin(j);
	for (size_t i = 0; i < x->n_invitations; i++) {
		const struct kto_px_invitation *v = &x->invitations[i];

		kto_json_object_begin(j);
		kto_json_kv_int(j, "wave", v->wave_id);
		kto_json_kv_string(j, "municipality", v->municipality);
		kto_json_kv_string(j, "channel", v->channel);
		kto_json_kv_string(j, "state", v->state);
		kto_json_kv_string(j, "wave_state", v->wave_state);
		kto_json_kv_string(j, "created_at", v->created_at);
		kto_json_kv_string(j, "invited_at", or_null(v->invited_at));
		kto_json_kv_string(j, "reminded_at", or_null(v->reminded_at));
		kto_json_kv_string(j, "responded_at", or_null(v->responded_at));
		kto_json_kv_string(j, "wave_purged_at", or_null(v->wave_purged_at));
		kto_json_key(j, "token_held");
		kto_json_bool(j, v->token_held);
		kto_json_kv_int(j, "mails", v->mails);
		kto_json_kv_int(j, "mails_with_address", v->mails_with_address);
		kto_json_kv_string(j, "response", or_null(v->response));
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "opt_outs");
	kto_json_array_begin(j);
	for (size_t i = 0; i < x->n_optouts; i++) {
		kto_json_object_begin(j);
		kto_json_kv_string(j, "municipality", x->optouts[i].municipality[0] ?
		    x->optouts[i].municipality : NULL);
		kto_json_kv_string(j, "source", x->optouts[i].source);
		kto_json_kv_string(j, "created_at", x->optouts[i].created_at);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_key(j, "exclusions");
	kto_json_array_begin(j);
	for (size_t i = 0; i < x->n_exclusions; i++) {
		kto_json_object_begin(j);
		kto_json_kv_int(j, "id", x->exclusions[i].id);
		kto_json_kv_string(j, "pattern", x->exclusions[i].pattern);
		kto_json_kv_string(j, "municipality", x->exclusions[i].municipality[0] ?
		    x->exclusions[i].municipality : NULL);
		kto_json_key(j, "exact");
		kto_json_bool(j, x->exclusions[i].exact);
		kto_json_object_end(j);
	}
	kto_json_array_end(j);
	kto_json_kv_int(j, "open_answers_quoting_address", x->open_answers);
	kto_json_kv_int(j, "audit_entries_naming_address", x->audit_entries);
	kto_json_kv_string(j, "portal_account_role",
	    x->portal_role[0] ? x->portal_role : NULL);
	kto_json_kv_string(j, "responses", RESPONSES_NOTE_EN);
	kto_json_object_end(j);
}

static const char *
yes_no(bool b)
{
	return b ? "ja (yes)" : "nee (no)";
}

static void
export_text_contacts(const struct kto_privacy_export *x)
{
	printf("\nContacten (contacts): %zu\n", x->n_contacts);
	for (size_t i = 0; i < x->n_contacts; i++) {
		const struct kto_px_contact *c = &x->contacts[i];

		printf("  %s (%s), kanaal %s, contact op %s, contactnummer %s, "
		    "ingelezen %s; adres bewaard: %s\n", c->municipality_name,
		    c->municipality, c->channel, c->contact_at, c->external_id,
		    c->imported_at, c->address_held ? "ja (yes)" :
		    "nee, alleen een sleutel-hash (no, only a keyed hash)");
	}
}

static void
export_text_invitations(const struct kto_privacy_export *x)
{
	printf("\nUitnodigingen (invitations): %zu\n", x->n_invitations);
	for (size_t i = 0; i < x->n_invitations; i++) {
		const struct kto_px_invitation *v = &x->invitations[i];

		printf("  golf (wave) %lld, %s, kanaal %s: %s; getrokken %s",
		    (long long)v->wave_id, v->municipality, v->channel, v->state,
		    v->created_at);
		if (v->invited_at[0])
			printf(", uitgenodigd %s", v->invited_at);
		if (v->reminded_at[0])
			printf(", herinnerd %s", v->reminded_at);
		if (v->responded_at[0])
			printf(", ingevuld %s", v->responded_at);
		printf("\n    golf %s%s%s; link bewaard: %s; mails: %lld (met adres: "
		    "%lld); antwoord gekoppeld: %s\n", v->wave_state,
		    v->wave_purged_at[0] ? ", opgeschoond " : "", v->wave_purged_at,
		    yes_no(v->token_held), (long long)v->mails,
		    (long long)v->mails_with_address, v->response[0] ? v->response :
		    "nee (no)");
	}
}

static void
export_text(const struct kto_privacy_export *x)
{
	printf("Wat kto bewaart over %s (what kto holds about this address)\n",
	    x->address);
	export_text_contacts(x);
	export_text_invitations(x);
	printf("\nAfmeldingen (opt-outs), als sleutel-hash bewaard: %zu\n",
	    x->n_optouts);
	for (size_t i = 0; i < x->n_optouts; i++)
		printf("  %s, via %s, op %s\n", x->optouts[i].municipality[0] ?
		    x->optouts[i].municipality : "alle gemeenten (all municipalities)",
		    x->optouts[i].source, x->optouts[i].created_at);
	printf("\nUitsluitingen (staff/test exclusions): %zu\n", x->n_exclusions);
	for (size_t i = 0; i < x->n_exclusions; i++)
		printf("  patroon %lld '%s'%s%s%s\n", (long long)x->exclusions[i].id,
		    x->exclusions[i].pattern, x->exclusions[i].municipality[0] ?
		    " voor " : "", x->exclusions[i].municipality,
		    x->exclusions[i].exact ? " (precies dit adres)" : "");
	printf("\nOpen antwoorden waarin dit adres staat (open answers quoting "
	    "it): %lld\n", (long long)x->open_answers);
	printf("Regels in het auditlog met dit adres (audit entries naming it): "
	    "%lld\n", (long long)x->audit_entries);
	if (x->portal_role[0])
		printf("Portaalaccount (portal account): ja, rol %s\n", x->portal_role);
	printf("\n%s\n%s\n", RESPONSES_NOTE_NL, RESPONSES_NOTE_EN);
}

/* The --email of export and erase; CLI_CONTINUE with *email set. */
static int
email_command(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
              const char **email, struct kto_db **db)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "email", required_argument, NULL, OPT_EMAIL },
		{ NULL, 0, NULL, 0 }
	};
	int c, status = CLI_EXIT_OK;

	*email = NULL;
	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == OPT_EMAIL)
			*email = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (*email == NULL)
		return cli_usage_error(cli, cmd, "which address? Give it with --email "
		    "ADDRESS");
	if ((*db = cli_db(cli)) == NULL)
		return cli->open_status;
	return CLI_CONTINUE;
}

static int
privacy_export(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_privacy_export x;
	struct kto_db *db;
	const char *email;
	int status;
	enum kto_rc rc;

	if ((status = email_command(cli, cmd, argc, argv, &email, &db)) != CLI_CONTINUE)
		return status;
	if ((rc = kto_privacy_export(db, cli_actor(), email, &x)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	status = CLI_EXIT_OK;
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		export_json(&out, &x);
		status = cli_json_done(cli, &out);
	} else {
		export_text(&x);
	}
	kto_privacy_export_release(&x);
	return status;
}

/* ---------------------------------------------------------------------- */
/* erase                                                                   */

static void
erase_json(struct cli_json *out, const struct kto_erase_report *r)
{
	struct kto_json *j = &out->j;

	kto_json_object_begin(j);
	kto_json_kv_int(j, "contacts", r->contacts);
	kto_json_kv_int(j, "invitations", r->invitations);
	kto_json_kv_int(j, "mails", r->mails);
	kto_json_kv_int(j, "responses_unlinked", r->responses);
	kto_json_kv_int(j, "open_answers", r->open_answers);
	kto_json_kv_int(j, "exclusions", r->exclusions);
	kto_json_kv_int(j, "opt_outs_kept", r->optouts_kept);
	kto_json_kv_int(j, "audit_entries_naming_address", r->audit_entries);
	kto_json_key(j, "portal_account");
	kto_json_bool(j, r->portal_account);
	kto_json_key(j, "checkpointed");
	kto_json_bool(j, r->checkpointed);
	kto_json_object_end(j);
}

static void
erase_text(const struct kto_erase_report *r)
{
	printf("Gewist (erased):\n");
	printf("  %-40s %lld\n", "contacten, nu anoniem:", (long long)r->contacts);
	printf("  %-40s %lld\n", "uitnodigingen losgekoppeld:",
	    (long long)r->invitations);
	printf("  %-40s %lld\n", "mails gewist:", (long long)r->mails);
	printf("  %-40s %lld\n", "reacties losgekoppeld:", (long long)r->responses);
	printf("  %-40s %lld\n", "open antwoorden met adres gemaskeerd:",
	    (long long)r->open_answers);
	printf("  %-40s %lld\n", "uitsluitingen omgezet in afmelding:",
	    (long long)r->exclusions);
	if (r->optouts_kept > 0)
		printf("De afmelding blijft gelden: bewaard als sleutel-hash, zonder "
		    "adres (%lld). The opt-out stays in force, kept as a keyed hash "
		    "only.\n", (long long)r->optouts_kept);
	if (r->audit_entries > 0)
		printf("Let op: %lld regel(s) in het auditlog noemen dit adres; het "
		    "auditlog kan niet worden gewijzigd. (Warning: %lld audit entries "
		    "name this address; the audit log is append-only.)\n",
		    (long long)r->audit_entries, (long long)r->audit_entries);
	if (r->portal_account)
		printf("Let op: dit adres is ook een portaalaccount; dat is niet "
		    "gewijzigd (zie 'kto user'). (Warning: a portal account has this "
		    "address; it was not changed.)\n");
}

static int
privacy_erase(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_erase_report r;
	struct kto_db *db;
	const char *email;
	int status;
	enum kto_rc rc;

	if ((status = email_command(cli, cmd, argc, argv, &email, &db)) != CLI_CONTINUE)
		return status;
	rc = kto_privacy_erase(db, cli_actor(), email, &r);
	if (rc != KTO_OK && !r.committed)
		return cli_fail(cli, rc, NULL);
	status = CLI_EXIT_OK;
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		erase_json(&out, &r);
		status = cli_json_done(cli, &out);
	} else {
		erase_text(&r);
	}
	return rc == KTO_OK ? status : checkpoint_warning(cli, rc);
}

/* ---------------------------------------------------------------------- */
/* settings                                                                */

static int
privacy_settings(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "retention-days", required_argument, NULL, OPT_RETENTION },
		{ "keep-open-originals", required_argument, NULL, OPT_KEEP_OPEN },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_privacy_settings s;
	struct kto_db *db;
	int c, days = -1, keep = -1, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == OPT_RETENTION &&
		    (status = parse_days(cli, cmd, optarg, &days)) != CLI_CONTINUE)
			return status;
		if (c == OPT_KEEP_OPEN) {
			if (strcmp(optarg, "yes") == 0 || strcmp(optarg, "ja") == 0)
				keep = 1;
			else if (strcmp(optarg, "no") == 0 || strcmp(optarg, "nee") == 0)
				keep = 0;
			else
				return cli_usage_error(cli, cmd, "--keep-open-originals "
				    "'%s': say yes (ja) or no (nee)", optarg);
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((days >= 0 || keep >= 0) &&
	    (rc = kto_privacy_settings_set(db, cli_actor(), days, keep)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if ((rc = kto_privacy_settings_get(db, &s)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "retention_days", s.retention_days);
		kto_json_key(&out.j, "keep_open_originals");
		kto_json_bool(&out.j, s.keep_open_originals);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("bewaartermijn na sluiten golf (retention after a wave's close): "
	    "%d dagen (days)\n", s.retention_days);
	printf("open antwoorden ongemaskeerd bewaren (keep open answers unmasked): "
	    "%s\n", s.keep_open_originals ? "ja (yes)" : "nee (no)");
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_privacy_cmds[] = {
	{ "purge", "erase addresses and links of waves past their retention",
	  "Usage: kto privacy purge [--retention-days N] [--dry-run] [--json]\n"
	  "\n"
	  "For every wave closed more than N days ago, erases what it no longer\n"
	  "needs: the e-mail addresses of its contacts (unless a wave still\n"
	  "running or within its retention covers them), the personal links\n"
	  "(tokens) and the mail in the outbox, addresses in SMTP replies, and\n"
	  "the link from its responses to their invitations. Keyed hashes of the\n"
	  "addresses stay, so opt-outs and the \"invited recently\" rule keep\n"
	  "working. Running it again changes nothing. kto serve runs it daily.\n"
	  "\n"
	  "  --retention-days N  days after a wave's close (0 to 3650; default\n"
	  "                      the setting, see 'kto privacy settings'; 30)\n"
	  "  --dry-run           count what would be erased, change nothing\n",
	  privacy_purge, NULL },
	{ "export", "what kto holds about an e-mail address (AVG article 15)",
	  "Usage: kto privacy export --email ADDRESS [--json]\n"
	  "\n"
	  "Lists everything kto holds about the address, found by the address\n"
	  "and by its keyed hash: contacts per municipality, invitations and\n"
	  "their states, opt-outs, staff/test exclusions. Text in Dutch and\n"
	  "English; --json for the data. Exit status 1 when kto holds nothing.\n",
	  privacy_export, NULL },
	{ "erase", "erase an e-mail address on the citizen's request (AVG article 17)",
	  "Usage: kto privacy erase --email ADDRESS [--json]\n"
	  "\n"
	  "Erases the address everywhere kto holds it: contacts become anonymous,\n"
	  "invitations and responses lose their link to it, mail is cancelled and\n"
	  "erased, open answers quoting it are masked. An opt-out stays, as a\n"
	  "keyed hash, so that the citizen is not invited again. The database\n"
	  "and its -wal file hold no trace of the address afterwards.\n",
	  privacy_erase, NULL },
	{ "settings", "show or change the retention period and open-answer masking",
	  "Usage: kto privacy settings [--retention-days N]\n"
	  "                            [--keep-open-originals yes|no] [--json]\n"
	  "\n"
	  "  --retention-days N   days after a wave's close before its addresses\n"
	  "                       and links are erased (default 30)\n"
	  "  --keep-open-originals yes|no\n"
	  "                       store open answers as typed (yes) or masked at\n"
	  "                       submission (no, the default)\n",
	  privacy_settings, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
