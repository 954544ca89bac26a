/*
** kto qr: the QR code of a municipality's open counter link (/c/CODE[/DESK]),
** for the ticket or a sign at the desk: as text blocks in the terminal, or
** as an SVG file to print at any size.  libqrencode makes the code.
*/
#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cli/cli.h"
#include "engine/config.h"
#include "engine/municipality.h"

#define QR_QUIET 4      /* modules of white border the standard asks for */

/* The code as SVG: one path of unit squares, scaled by the viewBox. */
static int
write_svg(FILE *f, const QRcode *qr, const char *url)
{
	int size = qr->width + 2 * QR_QUIET;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\""
	    "http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%dmm\" "
	    "height=\"%dmm\" shape-rendering=\"crispEdges\" role=\"img\" "
	    "aria-label=\"QR-code: %s\">\n<rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/>\n<path fill=\"#000\" d=\"", size, size, size, size,
	    url, size, size);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				fprintf(f, "M%d %dh1v1h-1z", x + QR_QUIET, y + QR_QUIET);
	fprintf(f, "\"/>\n</svg>\n");
	return ferror(f) ? -1 : 0;
}

/* The code as half blocks: two rows of modules per line of text. */
static void
write_text(FILE *f, const QRcode *qr)
{
	int w = qr->width;

	for (int y = -QR_QUIET; y < w + QR_QUIET; y += 2) {
		for (int x = -QR_QUIET; x < w + QR_QUIET; x++) {
			bool top = y >= 0 && y < w && x >= 0 && x < w &&
			    (qr->data[y * w + x] & 1);
			bool bottom = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
			    (qr->data[(y + 1) * w + x] & 1);

			/* Dark modules as spaces on light text: a dark terminal shows it right. */
			fputs(top && bottom ? " " : top ? "\xe2\x96\x84" : bottom ?
			    "\xe2\x96\x80" : "\xe2\x96\x88", f);
		}
		fputc('\n', f);
	}
}

/* The installation's public URL, or the municipality's own. */
static bool
public_url(struct cli *cli, const struct kto_municipality *m, char *out, size_t n)
{
	struct kto_config cfg;
	struct kto_diags d;
	char used[KTO_CONFIG_PATH_MAX + 1];
	enum kto_rc rc;

	if (m->public_url[0] != '\0') {
		snprintf(out, n, "%s", m->public_url);
		return true;
	}
	kto_diags_init(&d);
	rc = kto_config_load(cli->config_path, &cfg, &d, used, sizeof used);
	/* A broken kto.conf is said as such, not as a missing URL. */
	cli_print_config_diags(cli, used[0] ? used : cli->path, &d);
	kto_diags_release(&d);
	if (rc != KTO_OK)
		return false;
	if (cfg.public_url[0] == '\0') {
		fprintf(stderr, "%s: no public URL: set public_url in kto.conf (or "
		    "KTO_PUBLIC_URL), or the municipality's with 'kto municipality set "
		    "%s --public-url URL'\n", cli->path, m->code);
		return false;
	}
	snprintf(out, n, "%s", cfg.public_url);
	return true;
}

static bool
desk_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_") == n;
}

int
cli_qr_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ "desk", required_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *code = NULL, *desk = NULL, *svg = NULL;
	struct kto_municipality m;
	struct kto_db *db;
	char base[KTO_URL_MAX + 1], url[KTO_URL_MAX + 64];
	QRcode *qr;
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			code = optarg;
		else if (c == 'd')
			desk = optarg;
		else if (c == 's')
			svg = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (code == NULL)
		return cli_usage_error(cli, cmd, "say whose link: --municipality CODE");
	if (desk != NULL && !desk_ok(desk))
		return cli_usage_error(cli, cmd, "--desk '%s': use at most 32 letters, "
		    "digits, '-' and '_', e.g. balie-3", desk);
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if (kto_municipality_find(db, code, &m) != KTO_OK)
		return cli_fail(cli, KTO_ENOTFOUND, "see the municipalities with "
		    "'kto municipality list'");
	if (!public_url(cli, &m, base, sizeof base))
		return CLI_EXIT_INPUT;
	snprintf(url, sizeof url, "%s/c/%s%s%s", base, m.code, desk ? "/" : "",
	    desk ? desk : "");
	/* Level M: a quarter of the code may be smudged or covered. */
	if ((qr = QRcode_encodeString8bit(url, 0, QR_ECLEVEL_M)) == NULL) {
		fprintf(stderr, "%s: cannot make a QR code of %s: %s\n", cli->path, url,
		    strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	if (svg != NULL) {
		FILE *f = fopen(svg, "w");

		if (f == NULL || write_svg(f, qr, url) != 0 || fclose(f) != 0) {
			fprintf(stderr, "%s: cannot write '%s': %s\n", cli->path, svg,
			    strerror(errno));
			QRcode_free(qr);
			return CLI_EXIT_INPUT;
		}
		printf("Wrote the QR code of %s to %s\n", url, svg);
	} else {
		write_text(stdout, qr);
		printf("%s\n", url);
	}
	QRcode_free(qr);
	return CLI_EXIT_OK;
}

const char cli_qr_usage[] =
	"Usage: kto qr --municipality CODE [--desk DESK] [--svg FILE]\n"
	"\n"
	"Prints the QR code of the municipality's open link for counter\n"
	"visitors without an e-mail address: PUBLIC_URL/c/CODE[/DESK]. Each\n"
	"browser that opens it can give one response, in the counter stratum of\n"
	"the municipality's wave in fieldwork; the desk is stored with it.\n"
	"\n"
	"  --municipality CODE  whose link (e.g. GM0363)\n"
	"  --desk DESK          which desk, as printed on its sign (e.g. balie-3)\n"
	"  --svg FILE           write an SVG file to print, instead of showing\n"
	"                       the code in the terminal\n";
