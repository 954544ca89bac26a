#include "engine/municipality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "engine/audit.h"
#include "engine/circle.h"
#include "engine/db_int.h"
#include "engine/email.h"

#define MUNICIPALITY_SELECT \
	"SELECT m.id, m.code, m.name, c.code, c.name, m.created_at, " \
	"m.sender_name, m.sender_address, m.reply_to, m.privacy_url, " \
	"m.public_url, m.signature, m.colour, m.logo_png IS NOT NULL " \
	"FROM municipality m LEFT JOIN circle c ON c.id = m.circle_id "

static void
municipality_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_municipality *m = elem;

	m->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, m->code, sizeof m->code);
	kto_db_column_copy(st, 2, m->name, sizeof m->name);
	kto_db_column_copy(st, 3, m->circle_code, sizeof m->circle_code);
	kto_db_column_copy(st, 4, m->circle_name, sizeof m->circle_name);
	kto_db_column_copy(st, 5, m->created_at, sizeof m->created_at);
	kto_db_column_copy(st, 6, m->sender_name, sizeof m->sender_name);
	kto_db_column_copy(st, 7, m->sender_address, sizeof m->sender_address);
	kto_db_column_copy(st, 8, m->reply_to, sizeof m->reply_to);
	kto_db_column_copy(st, 9, m->privacy_url, sizeof m->privacy_url);
	kto_db_column_copy(st, 10, m->public_url, sizeof m->public_url);
	kto_db_column_copy(st, 11, m->signature, sizeof m->signature);
	kto_db_column_copy(st, 12, m->colour, sizeof m->colour);
	m->has_logo = sqlite3_column_int(st, 13) != 0;
}

enum kto_rc
kto_municipality_find(struct kto_db *db, const char *code,
                      struct kto_municipality *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	/* Cached: every questionnaire page looks its municipality up. */
	rc = kto_db_query(db, &st, MUNICIPALITY_SELECT "WHERE m.code = ?", "t", code);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		municipality_fill(st, out);
	else if (rc == KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no municipality '%s'",
		    code);
	kto_db_query_done(st);
	return rc;
}

/* The id of circle `code`, or a KTO_ENOTFOUND that says what to do. */
static enum kto_rc
circle_id(struct kto_db *db, const char *code, int64_t *id)
{
	struct kto_circle c;
	enum kto_rc rc = kto_circle_find(db, code, &c);

	if (rc == KTO_ENOTFOUND)
		return kto_db_seterr(db, rc, "there is no circle '%s'; create it "
		    "first, or leave the circle out", code);
	if (rc == KTO_OK)
		*id = c.id;
	return rc;
}

struct municipality_add {
	const char *actor, *code, *name, *circle_code;
	int64_t id;
};

static enum kto_rc
municipality_add_txn(struct kto_db *db, void *arg)
{
	struct municipality_add *a = arg;
	struct kto_municipality existing;
	int64_t cid = 0;
	enum kto_rc rc;

	if (kto_municipality_find(db, a->code, &existing) == KTO_OK)
		return kto_db_seterr(db, KTO_EEXISTS, "municipality '%s' already "
		    "exists (%s%s%s); choose another code", existing.code,
		    existing.name, existing.circle_code[0] ? ", circle " : "",
		    existing.circle_code);
	if (a->circle_code != NULL && (rc = circle_id(db, a->circle_code, &cid)) != KTO_OK)
		return rc;
	rc = cid ? kto_db_exec(db, "INSERT INTO municipality (code, name, circle_id) "
	               "VALUES (?, ?, ?)", "tti", a->code, a->name, cid)
	         : kto_db_exec(db, "INSERT INTO municipality (code, name) "
	               "VALUES (?, ?)", "tt", a->code, a->name);
	if (rc != KTO_OK)
		return rc;
	a->id = sqlite3_last_insert_rowid(db->sqlite);
	return kto_audit(db, a->actor, "municipality.add", a->id, a->code, a->name);
}

enum kto_rc
kto_municipality_add(struct kto_db *db, const char *actor, const char *code,
                     const char *name, const char *circle_code, int64_t *id_out)
{
	struct municipality_add a = { actor, code, name, circle_code, 0 };
	enum kto_rc rc;

	if ((rc = kto_check_code(code, "municipality code", &db->err)) != KTO_OK ||
	    (rc = kto_check_name(name, "municipality name", &db->err)) != KTO_OK)
		return rc;
	rc = kto_db_transaction(db, municipality_add_txn, &a);
	if (rc == KTO_OK && id_out != NULL)
		*id_out = a.id;
	return rc;
}

enum kto_rc
kto_municipality_list(struct kto_db *db, const char *circle_code,
                      struct kto_municipality **out, size_t *count)
{
	sqlite3_stmt *st;
	int64_t cid = 0;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	if (circle_code != NULL) {
		if ((rc = circle_id(db, circle_code, &cid)) != KTO_OK)
			return rc;
		rc = kto_db_prepare(db, &st, MUNICIPALITY_SELECT
		    "WHERE m.circle_id = ? ORDER BY m.code", "i", cid);
	} else {
		rc = kto_db_prepare(db, &st, MUNICIPALITY_SELECT "ORDER BY m.code", "");
	}
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, municipality_fill,
	    (void **)out, count);
}

/*
** The optional settings of struct kto_municipality_changes, in the order
** they are applied, each with its own UPDATE (SQL is never built from
** pieces).
*/
struct setting {
	const char *column;          /* in table municipality, and the audit detail */
	size_t offset;               /* of the value in kto_municipality_changes */
	const char *sql;
};

#define SETTING(f) { #f, offsetof(struct kto_municipality_changes, f), \
	"UPDATE municipality SET " #f " = ? WHERE id = ?" }
static const struct setting settings[] = {
	SETTING(sender_name), SETTING(sender_address), SETTING(reply_to),
	SETTING(privacy_url), SETTING(public_url), SETTING(signature),
	SETTING(colour),
};
#undef SETTING

static const char *
setting_value(const struct kto_municipality_changes *ch, const struct setting *s)
{
	const char *const *v = (const char *const *)(const void *)
	    ((const char *)ch + s->offset);

	return *v;
}

struct municipality_update {
	const char *actor, *code;
	const struct kto_municipality_changes *ch;
	char public_url[KTO_URL_MAX + 1];     /* ch->public_url without a final '/' */
};

static enum kto_rc
municipality_set_txn(struct kto_db *db, struct municipality_update *u,
                     const struct kto_municipality *m)
{
	enum kto_rc rc = KTO_OK;

	for (size_t i = 0; i < sizeof settings / sizeof settings[0] && rc == KTO_OK; i++) {
		const char *v = setting_value(u->ch, &settings[i]);
		char detail[64 + KTO_SIGNATURE_MAX];

		if (v == NULL)
			continue;
		if (settings[i].offset ==
		    offsetof(struct kto_municipality_changes, public_url))
			v = u->public_url;      /* checked and trimmed */
		/* "" clears the setting: NULL, as for one never set. */
		rc = kto_db_exec(db, settings[i].sql, "ti", v[0] ? v : NULL, m->id);
		snprintf(detail, sizeof detail, "%s: %s", settings[i].column,
		    v[0] ? v : "(cleared)");
		if (rc == KTO_OK)
			rc = kto_audit(db, u->actor, "municipality.set", m->id, m->code,
			    detail);
	}
	return rc;
}

static enum kto_rc
municipality_update_txn(struct kto_db *db, void *arg)
{
	struct municipality_update *u = arg;
	struct kto_municipality m;
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, u->code, &m)) != KTO_OK)
		return rc;
	if (u->ch->name != NULL) {
		rc = kto_db_exec(db, "UPDATE municipality SET name = ? WHERE id = ?",
		    "ti", u->ch->name, m.id);
		if (rc == KTO_OK)
			rc = kto_audit(db, u->actor, "municipality.rename", m.id,
			    m.code, u->ch->name);
		if (rc != KTO_OK)
			return rc;
	}
	if (u->ch->circle_code != NULL) {
		int64_t cid = 0;

		if (u->ch->circle_code[0] != '\0' &&
		    (rc = circle_id(db, u->ch->circle_code, &cid)) != KTO_OK)
			return rc;
		rc = cid ? kto_db_exec(db, "UPDATE municipality SET circle_id = ? "
		               "WHERE id = ?", "ii", cid, m.id)
		         : kto_db_exec(db, "UPDATE municipality SET circle_id = NULL "
		               "WHERE id = ?", "i", m.id);
		if (rc == KTO_OK)
			rc = kto_audit(db, u->actor, "municipality.move", m.id, m.code,
			    u->ch->circle_code[0] ? u->ch->circle_code : "(no circle)");
		if (rc != KTO_OK)
			return rc;
	}
	if ((rc = municipality_set_txn(db, u, &m)) != KTO_OK || !u->ch->set_logo)
		return rc;
	rc = u->ch->logo_png != NULL
	    ? kto_db_exec(db, "UPDATE municipality SET logo_png = ? WHERE id = ?",
	        "bi", u->ch->logo_png, u->ch->logo_len, m.id)
	    : kto_db_exec(db, "UPDATE municipality SET logo_png = NULL WHERE id = ?",
	        "i", m.id);
	if (rc == KTO_OK) {
		char detail[64];

		snprintf(detail, sizeof detail, u->ch->logo_png ? "logo: %zu bytes"
		    : "logo: (cleared)", u->ch->logo_len);
		rc = kto_audit(db, u->actor, "municipality.set", m.id, m.code, detail);
	}
	return rc;
}

enum kto_rc
kto_municipality_logo(struct kto_db *db, const char *code, struct kto_buf *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT logo_png FROM municipality "
	    "WHERE code = ? AND logo_png IS NOT NULL", "t", code);

	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && !row)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "municipality '%s' has no logo",
		    code);
	else if (rc == KTO_OK && kto_buf_add(out, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0)) != KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	kto_db_query_done(st);
	return rc;
}

enum kto_rc
kto_check_signature(const char *text, const char *what, struct kto_err *err)
{
	size_t n = strlen(text), bad, line = 1;

	bad = kto_utf8_invalid_at(text, n);
	if (bad != n)
		return kto_err_set(err, KTO_EINPUT, "the %s is not valid UTF-8 text "
		    "(bad byte at position %zu); save it as UTF-8", what, bad + 1);
	if (n > KTO_SIGNATURE_MAX)
		return kto_err_set(err, KTO_EINPUT, "the %s is %zu bytes long; at "
		    "most %d are allowed", what, n, KTO_SIGNATURE_MAX);
	/*
	** Line breaks are the signature's own ('\n'; the mail writer makes them
	** CRLF).  A lone CR, a tab or another control character would show
	** differently in every mail program, so they are refused.
	*/
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		const char *which = NULL;

		if (*p == '\n')
			line++;
		else if (*p == '\r')
			which = "carriage return (CR)";
		else if (*p == '\t')
			which = "tab";
		else if (*p < 0x20 || *p == 0x7F)
			which = "control character";
		else if ((p[0] == 0xC2 && p[1] == 0x85) || (p[0] == 0xE2 &&
		    p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)))
			which = "Unicode line separator";
		if (which != NULL)
			return kto_err_set(err, KTO_EINPUT, "the %s has a %s on line "
			    "%zu; only line breaks are allowed", what, which, line);
	}
	return KTO_OK;
}

/* Checks an address setting; "" (clear) is always allowed. */
static enum kto_rc
check_address(const char *addr, const char *what, struct kto_err *err)
{
	const char *why;

	if (addr == NULL || addr[0] == '\0')
		return KTO_OK;
	/*
	** The address goes into the From or Reply-To header and the SMTP
	** envelope (MAIL FROM): a CR or LF would end the header or command and
	** let the rest forge new ones.  kto_email_problem() refuses them by
	** name; the value is not quoted then, so the message cannot carry the
	** break onto the terminal either.
	*/
	if ((why = kto_email_problem(addr)) == NULL)
		return KTO_OK;
	if (strpbrk(addr, "\r\n") != NULL || kto_text_has_control(addr))
		return kto_err_set(err, KTO_EINPUT, "the %s %s", what, why);
	return kto_err_set(err, KTO_EINPUT, "the %s '%s' %s", what, addr, why);
}

/* WCAG 2.1's relative luminance of an sRGB channel value 0..255. */
static double
channel_luminance(unsigned v)
{
	double c = v / 255.0;

	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/*
** A house colour: "#RRGGBB", dark enough for white text on it (WCAG 2.1
** AA: a contrast of 4.5:1 for normal text).
*/
static enum kto_rc
check_colour(const char *c, struct kto_err *err)
{
	unsigned long rgb;
	unsigned r, g, b;
	double lum, contrast;

	if (strlen(c) != 7 || c[0] != '#' || strspn(c + 1, "0123456789abcdefABCDEF") != 6)
		return kto_err_set(err, KTO_EINPUT, "colour '%s' is not written as "
		    "#RRGGBB, e.g. #00529B", c);
	rgb = strtoul(c + 1, NULL, 16);      /* six hex digits: checked above */
	r = (unsigned)(rgb >> 16) & 0xFF;
	g = (unsigned)(rgb >> 8) & 0xFF;
	b = (unsigned)rgb & 0xFF;
	lum = 0.2126 * channel_luminance(r) + 0.7152 * channel_luminance(g) +
	    0.0722 * channel_luminance(b);
	contrast = 1.05 / (lum + 0.05);
	if (contrast < 4.5)
		return kto_err_set(err, KTO_EINPUT, "colour %s is too light: white "
		    "text on it has a contrast of %.1f:1, and at least 4.5:1 is "
		    "needed to be readable (WCAG 2.1 AA); choose a darker shade", c,
		    contrast);
	return KTO_OK;
}

static uint32_t
big_endian32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
** A logo: a PNG file (its signature and a sane IHDR) of at most
** KTO_LOGO_MAX bytes.  Only PNG: it cannot carry script, as SVG can.
*/
static enum kto_rc
check_png(const unsigned char *p, size_t n, struct kto_err *err)
{
	uint32_t w, h;

	if (n > KTO_LOGO_MAX)
		return kto_err_set(err, KTO_EINPUT, "the logo is %zu kB; at most %d "
		    "kB fits: save it smaller", n / 1024, KTO_LOGO_MAX / 1024);
	if (n < 33 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0 ||
	    big_endian32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
		return kto_err_set(err, KTO_EINPUT, "the logo is not a PNG file; "
		    "save it as PNG");
	w = big_endian32(p + 16);
	h = big_endian32(p + 20);
	if (w == 0 || h == 0 || w > 4096 || h > 4096)
		return kto_err_set(err, KTO_EINPUT, "the logo is %ux%u pixels; use "
		    "one of at most 4096x4096", (unsigned)w, (unsigned)h);
	return KTO_OK;
}

/* Checks everything ch would change, before the transaction starts. */
static enum kto_rc
check_changes(struct municipality_update *u, struct kto_err *err)
{
	const struct kto_municipality_changes *ch = u->ch;
	enum kto_rc rc;

	if (ch->name != NULL &&
	    (rc = kto_check_name(ch->name, "municipality name", err)) != KTO_OK)
		return rc;
	/* The display name goes into the From header: kto_check_name()
	   refuses CR, LF and every other control character. */
	if (ch->sender_name != NULL && ch->sender_name[0] != '\0' &&
	    (rc = kto_check_name(ch->sender_name, "sender name", err)) != KTO_OK)
		return rc;
	if ((rc = check_address(ch->sender_address, "sender address", err)) != KTO_OK ||
	    (rc = check_address(ch->reply_to, "reply-to address", err)) != KTO_OK)
		return rc;
	if (ch->privacy_url != NULL && ch->privacy_url[0] != '\0' &&
	    (rc = kto_check_url(ch->privacy_url, "privacy statement URL",
	    KTO_URL_PAGE, err)) != KTO_OK)
		return rc;
	if (ch->public_url != NULL && ch->public_url[0] != '\0') {
		size_t n;

		if ((rc = kto_check_url(ch->public_url, "public URL", KTO_URL_BASE,
		    err)) != KTO_OK)
			return rc;
		n = strlen(ch->public_url);
		memcpy(u->public_url, ch->public_url, n + 1);
		while (n > 0 && u->public_url[n - 1] == '/')
			u->public_url[--n] = '\0';
		/* "https://" and a host remain: kto_check_url() saw to that. */
	}
	if (ch->signature != NULL &&
	    (rc = kto_check_signature(ch->signature, "signature", err)) != KTO_OK)
		return rc;
	if (ch->colour != NULL && ch->colour[0] != '\0' &&
	    (rc = check_colour(ch->colour, err)) != KTO_OK)
		return rc;
	if (ch->set_logo && ch->logo_png != NULL)
		return check_png(ch->logo_png, ch->logo_len, err);
	return KTO_OK;
}

enum kto_rc
kto_municipality_update(struct kto_db *db, const char *actor, const char *code,
                        const struct kto_municipality_changes *ch)
{
	struct municipality_update u;
	enum kto_rc rc;

	memset(&u, 0, sizeof u);
	u.actor = actor;
	u.code = code;
	u.ch = ch;
	if ((rc = check_changes(&u, &db->err)) != KTO_OK)
		return rc;
	return kto_db_transaction(db, municipality_update_txn, &u);
}
