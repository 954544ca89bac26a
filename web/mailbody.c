/*
** web/mailbody: rendering the mail texts of a survey definition.
*/
#include "web/mailbody.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "engine/mime.h"
#include "engine/municipality.h"
#include "engine/surveydef.h"
#include "web/html.h"

static const char *const months_nl[12] = {
	"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"
};
static const char *const months_en[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/* The channel with its article, as the placeholder {channel} reads. */
static const char *
channel_words(enum kto_channel c, bool en)
{
	static const char *const nl[] = { "de balie", "de telefoon", "de e-mail" };
	static const char *const eng[] = { "the counter", "the telephone", "e-mail" };

	return (unsigned)c < KTO_CHANNEL_COUNT ? (en ? eng[c] : nl[c]) : "";
}

/* Everything a placeholder can stand for, for one mail. */
struct fill {
	bool en;
	const char *municipality, *sender_name, *privacy_url, *signature, *channel;
	char contact_date[40];
	char link[600], optout_link[600];
};

/* A text in the mail's language: English when asked for and given. */
static const char *
pick(const struct kto_text *t, bool en)
{
	return en && t->en != NULL ? t->en : t->nl;
}

static enum kto_rc
fill_init(struct fill *f, const struct kto_mail_settings *set,
          const struct kto_mail_job *job, struct kto_err *err)
{
	const struct kto_municipality *m = job->municipality;
	const char *base = m->public_url[0] ? m->public_url : set->public_url;
	struct kto_datetime d;
	size_t blen;

	memset(f, 0, sizeof *f);
	f->en = strcmp(job->language, "en") == 0 && job->survey->has_english;
	f->municipality = m->name;
	f->sender_name = m->sender_name[0] ? m->sender_name : m->name;
	f->privacy_url = m->privacy_url;
	f->signature = m->signature;
	f->channel = channel_words(job->channel, f->en);
	if (kto_datetime_parse(job->contact_at, &d))
		snprintf(f->contact_date, sizeof f->contact_date, "%d %s %d", d.day,
		    (f->en ? months_en : months_nl)[d.month - 1], d.year);
	if (base == NULL || base[0] == '\0')
		return kto_err_set(err, KTO_EINPUT, "there is no public URL for the "
		    "citizens' links: set public_url in kto.conf (or KTO_PUBLIC_URL), "
		    "or the municipality's own with 'kto municipality set %s "
		    "--public-url URL'", m->code);
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	snprintf(f->link, sizeof f->link, "%.*s/s/%s", (int)blen, base, job->token);
	snprintf(f->optout_link, sizeof f->optout_link, "%.*s/o/%s", (int)blen, base,
	    job->token);
	return KTO_OK;
}

enum piece { PIECE_TEXT, PIECE_LINK, PIECE_LINES };

/* The value of placeholder name (n bytes), and how HTML shows it. */
static const char *
placeholder(const struct fill *f, const char *name, size_t n, enum piece *kind)
{
	static const struct { const char *name; size_t off; enum piece kind; } map[] = {
		{ "municipality", offsetof(struct fill, municipality), PIECE_TEXT },
		{ "sender_name", offsetof(struct fill, sender_name), PIECE_TEXT },
		{ "privacy_url", offsetof(struct fill, privacy_url), PIECE_LINK },
		{ "signature", offsetof(struct fill, signature), PIECE_LINES },
		{ "channel", offsetof(struct fill, channel), PIECE_TEXT },
	};

	*kind = PIECE_TEXT;
	if (n == 12 && memcmp(name, "contact_date", 12) == 0)
		return f->contact_date;
	if (n == 4 && memcmp(name, "link", 4) == 0) {
		*kind = PIECE_LINK;
		return f->link;
	}
	if (n == 11 && memcmp(name, "optout_link", 11) == 0) {
		*kind = PIECE_LINK;
		return f->optout_link;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].name) == n && memcmp(map[i].name, name, n) == 0) {
			*kind = map[i].kind;
			return *(const char *const *)((const char *)f + map[i].off);
		}
	return "";   /* the parser admits only known placeholders */
}

/* Appends escaped text to HTML, line breaks as <br>, blank lines as </p><p>. */
static enum kto_rc
html_lines(struct kto_buf *out, const char *s, size_t n)
{
	enum kto_rc rc = KTO_OK;
	size_t start = 0;

	for (size_t i = 0; i <= n && rc == KTO_OK; i++) {
		char piece[1024];
		size_t len;

		if (i < n && s[i] != '\n')
			continue;
		/* Escape in bounded pieces; the text itself is bounded already. */
		for (size_t k = start; k < i && rc == KTO_OK; k += len) {
			len = i - k < sizeof piece - 1 ? i - k : sizeof piece - 1;
			memcpy(piece, s + k, len);
			piece[len] = '\0';
			rc = kto_html_text(out, piece);
		}
		if (i < n && rc == KTO_OK)
			rc = kto_buf_adds(out, i + 1 < n && s[i + 1] == '\n' ?
			    "</p>\n<p>" : "<br>\n");
		if (i + 1 < n && s[i] == '\n' && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	return rc;
}

/*
** Expands tmpl into text (plain) or html (escaped, the links as anchors):
** exactly one of the two is not NULL.
*/
static enum kto_rc
expand(const struct fill *f, const char *tmpl, struct kto_buf *text,
       struct kto_buf *html)
{
	const char *s = tmpl, *lit = tmpl;
	enum kto_rc rc = KTO_OK;

	for (; rc == KTO_OK; s++) {
		const char *close, *v;
		enum piece kind;

		if (*s != '\0' && !(s[0] == '{' || (s[0] == '}' && s[1] == '}')))
			continue;
		/* The literal text before s. */
		rc = html != NULL ? html_lines(html, lit, (size_t)(s - lit))
		    : kto_buf_add(text, lit, (size_t)(s - lit));
		if (rc != KTO_OK || *s == '\0')
			break;
		if (s[1] == s[0]) {          /* {{ or }}: a literal brace */
			rc = kto_buf_addc(html != NULL ? html : text, s[0]);
			lit = ++s + 1;
			continue;
		}
		close = strchr(s, '}');
		if (close == NULL) {         /* the parser refuses this; be safe */
			lit = s;
			continue;
		}
		v = placeholder(f, s + 1, (size_t)(close - s - 1), &kind);
		if (html == NULL) {
			rc = kto_buf_adds(text, v);
		} else {
			if (kind == PIECE_LINK && v[0] != '\0') {
				rc = kto_buf_adds(html, "<a href=\"");
				if (rc == KTO_OK)
					rc = kto_html_attr(html, v);
				if (rc == KTO_OK)
					rc = kto_buf_adds(html, "\">");
				if (rc == KTO_OK)
					rc = kto_html_text(html, v);
				if (rc == KTO_OK)
					rc = kto_buf_adds(html, "</a>");
			} else {
				rc = html_lines(html, v, strlen(v));
			}
		}
		s = close;
		lit = close + 1;
	}
	return rc;
}

/* The three parts, with the placeholders' values f already worked out. */
static enum kto_rc
render_parts(const struct fill *fp, const struct kto_mail_job *job,
             struct kto_buf *subject, struct kto_buf *text, struct kto_buf *html,
             struct kto_err *err)
{
	const struct kto_mail *mail = job->kind == KTO_MAIL_REMINDER ?
	    &job->survey->reminder : &job->survey->invitation;
	const struct fill f = *fp;
	enum kto_rc rc;

	if (!mail->present)
		return kto_err_set(err, KTO_EINPUT, "survey %s has no %s mail",
		    job->survey->name, job->kind == KTO_MAIL_REMINDER ? "reminder" :
		    "invitation");
	/* A sentence that ends in nothing is worse than no mail: ask for it. */
	if (f.privacy_url[0] == '\0' && (strstr(pick(&mail->body, f.en),
	    "{privacy_url}") != NULL || strstr(pick(&mail->subject, f.en),
	    "{privacy_url}") != NULL))
		return kto_err_set(err, KTO_EINPUT, "the mail text links to the "
		    "privacy statement, which is not set: set it with 'kto "
		    "municipality set %s --privacy-url URL'", job->municipality->code);
	rc = expand(&f, pick(&mail->subject, f.en), subject, NULL);
	if (rc == KTO_OK)
		rc = expand(&f, pick(&mail->body, f.en), text, NULL);
	if (rc == KTO_OK)
		rc = kto_buf_addf(html, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>"
		    "<meta charset=\"utf-8\"><title>", f.en ? "en" : "nl");
	if (rc == KTO_OK)
		rc = kto_html_text(html, kto_buf_str(subject));
	if (rc == KTO_OK)
		rc = kto_buf_adds(html, "</title></head>\n<body style=\"font-family: "
		    "sans-serif; line-height: 1.5\">\n<p>");
	if (rc == KTO_OK)
		rc = expand(&f, pick(&mail->body, f.en), NULL, html);
	if (rc == KTO_OK)
		rc = kto_buf_adds(html, "</p>\n</body>\n</html>\n");
	if (rc != KTO_OK)
		return kto_err_set(err, rc, "the mail is too large");
	return KTO_OK;
}

enum kto_rc
kto_mail_render_parts(const struct kto_mail_settings *set,
                      const struct kto_mail_job *job, struct kto_buf *subject,
                      struct kto_buf *text, struct kto_buf *html,
                      struct kto_err *err)
{
	struct fill f;
	enum kto_rc rc = fill_init(&f, set, job, err);

	return rc != KTO_OK ? rc : render_parts(&f, job, subject, text, html, err);
}

enum kto_rc
kto_mail_render(void *ctx, const struct kto_mail_job *job, struct kto_buf *message,
                char *message_id, size_t id_len, struct kto_err *err)
{
	const struct kto_mail_settings *set = ctx;
	const struct kto_municipality *m = job->municipality;
	struct kto_buf subject = KTO_BUF_INIT(4096), text = KTO_BUF_INIT(256 * 1024),
	    html = KTO_BUF_INIT(512 * 1024);
	struct kto_mail_message msg;
	struct fill f;
	enum kto_rc rc;

	if (m->sender_address[0] == '\0')
		return kto_err_set(err, KTO_EINPUT, "there is no sender address: set "
		    "it with 'kto municipality set %s --sender-address ADDRESS'",
		    m->code);
	if ((rc = fill_init(&f, set, job, err)) == KTO_OK)
		rc = render_parts(&f, job, &subject, &text, &html, err);
	if (rc == KTO_OK) {
		/* Its rc comes without a message; the outbox shows the reason. */
		rc = kto_mime_message_id(m->sender_address, message_id, id_len);
		if (rc == KTO_EINPUT)
			kto_err_set(err, rc, "the sender address '%.254s' is not an "
			    "e-mail address: set it with 'kto municipality set %s "
			    "--sender-address ADDRESS'", m->sender_address, m->code);
		else if (rc != KTO_OK)
			kto_err_set(err, rc, "no Message-ID for the sender address "
			    "'%.254s': %s", m->sender_address, kto_strerror(rc));
	}
	if (rc == KTO_OK) {
		memset(&msg, 0, sizeof msg);
		msg.from_name = m->sender_name[0] ? m->sender_name : m->name;
		msg.from_addr = m->sender_address;
		msg.to_addr = job->email;
		msg.reply_to = m->reply_to[0] ? m->reply_to : NULL;
		msg.subject = kto_buf_str(&subject);
		msg.text = kto_buf_str(&text);
		msg.html = kto_buf_str(&html);
		msg.language = strcmp(job->language, "en") == 0 &&
		    job->survey->has_english ? "en" : "nl";
		msg.unsubscribe_url = f.optout_link;
		msg.unsubscribe_mailto = set->optout_mailto && set->optout_mailto[0] ?
		    set->optout_mailto : NULL;
		msg.message_id = message_id;
		msg.date = job->now;
		rc = kto_mime_build(&msg, message, err);
	}
	kto_buf_release(&subject);
	kto_buf_release(&text);
	kto_buf_release(&html);
	return rc;
}
