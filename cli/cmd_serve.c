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

#include "base/strparse.h"
#include "cli/cli.h"
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

int
cli_serve_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "listen", required_argument, NULL, 'l' },
		{ "client-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *listen = getenv("KTO_LISTEN");
	struct kto_server_options so;
	struct kto_server *server;
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
		else if (c == 't' && kto_parse_i64(optarg, 1, 3600, &timeout) != KTO_OK)
			return cli_usage_error(cli, cmd, "--client-timeout '%s' is not a "
			    "number of seconds from 1 to 3600", optarg);
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (listen == NULL || *listen == '\0')
		listen = SERVE_DEFAULT_LISTEN;
	memset(&so, 0, sizeof so);
	if (!parse_listen(listen, addr, sizeof addr, &so.port))
		return cli_usage_error(cli, cmd, "--listen '%s' is not ADDRESS:PORT, "
		    "e.g. 127.0.0.1:8080", listen);
	/* Open (create, migrate) once here, so the workers find it ready. */
	if (cli_db(cli) == NULL)
		return cli->open_status;
	so.db_path = cli->db_path;
	so.listen_addr = addr;
	so.access_log = stderr;
	so.now = getenv("KTO_NOW");
	so.timeout_seconds = (int)timeout;
	/* Signals are taken by sigwait() below, not by any server thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (kto_server_start(&so, &server, &err) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	printf("kto serves on http://%s%s%s:%u/ (Ctrl-C stops it)\n",
	    strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
	    (unsigned)so.port);
	fflush(stdout);
	sigwait(&set, &sig);
	fprintf(stderr, "%s: stopping: finishing the requests in flight\n", cli->path);
	kto_server_stop(server);
	return CLI_EXIT_OK;
}

const char cli_serve_usage[] =
	"Usage: kto serve [--listen ADDRESS:PORT]\n"
	"\n"
	"Serves the citizens' questionnaires (/s/TOKEN from the invitations,\n"
	"/c/CODE[/DESK], the open link for counter visitors: see kto qr), the\n"
	"opt-out link of the mails, and /healthz. Stops cleanly on Ctrl-C or\n"
	"SIGTERM, letting the requests in flight finish.\n"
	"\n"
	"  --listen ADDRESS:PORT     where to listen (default $KTO_LISTEN, else\n"
	"                            127.0.0.1:8080; [::1]:8080 for IPv6)\n"
	"  --client-timeout SECONDS  close a connection that sends nothing for\n"
	"                            this long (default 30; 1 to 3600)\n";
