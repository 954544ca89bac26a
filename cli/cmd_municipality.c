/*
** kto municipality add|list|show|set
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli/cli.h"
#include "engine/municipality.h"

/* The most a --signature-file may hold; the signature itself is checked
   against KTO_SIGNATURE_MAX after its line ends are made '\n'. */
#define SIGNATURE_FILE_MAX (64u << 10)

static void
json_municipality(struct kto_json *j, const struct kto_municipality *m)
{
	kto_json_kv_string(j, "code", m->code);
	kto_json_kv_string(j, "name", m->name);
	kto_json_kv_string(j, "circle", m->circle_code[0] ? m->circle_code : NULL);
}

/* A setting for JSON: null when it is not set. */
static const char *
or_null(const char *s)
{
	return s[0] ? s : NULL;
}

/* The details of one municipality, as text or JSON; the exit status. */
static int
print_municipality(struct cli *cli, const struct kto_municipality *m)
{
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "id", m->id);
		json_municipality(&out.j, m);
		kto_json_kv_string(&out.j, "circle_name",
		    m->circle_code[0] ? m->circle_name : NULL);
		kto_json_kv_string(&out.j, "created_at", m->created_at);
		kto_json_kv_string(&out.j, "sender_name", or_null(m->sender_name));
		kto_json_kv_string(&out.j, "sender_address",
		    or_null(m->sender_address));
		kto_json_kv_string(&out.j, "reply_to", or_null(m->reply_to));
		kto_json_kv_string(&out.j, "privacy_url", or_null(m->privacy_url));
		kto_json_kv_string(&out.j, "public_url", or_null(m->public_url));
		kto_json_kv_string(&out.j, "signature", or_null(m->signature));
		kto_json_kv_string(&out.j, "colour", or_null(m->colour));
		kto_json_key(&out.j, "logo");
		kto_json_bool(&out.j, m->has_logo);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Code:        %s\n", m->code);
	printf("Name:        %s\n", m->name);
	if (m->circle_code[0])
		printf("Circle:      %s (%s)\n", m->circle_code, m->circle_name);
	else
		printf("Circle:      none\n");
	if (m->sender_name[0] && m->sender_address[0])
		printf("Sender:      %s <%s>\n", m->sender_name, m->sender_address);
	else if (m->sender_address[0])
		printf("Sender:      %s\n", m->sender_address);
	else if (m->sender_name[0])
		printf("Sender:      %s (no address set)\n", m->sender_name);
	else
		printf("Sender:      not set\n");
	printf("Reply-To:    %s\n", m->reply_to[0] ? m->reply_to : "not set");
	printf("Privacy URL: %s\n", m->privacy_url[0] ? m->privacy_url : "not set");
	printf("Public URL:  %s\n", m->public_url[0] ? m->public_url :
	    "not set (the installation's public_url is used)");
	printf("Colour:      %s\n", m->colour[0] ? m->colour : "not set");
	printf("Logo:        %s\n", m->has_logo ? "set (shown on its questionnaire)" :
	    "not set");
	if (m->signature[0]) {
		const char *line = m->signature;

		/* One line of the signature per line, under each other. */
		printf("Signature:   ");
		for (;;) {
			size_t n = strcspn(line, "\n");

			printf("%.*s\n", (int)n, line);
			if (line[n] == '\0')
				break;
			line += n + 1;
			printf("             ");
		}
	} else {
		printf("Signature:   not set\n");
	}
	printf("Registered:  %s\n", m->created_at);
	return CLI_EXIT_OK;
}

static int
municipality_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "name", required_argument, NULL, 'n' },
		{ "circle", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL, *circle = NULL;
	struct kto_municipality m;
	struct kto_db *db;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hn:c:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'n')
			name = optarg;
		else if (c == 'c')
			circle = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (name == NULL)
		return cli_usage_error(cli, cmd, "--name is required");
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_municipality_add(db, cli_actor(), argv[optind], name, circle, NULL);
	if (rc == KTO_ENOTFOUND)
		return cli_fail(cli, rc, "list the circles with 'kto circle list'");
	if (rc == KTO_OK)
		rc = kto_municipality_find(db, argv[optind], &m);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json)
		return print_municipality(cli, &m);
	if (m.circle_code[0])
		printf("Registered municipality %s (%s) in circle %s.\n", m.code,
		    m.name, m.circle_code);
	else
		printf("Registered municipality %s (%s), in no circle yet.\n", m.code,
		    m.name);
	return CLI_EXIT_OK;
}

static int
municipality_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "circle", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *circle = NULL;
	struct kto_municipality *list;
	struct kto_db *db;
	size_t n;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hc:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'c')
			circle = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_municipality_list(db, circle, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the circles with 'kto circle list'" : NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			json_municipality(&out.j, &list[i]);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No municipalities yet; add one with 'kto municipality add "
		    "CODE --name NAME [--circle CODE]'.\n");
	} else {
		printf("%-12s %-12s %s\n", "CODE", "CIRCLE", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-12s %-12s %s\n", list[i].code,
			    list[i].circle_code[0] ? list[i].circle_code : "-",
			    list[i].name);
	}
	free(list);
	return status;
}

static int
municipality_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_municipality m;
	struct kto_db *db;
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 1, 1, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_municipality_find(db, argv[optind], &m)) != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the municipalities with 'kto municipality list'" : NULL);
	return print_municipality(cli, &m);
}

/*
** Reads a signature from path ("-": standard input) into *out (freed by the
** caller): a UTF-8 byte order mark dropped, CRLF made LF, and the line
** breaks at the end removed, as an editor leaves them.  The exit status on
** failure, after saying why; CLI_CONTINUE on success.
*/
static int
read_signature(struct cli *cli, const char *path, char **out)
{
	struct kto_err err = KTO_ERR_INIT;
	char *buf, *r, *w;
	size_t len;
	enum kto_rc rc;

	*out = NULL;
	if ((rc = kto_file_read(path, SIGNATURE_FILE_MAX, &buf, &len, &err)) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	if (strlen(buf) != len) {
		free(buf);
		fprintf(stderr, "%s: the signature file '%s' contains a NUL byte; "
		    "save it as UTF-8 text\n", cli->path, path);
		return CLI_EXIT_INPUT;
	}
	r = buf;
	if (strncmp(r, "\xef\xbb\xbf", 3) == 0)
		r += 3;
	for (w = buf; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	while (w > buf && w[-1] == '\n')
		w--;
	*w = '\0';
	*out = buf;
	return CLI_CONTINUE;
}

static int
municipality_set(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	enum {
		OPT_NO_CIRCLE = 'C',
		OPT_SENDER_NAME = 0x200, OPT_SENDER_ADDRESS, OPT_REPLY_TO,
		OPT_PRIVACY_URL, OPT_PUBLIC_URL, OPT_SIGNATURE, OPT_SIGNATURE_FILE,
		OPT_COLOUR, OPT_LOGO
	};
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "name", required_argument, NULL, 'n' },
		{ "circle", required_argument, NULL, 'c' },
		{ "no-circle", no_argument, NULL, OPT_NO_CIRCLE },
		{ "sender-name", required_argument, NULL, OPT_SENDER_NAME },
		{ "sender-address", required_argument, NULL, OPT_SENDER_ADDRESS },
		{ "reply-to", required_argument, NULL, OPT_REPLY_TO },
		{ "privacy-url", required_argument, NULL, OPT_PRIVACY_URL },
		{ "public-url", required_argument, NULL, OPT_PUBLIC_URL },
		{ "signature", required_argument, NULL, OPT_SIGNATURE },
		{ "signature-file", required_argument, NULL, OPT_SIGNATURE_FILE },
		{ "colour", required_argument, NULL, OPT_COLOUR },
		{ "logo", required_argument, NULL, OPT_LOGO },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_municipality_changes ch = { .name = NULL };
	struct kto_municipality m;
	struct kto_db *db;
	const char *signature_file = NULL, *logo_file = NULL;
	char *signature = NULL, *logo = NULL;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hn:c:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		switch (c) {
		case 'n':
			ch.name = optarg;
			break;
		case 'c':
		case OPT_NO_CIRCLE:
			if (ch.circle_code != NULL)
				return cli_usage_error(cli, cmd, "give --circle or "
				    "--no-circle once");
			if (c == 'c' && optarg[0] == '\0')
				return cli_usage_error(cli, cmd, "--circle needs a circle "
				    "code; use --no-circle to take the municipality out of "
				    "its circle");
			ch.circle_code = c == 'c' ? optarg : "";
			break;
		case OPT_SENDER_NAME:
			ch.sender_name = optarg;
			break;
		case OPT_SENDER_ADDRESS:
			ch.sender_address = optarg;
			break;
		case OPT_REPLY_TO:
			ch.reply_to = optarg;
			break;
		case OPT_PRIVACY_URL:
			ch.privacy_url = optarg;
			break;
		case OPT_PUBLIC_URL:
			ch.public_url = optarg;
			break;
		case OPT_COLOUR:
			ch.colour = optarg;
			break;
		case OPT_LOGO:
			logo_file = optarg;
			break;
		case OPT_SIGNATURE:
		case OPT_SIGNATURE_FILE:
			if (ch.signature != NULL || signature_file != NULL)
				return cli_usage_error(cli, cmd, "give --signature or "
				    "--signature-file once");
			if (c == OPT_SIGNATURE)
				ch.signature = optarg;
			else
				signature_file = optarg;
			break;
		default:
			break;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (ch.name == NULL && ch.circle_code == NULL && ch.sender_name == NULL &&
	    ch.sender_address == NULL && ch.reply_to == NULL &&
	    ch.privacy_url == NULL && ch.public_url == NULL &&
	    ch.signature == NULL && signature_file == NULL && ch.colour == NULL &&
	    logo_file == NULL)
		return cli_usage_error(cli, cmd, "nothing to change");
	/* --logo FILE.png; --logo "" takes the logo away. */
	if (logo_file != NULL && logo_file[0] != '\0') {
		struct kto_err err = KTO_ERR_INIT;

		if (kto_file_read(logo_file, KTO_LOGO_MAX + 1, &logo, &ch.logo_len,
		    &err) != KTO_OK)
			return cli_fail_err(cli, &err, NULL);
		ch.logo_png = (const unsigned char *)logo;
	}
	ch.set_logo = logo_file != NULL;
	if (signature_file != NULL) {
		if ((status = read_signature(cli, signature_file, &signature)) !=
		    CLI_CONTINUE)
			return status;
		ch.signature = signature;
	}
	if ((db = cli_db(cli)) == NULL) {
		free(signature);
		free(logo);
		return cli->open_status;
	}
	rc = kto_municipality_update(db, cli_actor(), argv[optind], &ch);
	free(signature);
	free(logo);
	if (rc == KTO_OK)
		rc = kto_municipality_find(db, argv[optind], &m);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (!cli->json)
		printf("Updated municipality %s.\n\n", m.code);
	return print_municipality(cli, &m);
}

const struct cli_cmd cli_municipality_cmds[] = {
	{ "add", "register a municipality",
	  "Usage: kto municipality add CODE --name NAME [--circle CODE] [--json]\n"
	  "\n"
	  "  CODE           the municipality's code, e.g. its CBS code GM0375\n"
	  "  --name NAME    its name, e.g. Beverwijk\n"
	  "  --circle CODE  the comparison circle it belongs to\n"
	  "  --json         print {\"id\", \"code\", \"name\", \"circle\"}\n",
	  municipality_add, NULL },
	{ "list", "list the municipalities",
	  "Usage: kto municipality list [--circle CODE] [--json]\n"
	  "\n"
	  "  --circle CODE  only the members of this circle\n"
	  "  --json         print [{\"code\", \"name\", \"circle\"}, ...]\n",
	  municipality_list, NULL },
	{ "show", "show one municipality and its mail settings",
	  "Usage: kto municipality show CODE [--json]\n"
	  "\n"
	  "  --json         print {\"id\", \"code\", \"name\", \"circle\",\n"
	  "                 \"circle_name\", \"created_at\", \"sender_name\",\n"
	  "                 \"sender_address\", \"reply_to\", \"privacy_url\",\n"
	  "                 \"public_url\", \"signature\", \"colour\", \"logo\"};\n"
	  "                 a setting that is not set is null (logo: false)\n",
	  municipality_show, NULL },
	{ "set", "rename a municipality, move it, or change its mail settings",
	  "Usage: kto municipality set CODE [--name NAME] [--circle CODE | --no-circle]\n"
	  "           [--sender-name NAME] [--sender-address ADDR] [--reply-to ADDR]\n"
	  "           [--privacy-url URL] [--public-url URL]\n"
	  "           [--signature TEXT | --signature-file FILE] [--colour #RRGGBB]\n"
	  "           [--logo FILE.png] [--json]\n"
	  "\n"
	  "  --name NAME            the new name\n"
	  "  --circle CODE          move it to this circle\n"
	  "  --no-circle            take it out of its circle\n"
	  "  --sender-name NAME     the name its invitations come from, e.g.\n"
	  "                         \"Gemeente Beverwijk\"\n"
	  "  --sender-address ADDR  the address they come from (the From header\n"
	  "                         and the SMTP envelope)\n"
	  "  --reply-to ADDR        where citizens' replies go\n"
	  "  --privacy-url URL      its privacy statement, linked from the mails\n"
	  "                         and the questionnaire\n"
	  "  --public-url URL       the base of its questionnaire links, when not\n"
	  "                         the installation's public_url (kto config show)\n"
	  "  --signature TEXT       the text under its mails, taken as it is: line\n"
	  "                         breaks only as real ones, e.g.\n"
	  "                         --signature \"$(printf 'Regards,\\nThe team')\"\n"
	  "  --signature-file FILE  the signature from a UTF-8 file ('-': standard\n"
	  "                         input); CRLF becomes LF, line breaks at the end\n"
	  "                         are dropped\n"
	  "  --colour #RRGGBB       its house colour, for the band at the top of\n"
	  "                         its questionnaires (white text on it must be\n"
	  "                         readable: a contrast of at least 4.5:1)\n"
	  "  --logo FILE.png        its logo for the top of its questionnaires: a\n"
	  "                         PNG file of at most 200 kB (\"\" removes it)\n"
	  "\n"
	  "An empty value (--reply-to \"\") clears a setting.  Addresses must be\n"
	  "plain (name@example.nl); URLs must start with https:// (http:// only for\n"
	  "127.0.0.1 or localhost).  No setting may contain a line break or another\n"
	  "control character, except the signature (line breaks; at most 1000 bytes).\n",
	  municipality_set, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
