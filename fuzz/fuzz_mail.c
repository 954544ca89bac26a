/*
** Fuzz target for the mail renderer (web/mailbody, engine/mime): a survey
** definition's mail texts and the municipality's mail settings, all from
** the fuzzer, rendered as the outbox renders them.  Whatever goes in, a
** rendered mail must be one that cannot smuggle anything into SMTP or the
** headers, and the HTML part must hold no markup but the renderer's own.
**
** Input: sections separated by a line "%%".  The first is appended to a
** fixed, valid survey head (so it is the "mail invitation" and "mail
** reminder" blocks that get fuzzed); the next ones, each optional, are
** the municipality's name, sender name, sender address, reply-to, privacy
** URL, public URL and signature, then the recipient's address, token,
** language and contact time, and the installation's public URL and
** opt-out address.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "engine/mime.h"
#include "engine/municipality.h"
#include "engine/outbox.h"
#include "engine/surveydef.h"
#include "web/mailbody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAIL_FUZZ_MAX 65536

static const char survey_head[] =
	"survey fuzz-mail\n"
	"  channel: email\n"
	"  title: Uw contact\n"
	"  title.en: Your contact\n"
	"  overall: T1\n"
	"\n"
	"page oordeel\n"
	"  title: Uw oordeel\n"
	"\n"
	"question T1 mark\n"
	"  text: Welk rapportcijfer geeft u?\n"
	"  text.en: Which mark do you give?\n"
	"  area: TOT\n"
	"\n";

enum { F_MAIL, F_NAME, F_SENDER_NAME, F_SENDER_ADDR, F_REPLY_TO, F_PRIVACY,
       F_PUBLIC, F_SIGNATURE, F_EMAIL, F_TOKEN, F_LANGUAGE, F_CONTACT_AT,
       F_SET_PUBLIC, F_OPTOUT, F_COUNT };

static const char *const defaults[F_COUNT] = {
	"", "Gemeente Testdorp", "", "kto@testdorp.nl", "", "https://testdorp.nl/privacy",
	"", "Met vriendelijke groet,\nGemeente Testdorp", "inwoner@example.nl",
	"AbCdEf0123456789", "nl", "2026-11-02T10:15:00", "https://kto.example.nl/",
	"optout@kto.example.nl"
};

/* The header fields a message may have: no other, each at most once. */
static const char *const header_names[] = {
	"Date", "From", "Reply-To", "To", "Subject", "Message-ID", "MIME-Version",
	"Content-Language", "Auto-Submitted", "List-Unsubscribe",
	"List-Unsubscribe-Post", "Content-Type"
};

/* What may follow a '<' in the HTML part: the renderer's own tags. */
static const char *const html_tags[] = {
	"!DOCTYPE html>", "html lang=\"", "/html>", "head>", "/head>",
	"meta charset=\"utf-8\">", "title>", "/title>", "body style=\"", "/body>",
	"p>", "/p>", "br>", "a href=\"", "/a>"
};

/* Splits data at "\n%%\n" lines into NUL-terminated fields. */
static void
split(char *s, const char *field[F_COUNT])
{
	for (int i = 0; i < F_COUNT; i++)
		field[i] = defaults[i];
	for (int i = 0; i < F_COUNT && s != NULL; i++) {
		char *sep = strstr(s, "\n%%\n");

		if (sep != NULL)
			*sep = '\0';
		field[i] = s;
		s = sep != NULL ? sep + 4 : NULL;
	}
}

static void
check_header(const char *line, size_t len, unsigned *seen)
{
	size_t i;

	if (line[0] == ' ' || line[0] == '\t')
		return;                              /* a folded continuation */
	for (i = 0; i < sizeof header_names / sizeof header_names[0]; i++) {
		size_t n = strlen(header_names[i]);

		if (len > n && memcmp(line, header_names[i], n) == 0 && line[n] == ':')
			break;
	}
	if (i == sizeof header_names / sizeof header_names[0] || (*seen & (1u << i)))
		abort();                             /* injected or repeated */
	*seen |= 1u << i;
}

/* What goes after SMTP's DATA: 7-bit, CRLF only, short lines, our fields. */
static void
check_message(const char *m, size_t len)
{
	unsigned seen = 0;
	bool in_header = true;
	size_t start = 0;

	if (len == 0 || strlen(m) != len)
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)m[i];

		if (c >= 0x7F || (c < 0x20 && c != '\t' && c != '\r' && c != '\n'))
			abort();
		if ((c == '\r' && (i + 1 == len || m[i + 1] != '\n')) ||
		    (c == '\n' && (i == 0 || m[i - 1] != '\r')))
			abort();                     /* a bare CR or LF */
		if (c != '\n')
			continue;
		if (i - 1 - start > 998)
			abort();
		if (in_header && i - 1 == start)
			in_header = false;           /* the empty line */
		else if (in_header)
			check_header(m + start, i - 1 - start, &seen);
		start = i + 1;
	}
	if (start != len || in_header)
		abort();                             /* ends in CRLF, has a body */
	if ((seen & 0x3Bu) != 0x3Bu)             /* Date, From, To, Subject, Message-ID */
		abort();
}

/* Copies a setting into its place in struct kto_municipality, if it fits. */
static bool
fits(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/*
** The settings are UTF-8 when the engine stores them (engine/municipality);
** from the fuzzer they need not be, and then only kto_mime_build's refusal
** counts, checked in render().
*/
static bool
all_utf8(const char *const field[F_COUNT])
{
	for (int i = 0; i < F_COUNT; i++)
		if (kto_utf8_invalid_at(field[i], strlen(field[i])) != strlen(field[i]))
			return false;
	return true;
}

static void
check_html(const char *h, bool utf8_in)
{
	if (utf8_in && kto_utf8_invalid_at(h, strlen(h)) != strlen(h))
		abort();
	for (const char *lt = strchr(h, '<'); lt != NULL; lt = strchr(lt + 1, '<')) {
		size_t i;

		for (i = 0; i < sizeof html_tags / sizeof html_tags[0]; i++)
			if (strncmp(lt + 1, html_tags[i], strlen(html_tags[i])) == 0)
				break;
		if (i == sizeof html_tags / sizeof html_tags[0])
			abort();                     /* markup from a fuzzed text */
	}
}

static void
render(struct kto_mail_settings *set, const struct kto_mail_job *job, bool utf8_in)
{
	struct kto_buf subject = KTO_BUF_INIT(4096), text = KTO_BUF_INIT(256 * 1024),
	    html = KTO_BUF_INIT(512 * 1024), msg = KTO_BUF_INIT(KTO_MIME_MAX);
	struct kto_err err = KTO_ERR_INIT;
	char id[KTO_MIME_MESSAGE_ID_SIZE];
	enum kto_rc rc;

	rc = kto_mail_render_parts(set, job, &subject, &text, &html, &err);
	if (rc == KTO_OK) {
		check_html(kto_buf_str(&html), utf8_in);
	} else if (err.rc != rc || err.msg[0] == '\0') {
		abort();                             /* a refusal must say why */
	}
	err = (struct kto_err)KTO_ERR_INIT;
	rc = kto_mail_render(set, job, &msg, id, sizeof id, &err);
	if (rc == KTO_OK)
		check_message(kto_buf_str(&msg), msg.len);
	else if ((rc != KTO_EINPUT && rc != KTO_ELIMIT) || err.rc != rc ||
	    err.msg[0] == '\0' || msg.len != 0)
		abort();                             /* the outbox shows err.msg */
	kto_buf_release(&subject);
	kto_buf_release(&text);
	kto_buf_release(&html);
	kto_buf_release(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[F_COUNT];
	struct kto_municipality m;
	struct kto_mail_settings set;
	struct kto_mail_job job;
	struct kto_survey *s = NULL;
	struct kto_diags d;
	char *in, *src;
	size_t len;

	if (size > MAIL_FUZZ_MAX || (in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	split(in, f);
	len = sizeof survey_head - 1 + strlen(f[F_MAIL]);
	if ((src = malloc(len + 1)) == NULL) {
		free(in);
		return 0;
	}
	snprintf(src, len + 1, "%s%s", survey_head, f[F_MAIL]);
	kto_diags_init(&d);
	memset(&m, 0, sizeof m);
	snprintf(m.code, sizeof m.code, "GM9999");
	/* Longer settings than the engine stores are refused when set. */
	if (kto_survey_parse(src, len, &s, &d) == KTO_OK && fits(m.name, sizeof m.name, f[F_NAME]) &&
	    fits(m.sender_name, sizeof m.sender_name, f[F_SENDER_NAME]) &&
	    fits(m.sender_address, sizeof m.sender_address, f[F_SENDER_ADDR]) &&
	    fits(m.reply_to, sizeof m.reply_to, f[F_REPLY_TO]) &&
	    fits(m.privacy_url, sizeof m.privacy_url, f[F_PRIVACY]) &&
	    fits(m.public_url, sizeof m.public_url, f[F_PUBLIC]) &&
	    fits(m.signature, sizeof m.signature, f[F_SIGNATURE])) {
		set.public_url = f[F_SET_PUBLIC];
		set.optout_mailto = f[F_OPTOUT];
		memset(&job, 0, sizeof job);
		job.invitation_id = 1;
		job.email = f[F_EMAIL];
		job.language = f[F_LANGUAGE];
		job.token = f[F_TOKEN];
		job.contact_at = f[F_CONTACT_AT];
		job.channel = (enum kto_channel)(strlen(f[F_TOKEN]) % KTO_CHANNEL_COUNT);
		job.municipality = &m;
		job.survey = s;
		job.now = 1790000000 + (int64_t)size;
		for (int k = KTO_MAIL_INVITATION; k <= KTO_MAIL_REMINDER; k++) {
			job.kind = (enum kto_mail_kind)k;
			render(&set, &job, all_utf8(f));
		}
	}
	kto_survey_free(s);
	kto_diags_release(&d);
	free(src);
	free(in);
	return 0;
}
