/*
** kto config show: the installation's effective settings, and where each
** came from.
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/config.h"

/*
** Where a setting came from, for people ("kto.conf:3", "$KTO_SMTP_URL")
** or, with for_json, for scripts ("file:3", "env:KTO_SMTP_URL").
*/
static void
origin_text(const struct kto_config *cfg, enum kto_config_key key,
            const char *file, bool for_json, char *out, size_t n)
{
	switch (cfg->origin[key]) {
	case KTO_CFG_FROM_FILE:
		snprintf(out, n, "%s:%d", for_json ? "file" : file,
		    cfg->origin_line[key]);
		break;
	case KTO_CFG_FROM_ENV:
		snprintf(out, n, "%s%s", for_json ? "env:" : "$",
		    kto_config_key_env(key));
		break;
	case KTO_CFG_FROM_CALLER:
		snprintf(out, n, "command line");
		break;
	case KTO_CFG_FROM_DEFAULT:
	default:
		if (key == KTO_CFG_SMTP_TLS && cfg->smtp_tls == KTO_SMTP_TLS_IMPLICIT)
			snprintf(out, n, for_json ? "implied" : "implied by smtps://");
		else
			snprintf(out, n, "default");
		break;
	}
}

/* The value of a numeric setting; -1 for the others. */
static int64_t
number_of(const struct kto_config *cfg, enum kto_config_key key)
{
	switch (key) {
	case KTO_CFG_SMTP_CONNECTIONS:
		return cfg->smtp_connections;
	case KTO_CFG_SMTP_RATE_PER_MINUTE:
		return cfg->smtp_rate_per_minute;
	case KTO_CFG_SMTP_CONNECT_TIMEOUT:
		return cfg->smtp_connect_timeout;
	case KTO_CFG_SMTP_TIMEOUT:
		return cfg->smtp_timeout;
	case KTO_CFG_MAIL_RETRY_MAX_HOURS:
		return cfg->mail_retry_max_hours;
	default:
		return -1;
	}
}

static int
config_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct kto_config *cfg;
	struct kto_diags d;
	struct kto_err err = KTO_ERR_INIT;
	char used[KTO_CONFIG_PATH_MAX + 1], shown[PATH_MAX], value[KTO_URL_MAX + 64];
	char from[KTO_CONFIG_PATH_MAX + 64], password[KTO_CONFIG_PASSWORD_MAX + 1];
	const char *password_from = NULL;
	bool password_ok = false;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((cfg = malloc(sizeof *cfg)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli->path);
		return CLI_EXIT_INTERNAL;
	}
	kto_diags_init(&d);
	rc = kto_config_load(cli->config_path, cfg, &d, used, sizeof used);
	/* The file by its full name: "kto.conf" alone says little in a log. */
	if (used[0] == '\0' || realpath(used, shown) == NULL)
		snprintf(shown, sizeof shown, "%s", used);
	cli_print_config_diags(cli, used[0] ? used : cli->path, &d);
	kto_diags_release(&d);
	if (rc != KTO_OK) {
		free(cfg);
		return cli_exit_for(rc);
	}

	/*
	** Read the password once, to show that it can be read: a file that
	** others can read is refused here as it would be by `kto send`.  It
	** is wiped at once and never printed.
	*/
	if (kto_config_has_password(cfg)) {
		const char *env = getenv("KTO_SMTP_PASSWORD");

		password_from = env != NULL && env[0] != '\0' ? "$KTO_SMTP_PASSWORD" :
		    "smtp_password_file";
		rc = kto_config_password(cfg, password, sizeof password, &err);
		explicit_bzero(password, sizeof password);
		if (rc == KTO_OK)
			password_ok = true;
		else
			status = cli_fail_err(cli, &err, NULL);
	}

	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "file", shown[0] ? shown : NULL);
		kto_json_key(&out.j, "settings");
		kto_json_object_begin(&out.j);
		for (int k = 0; k < KTO_CFG_KEY_COUNT; k++) {
			int64_t v = number_of(cfg, (enum kto_config_key)k);

			kto_config_value(cfg, (enum kto_config_key)k, value, sizeof value);
			if (v >= 0) {
				kto_json_kv_int(&out.j, kto_config_key_name(k), v);
			} else {
				kto_json_kv_string(&out.j, kto_config_key_name(k),
				    value[0] ? value : NULL);
			}
		}
		kto_json_kv_string(&out.j, "smtp_password",
		    password_from ? "(set)" : "(not set)");
		kto_json_object_end(&out.j);
		kto_json_key(&out.j, "sources");
		kto_json_object_begin(&out.j);
		for (int k = 0; k < KTO_CFG_KEY_COUNT; k++) {
			origin_text(cfg, (enum kto_config_key)k, used, true, from,
			    sizeof from);
			kto_json_kv_string(&out.j, kto_config_key_name(k), from);
		}
		kto_json_kv_string(&out.j, "smtp_password", password_from == NULL ?
		    NULL : password_from[0] == '$' ? "env:KTO_SMTP_PASSWORD" :
		    "smtp_password_file");
		kto_json_object_end(&out.j);
		kto_json_object_end(&out.j);
		c = cli_json_done(cli, &out);
		free(cfg);
		return status != CLI_EXIT_OK ? status : c;
	}

	if (shown[0])
		printf("Settings file: %s\n", shown);
	else
		printf("Settings file: none (no --config or $KTO_CONFIG, and neither "
		    "./%s nor %s exists); defaults and environment only\n",
		    KTO_CONFIG_LOCAL_PATH, KTO_CONFIG_SYSTEM_PATH);
	printf("\n%-30s %-40s %s\n", "SETTING", "VALUE", "FROM");
	for (int k = 0; k < KTO_CFG_KEY_COUNT; k++) {
		kto_config_value(cfg, (enum kto_config_key)k, value, sizeof value);
		origin_text(cfg, (enum kto_config_key)k, used, false, from, sizeof from);
		printf("%-30s %-40s %s\n", kto_config_key_name(k),
		    value[0] ? value : "(not set)", from);
		if (k == KTO_CFG_SMTP_PASSWORD_FILE)
			printf("%-30s %-40s %s\n", "smtp_password",
			    password_from == NULL ? "(not set)" : password_ok ? "(set)" :
			    "(set, but unusable: see above)",
			    password_from ? password_from : "");
	}
	free(cfg);
	return status;
}

const struct cli_cmd cli_config_cmds[] = {
	{ "show", "print the effective settings and where each came from",
	  "Usage: kto config show [--config FILE] [--json]\n"
	  "\n"
	  "Prints the settings kto uses after reading the settings file and the\n"
	  "environment, and which file that was.  The SMTP password is never\n"
	  "printed: only whether it is set (and readable).  Exit status 1 when\n"
	  "the file or the environment has a mistake; each is reported as\n"
	  "FILE:LINE: message.\n"
	  "\n"
	  "The file is --config FILE, else $KTO_CONFIG, else ./kto.conf, else\n"
	  "/etc/kto/kto.conf (the first that exists); without one, the defaults\n"
	  "apply.  It has one 'key = value' per line; '#' starts a comment at the\n"
	  "start of a line or after white space.  Every key has an environment\n"
	  "variable that wins over the file:\n"
	  "\n"
	  "  smtp_url                      KTO_SMTP_URL       smtp://HOST[:PORT] or\n"
	  "                                                   smtps://HOST[:PORT]\n"
	  "  smtp_tls                      KTO_SMTP_TLS       none (default for\n"
	  "                                smtp://), starttls (required, never\n"
	  "                                falling back to plain text), implicit\n"
	  "                                (what smtps:// means)\n"
	  "  smtp_user                     KTO_SMTP_USER      for AUTH; none: no AUTH\n"
	  "  smtp_password_file            KTO_SMTP_PASSWORD_FILE  a file (mode 600)\n"
	  "                                whose first line is the password\n"
	  "  smtp_connections              KTO_SMTP_CONNECTIONS  parallel sessions,\n"
	  "                                1-32 (default 4)\n"
	  "  smtp_rate_per_minute          KTO_SMTP_RATE      messages per minute,\n"
	  "                                0 = unlimited (default)\n"
	  "  smtp_connect_timeout_seconds  KTO_SMTP_CONNECT_TIMEOUT  default 10\n"
	  "  smtp_timeout_seconds          KTO_SMTP_TIMEOUT   per message, default 60\n"
	  "  smtp_ca_file                  KTO_SMTP_CA_FILE   CA certificates to\n"
	  "                                verify the server with (default: the\n"
	  "                                system's)\n"
	  "  public_url                    KTO_PUBLIC_URL     https:// base of the\n"
	  "                                citizens' links (http:// only for\n"
	  "                                127.0.0.1 or localhost)\n"
	  "  optout_mailto                 KTO_OPTOUT_MAILTO  address for the mailto\n"
	  "                                List-Unsubscribe\n"
	  "  mail_retry_max_hours          KTO_MAIL_RETRY_MAX_HOURS  how long\n"
	  "                                temporary failures are retried, 1-720\n"
	  "                                (default 72)\n"
	  "\n"
	  "The password itself comes from $KTO_SMTP_PASSWORD or the password\n"
	  "file, never from the settings file or the command line.  Relative file\n"
	  "names in the file are relative to the file's directory.  An empty\n"
	  "environment variable counts as unset.\n"
	  "\n"
	  "  --json   print {\"file\", \"settings\": {KEY: VALUE, ...,\n"
	  "           \"smtp_password\": \"(set)\" or \"(not set)\"}, \"sources\":\n"
	  "           {KEY: \"default\", \"file:LINE\", \"env:VAR\" or \"implied\"}}\n",
	  config_show, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
