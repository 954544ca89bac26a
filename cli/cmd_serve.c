/*
** kto serve: the web questionnaire, portal and API (as far as built), and
** the citizens' opt-out pages.
*/
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "cli/privacy_daily.h"
#include "engine/db.h"
#include "web/server.h"

#define SERVE_DEFAULT_LISTEN "127.0.0.1:8080"

/* Splits "ADDR:PORT" ("[::1]:8080" for IPv6) into its parts. */
static bool
parse_listen(const char *s, char *addr, size_t n, unsigned short *port)
{
	const char *colon = strrchr(s, ':');
	const char *a = s;
	size_t alen;
	int64_t p;

	if (colon == NULL || kto_parse_i64(colon + 1, 1, 65535, &p) != KTO_OK)
		return false;
	alen = (size_t)(colon - s);
	if (alen >= 2 && s[0] == '[' && colon[-1] == ']') {
		a = s + 1;
		alen -= 2;
	}
	if (alen == 0 || alen >= n)
		return false;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	*port = (unsigned short)p;
	return true;
}

/*
** A damaged database is not served (HARDENING.md B5): pages would fail or,
** worse, half work.  It is checked before anything writes to it, and left
** as it is; a file that is not there yet is created by cli_db().
*/
static bool
serve_db_sound(struct cli *cli)
{
	struct kto_db *db;
	struct kto_err err = KTO_ERR_INIT;

	if (access(cli->db_path, F_OK) != 0)
		return true;
	if (kto_db_open(cli->db_path, KTO_DB_CHECK, &db, &err) != KTO_OK) {
		cli->open_status = cli_fail_err(cli, &err, NULL);
		return false;
	}
	kto_db_close(db);
	return true;
}

int
cli_serve_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "listen", required_argument, NULL, 'l' },
		{ "client-timeout", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "trust-proxy", required_argument, NULL, 'P' },
		{ "log-format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	const char *listen = getenv("KTO_LISTEN");
	const char *tls_cert = getenv("KTO_TLS_CERT");
	const char *tls_key = getenv("KTO_TLS_KEY");
	const char *trust_proxy = getenv("KTO_TRUST_PROXY");
	const char *log_format = getenv("KTO_LOG_FORMAT");
	struct kto_server_options so;
	struct kto_server *server;
	struct cli_privacy_daily *daily;
	struct kto_err err = KTO_ERR_INIT;
	char addr[64];
	int64_t timeout = 0;
	sigset_t set;
	int c, sig, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'l')
			listen = optarg;
		else if (c == 'C')
			tls_cert = optarg;
		else if (c == 'K')
			tls_key = optarg;
		else if (c == 'P')
			trust_proxy = optarg;
		else if (c == 'F')
			log_format = optarg;
		else if (c == 't' && kto_parse_i64(optarg, 1, 3600, &timeout) != KTO_OK)
			return cli_usage_error(cli, cmd, "--client-timeout '%s' is not a "
			    "number of seconds from 1 to 3600", optarg);
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (log_format != NULL && *log_format != '\0' &&
	    strcmp(log_format, "text") != 0 && strcmp(log_format, "json") != 0)
		return cli_usage_error(cli, cmd, "--log-format '%s': write text or "
		    "json", log_format);
	if (listen == NULL || *listen == '\0')
		listen = SERVE_DEFAULT_LISTEN;
	if (tls_cert != NULL && *tls_cert == '\0')
		tls_cert = NULL;
	if (tls_key != NULL && *tls_key == '\0')
		tls_key = NULL;
	if ((tls_cert == NULL) != (tls_key == NULL))
		return cli_usage_error(cli, cmd, "--tls-cert and --tls-key go "
		    "together: give the certificate and its private key");
	memset(&so, 0, sizeof so);
	if (!parse_listen(listen, addr, sizeof addr, &so.port))
		return cli_usage_error(cli, cmd, "--listen '%s' is not ADDRESS:PORT, "
		    "e.g. 127.0.0.1:8080", listen);
	/* Open (create, migrate) once here, so the workers find it ready. */
	if (!serve_db_sound(cli) || cli_db(cli) == NULL)
		return cli->open_status;
	so.db_path = cli->db_path;
	so.listen_addr = addr;
	so.access_log = stderr;
	so.log_json = log_format != NULL && strcmp(log_format, "json") == 0;
	so.now = getenv("KTO_NOW");
	so.timeout_seconds = (int)timeout;
	so.tls_cert_file = tls_cert;
	so.tls_key_file = tls_key;
	so.trust_proxy = trust_proxy;
	/* Signals are taken by sigwait() below, not by any server thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (kto_server_start(&so, &server, &err) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	/* The retention purge (engine/privacy.h): at start, then daily. */
	if (cli_privacy_daily_start(cli->db_path, so.now, stderr, &daily, &err) != KTO_OK) {
		kto_server_stop(server);
		return cli_fail_err(cli, &err, NULL);
	}
	printf("kto serves on %s://%s%s%s:%u/ (Ctrl-C stops it)\n",
	    tls_cert != NULL ? "https" : "http", strchr(addr, ':') ? "[" : "",
	    addr, strchr(addr, ':') ? "]" : "",
	    (unsigned)so.port);
	fflush(stdout);
	sigwait(&set, &sig);
	fprintf(stderr, "%s: stopping: finishing the requests in flight\n", cli->path);
	cli_privacy_daily_stop(daily);
	kto_server_stop(server);
	return CLI_EXIT_OK;
}

const char cli_serve_usage[] =
	"Usage: kto serve [--listen ADDRESS:PORT] [--tls-cert FILE --tls-key FILE]\n"
	"                 [--trust-proxy ADDRESS] [--log-format text|json]\n"
	"\n"
	"Serves the citizens' questionnaires (/s/TOKEN from the invitations,\n"
	"/c/CODE[/DESK], the open link for counter visitors: see kto qr), the\n"
	"opt-out link of the mails, and /healthz. Stops cleanly on Ctrl-C or\n"
	"SIGTERM, letting the requests in flight finish. Runs the retention\n"
	"purge (kto privacy purge) at start and then every 24 hours.\n"
	"\n"
	"  --listen ADDRESS:PORT     where to listen (default $KTO_LISTEN, else\n"
	"                            127.0.0.1:8080; [::1]:8080 for IPv6)\n"
	"  --client-timeout SECONDS  close a connection that sends nothing for\n"
	"                            this long (default 30; 1 to 3600)\n"
	"  --tls-cert FILE           serve HTTPS with this PEM certificate (chain)\n"
	"                            (default $KTO_TLS_CERT); every response then\n"
	"                            carries Strict-Transport-Security and the\n"
	"                            portal's cookie is Secure\n"
	"  --tls-key FILE            its unencrypted PEM private key (default\n"
	"                            $KTO_TLS_KEY)\n"
	"  --trust-proxy ADDRESS     the IP address of a reverse proxy in front\n"
	"                            (default $KTO_TRUST_PROXY): from it alone the\n"
	"                            client's address is the last of\n"
	"                            X-Forwarded-For, and X-Forwarded-Proto: https\n"
	"                            counts as TLS (HSTS, Secure cookie); the proxy\n"
	"                            then limits connections per client\n"
	"\n"
	"  --log-format text|json    the log on stderr: a line per request\n"
	"                            (time, method, path without tokens, status,\n"
	"                            duration) as text, or as one JSON object per\n"
	"                            line (default $KTO_LOG_FORMAT, else text)\n"
	"\n"
	"/metrics answers in Prometheus's text format to loopback clients not\n"
	"behind a proxy, or with \"Authorization: Bearer\" $KTO_METRICS_TOKEN;\n"
	"see docs/operations.md.\n"
	"\n"
	"Without --trust-proxy no X-Forwarded-* header is believed.  See\n"
	"docs/deployment.md for both ways to run it.\n";
