/*
** engine/mime: whole messages as they go to SMTP's DATA.  Each message is
** read back two ways: by small decoders here (quoted-printable, RFC 2047
** Q words) and by an independent parser, Python's email package with its
** strict default policy (tests/unit/mime_parse.py), which must see the
** Dutch characters intact and report no defects.  Around that: the wire
** format (CRLF only, 7-bit, 78/76-character lines), folding, the quoted-
** printable edge cases, the boundary, header and SMTP injection attempts,
** invalid UTF-8, the size limits and unique Message-IDs.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/status.h"
#include "engine/mime.h"
#include "tests/unit/testutil.h"

#define PYTHON "/usr/bin/python3"

#define FROM_NAME "Gemeente Noordoostpolder, Klantcontact \xc3\xab \xc3\xaf \xe2\x82\xac"
#define SUBJECT "Uw mening telt: hoe tevreden bent u over ons contact? " \
	"(\xc3\xab, \xc3\xaf, \xe2\x82\xac)"
#define TEXT "Beste inwoner,\n\nU had onlangs contact met de gemeente. Wilt u " \
	"\xc3\xa9\xc3\xa9n vraag beantwoorden?\nDe enqu\xc3\xaate kost geen " \
	"\xe2\x82\xac en duurt 3 minuten; na\xc3\xaf" "ef of niet.\n\n" \
	"Ga naar https://enquete.example.nl/u/Ab3dEf-hIjKlMnOpQrSt_w\n\n" \
	"Met vriendelijke groet,\nGemeente Noordoostpolder\n"
#define HTML "<!DOCTYPE html>\n<html lang=\"nl\"><body>\n<p>Beste inwoner,</p>\n" \
	"<p>Wilt u onze enqu\xc3\xaate invullen? Het kost &euro; 0 &ndash; " \
	"na\xc3\xaf" "ef \xe2\x82\xac \xc3\xab \xc3\xaf</p>\n<p><a href=\"" \
	"https://enquete.example.nl/u/Ab3dEf-hIjKlMnOpQrSt_w\">Naar de " \
	"enqu\xc3\xaate</a></p>\n</body></html>\n"
#define URL "https://enquete.example.nl/af/Ab3dEf-hIjKlMnOpQrSt_w"

/* A valid Dutch invitation; tests change one field at a time. */
static struct kto_mail_message
dutch(void)
{
	struct kto_mail_message m = {
		.from_name = FROM_NAME,
		.from_addr = "enquete@noordoostpolder.example.nl",
		.to_addr = "j.de.vries@example.org",
		.reply_to = "klantcontact@noordoostpolder.example.nl",
		.subject = SUBJECT,
		.text = TEXT,
		.html = HTML,
		.language = "nl",
		.unsubscribe_url = URL,
		.unsubscribe_mailto = "afmelden@noordoostpolder.example.nl",
		.message_id = "0123456789abcdef0123456789abcdef@noordoostpolder.example.nl",
		.date = INT64_C(1795462200),    /* Mon, 23 Nov 2026 19:30:00 */
	};
	return m;
}

/* Builds m, which must succeed; the message in memory the caller frees. */
static char *
build(const struct kto_mail_message *m)
{
	struct kto_buf b = KTO_BUF_INIT(KTO_MIME_MAX);
	struct kto_err err = KTO_ERR_INIT;
	enum kto_rc rc = kto_mime_build(m, &b, &err);

	if (rc != KTO_OK) {
		print_error("kto_mime_build: %s\n", kto_err_msg(&err));
		fail();
	}
	return kto_buf_detach(&b);
}

/*
** Expects m to be refused with rc, the message naming `field` (as "mail's
** FIELD ") and containing `why` (may be NULL), and nothing appended to a
** buffer that already held something.
*/
static void
expect_refused(const struct kto_mail_message *m, enum kto_rc want,
               const char *field, const char *why)
{
	struct kto_buf b = KTO_BUF_INIT(KTO_MIME_MAX);
	struct kto_err err = KTO_ERR_INIT;
	enum kto_rc rc;
	char named[64];

	assert_int_equal(kto_buf_adds(&b, "earlier"), KTO_OK);
	rc = kto_mime_build(m, &b, &err);
	if (rc != want) {
		print_error("field %s: got %s (%s), want %s\n", field,
		    kto_strerror(rc), kto_err_msg(&err), kto_strerror(want));
		fail();
	}
	assert_int_equal(err.rc, want);
	if (field != NULL) {
		snprintf(named, sizeof named, "mail's %s ", field);
		assert_contains(err.msg, named);
	}
	if (why != NULL)
		assert_contains(err.msg, why);
	assert_int_equal(b.len, 7);
	assert_string_equal(kto_buf_str(&b), "earlier");
	kto_buf_release(&b);
}

/* ------------------------------------------------ reading messages back */

/* Number of (possibly overlapping) occurrences of needle in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static bool
is_hex_upper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* The boundary from the top-level Content-Type, in memory the caller frees. */
static char *
boundary_of(const char *msg)
{
	const char *p = strstr(msg, "boundary=\"");
	const char *end;

	assert_non_null(p);
	p += strlen("boundary=\"");
	end = strchr(p, '"');
	assert_non_null(end);
	return strndup(p, (size_t)(end - p));
}

/*
** What holds for every message: only CRLF line ends and 7-bit printable
** characters; header lines of at most header_max characters (78 unless a
** link or address alone is longer than a line); part lines of at most
** 76, none starting with '.', every '=' an escape of two upper-case hex
** digits or a soft break at the line end; the boundary exactly in the
** Content-Type and the three delimiter lines; a final CRLF.
*/
static void
check_wire_max(const char *msg, size_t header_max)
{
	char *b = boundary_of(msg);
	size_t blen = strlen(b);
	bool in_header = true, in_part_header = false;
	const char *p = msg;

	assert_true(strlen(msg) >= 2);
	assert_memory_equal(msg + strlen(msg) - 2, "\r\n", 2);
	while (*p != '\0') {
		const char *e = strstr(p, "\r\n");
		size_t len;

		assert_non_null(e);
		len = (size_t)(e - p);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];

			if (!((c >= 0x20 && c <= 0x7E) || c == '\t')) {
				print_error("byte 0x%02X at offset %zu\n", c,
				    (size_t)(p + i - msg));
				fail();
			}
		}
		if (len >= 2 + blen && p[0] == '-' && p[1] == '-' &&
		    memcmp(p + 2, b, blen) == 0) {
			/* A delimiter: a part's header follows. */
			in_header = false;
			in_part_header = true;
		} else if (in_header || in_part_header) {
			if (len > header_max) {
				print_error("header line of %zu characters: %.*s\n",
				    len, (int)len, p);
				fail();
			}
			if (len == 0) {
				in_header = false;
				in_part_header = false;
			}
		} else {
			if (len > 76) {
				print_error("body line of %zu characters: %.*s\n",
				    len, (int)len, p);
				fail();
			}
			if (len > 0 && p[0] == '.') {
				print_error("body line starts with '.': %.*s\n",
				    (int)len, p);
				fail();
			}
			for (size_t i = 0; i < len; i++) {
				if (p[i] != '=')
					continue;
				if (i + 1 == len)
					break;  /* soft break */
				if (!(i + 2 < len && is_hex_upper(p[i + 1]) &&
				    is_hex_upper(p[i + 2]))) {
					print_error("bad escape in: %.*s\n", (int)len, p);
					fail();
				}
				i += 2;
			}
		}
		p = e + 2;
	}
	assert_int_equal(count(msg, b), 4);
	free(b);
}

static void
check_wire(const char *msg)
{
	check_wire_max(msg, 78);
}

/* The header section (up to the empty line), in memory the caller frees. */
static char *
header_block(const char *msg)
{
	const char *e = strstr(msg, "\r\n\r\n");

	assert_non_null(e);
	return strndup(msg, (size_t)(e - msg) + 2);
}

/*
** The raw value of the top-level header `name` with its continuation lines
** unfolded (CRLF removed, as RFC 5322 3.2.2 says), in memory the caller
** frees; NULL when there is none.
*/
static char *
header_value(const char *msg, const char *name)
{
	char *h = header_block(msg);
	struct kto_buf v = KTO_BUF_INIT(1u << 20);
	size_t nlen = strlen(name);
	const char *p = h;
	bool found = false;
	char *s;

	while (*p != '\0') {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			if (*p == ' ')
				p++;
			for (;;) {
				const char *e = strstr(p, "\r\n");

				assert_int_equal(kto_buf_add(&v, p, (size_t)(e - p)),
				    KTO_OK);
				p = e + 2;
				if (*p != ' ' && *p != '\t')
					break;
			}
			found = true;
			break;
		}
		p = strstr(p, "\r\n") + 2;
	}
	free(h);
	if (!found) {
		kto_buf_release(&v);
		return NULL;
	}
	/* A value folded right after the colon starts with the fold's space. */
	s = kto_buf_detach(&v);
	if (s[0] == ' ')
		memmove(s, s + 1, strlen(s));
	return s;
}

static int
hexval(char c)
{
	assert_true(is_hex_upper(c));
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/*
** Decodes a quoted-printable body: soft breaks vanish, hard CRLFs become
** LF, "=XX" becomes the byte.  Fails on a malformed escape.
*/
static char *
qp_decode(const char *s, size_t n)
{
	struct kto_buf out = KTO_BUF_INIT(1u << 24);

	for (size_t i = 0; i < n; i++) {
		char c;

		if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (s[i] == '\r') {
			assert_true(i + 1 < n && s[i + 1] == '\n');
			c = '\n';
			i++;
		} else if (s[i] == '=') {
			assert_true(i + 2 < n);
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			c = s[i];
		}
		assert_int_equal(kto_buf_addc(&out, c), KTO_OK);
	}
	return kto_buf_detach(&out);
}

/*
** The encoded body of part `index` (0 text/plain, 1 text/html): the text
** between the part's empty line and the CRLF before the next delimiter.
** *type receives the part's Content-Type line (caller frees) when not NULL.
*/
static char *
part_raw(const char *msg, int index, char **type)
{
	char *b = boundary_of(msg);
	char delim[128];
	const char *p = msg, *body, *end, *ct;

	snprintf(delim, sizeof delim, "\r\n--%s\r\n", b);
	for (int i = 0; i <= index; i++) {
		p = strstr(p, delim);
		assert_non_null(p);
		p += strlen(delim);
	}
	body = strstr(p, "\r\n\r\n");
	assert_non_null(body);
	if (type != NULL) {
		ct = strstr(p, "Content-Type: ");
		assert_true(ct != NULL && ct < body);
		*type = strndup(ct, (size_t)(strstr(ct, "\r\n") - ct));
	}
	body += 4;
	snprintf(delim, sizeof delim, "\r\n--%s", b);
	end = strstr(body, delim);
	assert_non_null(end);
	free(b);
	return strndup(body, (size_t)(end - body));
}

/* The decoded text of part `index`. */
static char *
part_text(const char *msg, int index)
{
	char *raw = part_raw(msg, index, NULL);
	char *text = qp_decode(raw, strlen(raw));

	free(raw);
	return text;
}

/*
** Decodes an unfolded unstructured value: a run of "=?UTF-8?Q?...?="
** words separated by white space, or plain text as it is.
*/
static char *
words_decode(const char *v)
{
	struct kto_buf out = KTO_BUF_INIT(1u << 20);
	const char *open = "=?UTF-8?Q?";

	if (strncmp(v, open, strlen(open)) != 0) {
		assert_int_equal(kto_buf_adds(&out, v), KTO_OK);
		return kto_buf_detach(&out);
	}
	while (*v != '\0') {
		assert_memory_equal(v, open, strlen(open));
		v += strlen(open);
		while (!(v[0] == '?' && v[1] == '=')) {
			char c;

			assert_true(*v != '\0' && *v != ' ');
			if (*v == '_') {
				c = ' ';
				v++;
			} else if (*v == '=') {
				c = (char)(hexval(v[1]) * 16 + hexval(v[2]));
				v += 3;
			} else {
				c = *v++;
			}
			assert_int_equal(kto_buf_addc(&out, c), KTO_OK);
		}
		v += 2;
		while (*v == ' ')
			v++;
	}
	return kto_buf_detach(&out);
}

/* Every encoded-word in msg's header section is at most 75 characters. */
static void
check_word_lengths(const char *msg)
{
	char *h = header_block(msg);

	for (const char *p = h; (p = strstr(p, "=?UTF-8?Q?")) != NULL; ) {
		const char *e = strstr(p + 10, "?=");

		assert_non_null(e);
		if (e + 2 - p > 75) {
			print_error("encoded-word of %d characters\n", (int)(e + 2 - p));
			fail();
		}
		p = e + 2;
	}
	free(h);
}

/* ------------------------------------------------- the Python parser */

#define PY_MAX_KEYS 48

/* What mime_parse.py printed: flat string keys and values. */
struct parsed {
	int n;
	char *key[PY_MAX_KEYS];
	char *val[PY_MAX_KEYS];
};

/* Appends code point cp to b as UTF-8. */
static void
add_utf8(struct kto_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	assert_int_equal(kto_buf_add(b, u, n), KTO_OK);
}

static unsigned long
hex4(const char *p)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			fail_msg("bad \\u escape");
	}
	return v;
}

/* Reads the JSON string at *pp (at its opening quote); moves past it. */
static char *
json_string(const char **pp)
{
	struct kto_buf b = KTO_BUF_INIT(1u << 24);
	const char *p = *pp;

	assert_int_equal(*p, '"');
	for (p++; *p != '"'; p++) {
		unsigned long cp;

		assert_true(*p != '\0');
		if (*p != '\\') {
			assert_int_equal(kto_buf_addc(&b, *p), KTO_OK);
			continue;
		}
		p++;
		switch (*p) {
		case 'n': assert_int_equal(kto_buf_addc(&b, '\n'), KTO_OK); break;
		case 'r': assert_int_equal(kto_buf_addc(&b, '\r'), KTO_OK); break;
		case 't': assert_int_equal(kto_buf_addc(&b, '\t'), KTO_OK); break;
		case 'b': assert_int_equal(kto_buf_addc(&b, '\b'), KTO_OK); break;
		case 'f': assert_int_equal(kto_buf_addc(&b, '\f'), KTO_OK); break;
		case 'u':
			cp = hex4(p + 1);
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				assert_true(p[1] == '\\' && p[2] == 'u');
				cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 3) - 0xDC00);
				p += 6;
			}
			add_utf8(&b, cp);
			break;
		default:        /* '"', '\\', '/' */
			assert_int_equal(kto_buf_addc(&b, *p), KTO_OK);
		}
	}
	*pp = p + 1;
	return kto_buf_detach(&b);
}

/* True when the Python parser can run here. */
static bool
have_python(void)
{
	return access(PYTHON, X_OK) == 0;
}

/* tests/unit/mime_parse.py, next to this file (__FILE__ is absolute). */
static char *
script_path(void)
{
	const char *slash = strrchr(__FILE__, '/');
	char *path;

	assert_non_null(slash);
	path = malloc((size_t)(slash - __FILE__) + sizeof "/mime_parse.py");
	assert_non_null(path);
	memcpy(path, __FILE__, (size_t)(slash - __FILE__));
	memcpy(path + (slash - __FILE__), "/mime_parse.py", sizeof "/mime_parse.py");
	assert_int_equal(access(path, R_OK), 0);
	return path;
}

/*
** Runs mime_parse.py on msg (written to a temporary file) and reads its
** output.  The test is skipped when there is no Python.
*/
static void
py_parse(const char *msg, struct parsed *out)
{
	char *dir, *file, *script, cmd[4096];
	struct kto_buf res = KTO_BUF_INIT(1u << 24);
	char chunk[4096];
	size_t n;
	FILE *f;
	const char *p;

	if (!have_python())
		skip();
	dir = tu_tempdir();
	file = tu_path(dir, "message.eml");
	script = script_path();
	tu_write_file(file, msg, strlen(msg));
	assert_null(strchr(script, '\''));
	assert_null(strchr(file, '\''));
	snprintf(cmd, sizeof cmd, PYTHON " '%s' '%s'", script, file);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(kto_buf_add(&res, chunk, n), KTO_OK);
	assert_int_equal(pclose(f), 0);
	free(script);
	free(file);
	tu_rmtree(dir);

	out->n = 0;
	p = kto_buf_str(&res);
	assert_int_equal(*p, '{');
	while ((p = strchr(p, '"')) != NULL) {
		assert_true(out->n < PY_MAX_KEYS);
		out->key[out->n] = json_string(&p);
		assert_memory_equal(p, ": ", 2);
		p += 2;
		out->val[out->n] = json_string(&p);
		out->n++;
	}
	kto_buf_release(&res);
}

static const char *
pget(const struct parsed *ps, const char *key)
{
	for (int i = 0; i < ps->n; i++)
		if (strcmp(ps->key[i], key) == 0)
			return ps->val[i];
	print_error("the parser gave no '%s'\n", key);
	fail();
	return NULL;
}

static void
parsed_release(struct parsed *ps)
{
	for (int i = 0; i < ps->n; i++) {
		free(ps->key[i]);
		free(ps->val[i]);
	}
	ps->n = 0;
}

/* Fails unless the parser found no defects. */
static void
assert_no_defects(const struct parsed *ps)
{
	assert_string_equal(pget(ps, "defects"), "");
}

/* ------------------------------------------------------------ the tests */

/* The whole Dutch invitation, read back by Python's email package. */
static void
test_dutch_parses(void **state)
{
	struct kto_mail_message m = dutch();
	char *msg = build(&m);
	struct parsed ps;

	(void)state;
	check_wire(msg);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_string_equal(pget(&ps, "subject"), SUBJECT);
	assert_string_equal(pget(&ps, "from_name"), FROM_NAME);
	assert_string_equal(pget(&ps, "from_addr"), m.from_addr);
	assert_string_equal(pget(&ps, "to"), m.to_addr);
	assert_string_equal(pget(&ps, "reply_to"), m.reply_to);
	assert_string_equal(pget(&ps, "message_id"),
	    "<0123456789abcdef0123456789abcdef@noordoostpolder.example.nl>");
	assert_string_equal(pget(&ps, "date"), "2026-11-23T19:30:00+00:00");
	assert_string_equal(pget(&ps, "mime_version"), "1.0");
	assert_string_equal(pget(&ps, "content_language"), "nl");
	assert_string_equal(pget(&ps, "auto_submitted"), "auto-generated");
	assert_string_equal(pget(&ps, "list_unsubscribe"), "<" URL ">, "
	    "<mailto:afmelden@noordoostpolder.example.nl?subject=unsubscribe>");
	assert_string_equal(pget(&ps, "list_unsubscribe_post"),
	    "List-Unsubscribe=One-Click");
	assert_string_equal(pget(&ps, "content_type"), "multipart/alternative");
	assert_string_equal(pget(&ps, "parts"), "2");
	assert_string_equal(pget(&ps, "text_type"), "text/plain");
	assert_string_equal(pget(&ps, "text_charset"), "utf-8");
	assert_string_equal(pget(&ps, "text_cte"), "quoted-printable");
	assert_string_equal(pget(&ps, "text"), TEXT);
	assert_string_equal(pget(&ps, "html_type"), "text/html");
	assert_string_equal(pget(&ps, "html_charset"), "utf-8");
	assert_string_equal(pget(&ps, "html_cte"), "quoted-printable");
	assert_string_equal(pget(&ps, "html"), HTML);
	parsed_release(&ps);
	free(msg);
}

/* The same message decoded by this file's own decoders. */
static void
test_dutch_decodes(void **state)
{
	struct kto_mail_message m = dutch();
	char *msg = build(&m), *v, *d;

	(void)state;
	check_word_lengths(msg);
	v = header_value(msg, "Subject");
	d = words_decode(v);
	assert_string_equal(d, SUBJECT);
	free(v);
	free(d);
	d = part_text(msg, 0);
	assert_string_equal(d, TEXT);
	free(d);
	d = part_text(msg, 1);
	assert_string_equal(d, HTML);
	free(d);
	/* The euro sign and the diaereses never travel as raw bytes. */
	assert_non_null(strstr(msg, "=E2=82=AC"));
	assert_non_null(strstr(msg, "=C3=AB"));
	assert_non_null(strstr(msg, "=C3=AF"));
	free(msg);
}

/* The fixed header fields, exactly, before the empty line. */
static void
test_header_fields(void **state)
{
	struct kto_mail_message m = dutch();
	char *msg = build(&m), *h = header_block(msg), *ct, *b;
	char *type;

	(void)state;
	assert_int_equal(strncmp(h, "Date: Mon, 23 Nov 2026 19:30:00 +0000\r\n",
	    strlen("Date: Mon, 23 Nov 2026 19:30:00 +0000\r\n")), 0);
	assert_contains(h, "\r\nTo: j.de.vries@example.org\r\n");
	assert_contains(h, "\r\nReply-To: klantcontact@noordoostpolder.example.nl\r\n");
	assert_contains(h, "\r\nMessage-ID: <0123456789abcdef0123456789abcdef"
	    "@noordoostpolder.example.nl>\r\n");
	assert_contains(h, "\r\nMIME-Version: 1.0\r\n");
	assert_contains(h, "\r\nContent-Language: nl\r\n");
	assert_contains(h, "\r\nAuto-Submitted: auto-generated\r\n");
	assert_contains(h, "\r\nList-Unsubscribe:");
	assert_contains(h, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	assert_contains(h, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"=_kto_");
	/* Each field once. */
	assert_int_equal(count(h, "\r\nSubject: "), 1);
	assert_int_equal(count(h, "\r\nFrom: "), 1);
	assert_int_equal(count(h, "\r\nTo: "), 1);
	free(h);

	ct = header_value(msg, "Content-Type");
	b = boundary_of(msg);
	assert_int_equal(strlen(b), 6 + 32);
	assert_int_equal(strncmp(b, "=_kto_", 6), 0);
	free(ct);
	free(b);
	free(part_raw(msg, 0, &type));
	assert_string_equal(type, "Content-Type: text/plain; charset=UTF-8");
	free(type);
	free(part_raw(msg, 1, &type));
	assert_string_equal(type, "Content-Type: text/html; charset=UTF-8");
	free(type);
	assert_int_equal(count(msg, "\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n"), 2);
	free(msg);
}

/* RFC 5322 dates in UTC, the edges of the accepted range included. */
static void
test_dates(void **state)
{
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{ 0, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n" },
		{ INT64_C(951782400), "Date: Tue, 29 Feb 2000 00:00:00 +0000\r\n" },
		{ INT64_C(1709211607), "Date: Thu, 29 Feb 2024 13:00:07 +0000\r\n" },
		{ INT64_C(1795462200), "Date: Mon, 23 Nov 2026 19:30:00 +0000\r\n" },
		{ INT64_C(253402300799), "Date: Fri, 31 Dec 9999 23:59:59 +0000\r\n" },
	};
	struct kto_mail_message m = dutch();

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *msg;

		m.date = cases[i].t;
		msg = build(&m);
		assert_int_equal(strncmp(msg, cases[i].want, strlen(cases[i].want)), 0);
		free(msg);
	}
	m.date = -1;
	expect_refused(&m, KTO_EINPUT, "date", NULL);
	m.date = INT64_C(253402300800);
	expect_refused(&m, KTO_EINPUT, "date", NULL);
}

/* Building twice gives the same bytes; another id gives another boundary. */
static void
test_deterministic(void **state)
{
	struct kto_mail_message m = dutch();
	char *a = build(&m), *b = build(&m), *c, *ba, *bc;

	(void)state;
	assert_string_equal(a, b);
	m.message_id = "ffffffffffffffffffffffffffffffff@noordoostpolder.example.nl";
	c = build(&m);
	ba = boundary_of(a);
	bc = boundary_of(c);
	assert_string_not_equal(ba, bc);
	free(a);
	free(b);
	free(c);
	free(ba);
	free(bc);
}

/* The message is appended after what the buffer already holds. */
static void
test_appends(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf b = KTO_BUF_INIT(KTO_MIME_MAX);
	struct kto_err err = KTO_ERR_INIT;
	char *alone = build(&m);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "X"), KTO_OK);
	assert_int_equal(kto_mime_build(&m, &b, &err), KTO_OK);
	assert_int_equal(b.ptr[0], 'X');
	assert_string_equal(b.ptr + 1, alone);
	kto_buf_release(&b);
	free(alone);
}

/* Long subjects fold into encoded-words of at most 75 characters. */
static void
test_long_subject_folds(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf s = KTO_BUF_INIT(4096);
	char *msg, *v, *d;
	struct parsed ps;

	(void)state;
	while (s.len < 400)
		assert_int_equal(kto_buf_adds(&s, "Enqu\xc3\xaate over uw contact met "
		    "de gemeente: \xc3\xab \xc3\xaf \xe2\x82\xac. "), KTO_OK);
	assert_int_equal(kto_buf_adds(&s, "Einde"), KTO_OK);
	m.subject = kto_buf_str(&s);
	msg = build(&m);
	check_wire(msg);
	check_word_lengths(msg);
	v = header_value(msg, "Subject");
	d = words_decode(v);
	assert_string_equal(d, m.subject);
	/* Folded: the raw field spans several lines. */
	assert_true(count(strstr(msg, "\r\nSubject: "), "\r\n =?UTF-8?Q?") >= 5);
	free(v);
	free(d);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_string_equal(pget(&ps, "subject"), m.subject);
	parsed_release(&ps);
	free(msg);
	kto_buf_release(&s);
}

/* Plain ASCII subjects stay readable and fold at spaces. */
static void
test_ascii_subject_folds(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf s = KTO_BUF_INIT(4096);
	char *msg, *v;
	struct parsed ps;

	(void)state;
	m.subject = "Hoe tevreden bent u?";
	msg = build(&m);
	assert_contains(msg, "\r\nSubject: Hoe tevreden bent u?\r\n");
	free(msg);

	while (s.len < 300)
		assert_int_equal(kto_buf_adds(&s, "Wilt u onze korte vragenlijst "
		    "invullen? "), KTO_OK);
	assert_int_equal(kto_buf_adds(&s, "Dank"), KTO_OK);
	m.subject = kto_buf_str(&s);
	msg = build(&m);
	check_wire(msg);
	v = header_value(msg, "Subject");
	assert_string_equal(v, m.subject);      /* unfolding gives it back */
	assert_null(strstr(v, "=?"));
	free(v);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_string_equal(pget(&ps, "subject"), m.subject);
	parsed_release(&ps);
	free(msg);
	kto_buf_release(&s);
}

/*
** Subjects that cannot go plain: an encoded-word lookalike (a reader would
** decode it), a word too long to fold, and leading, trailing or double
** spaces (unfolding and readers would lose them).
*/
static void
test_subject_needs_encoding(void **state)
{
	static const char *subjects[] = {
		"Test =?UTF-8?Q?nep?= onderwerp",
		("Lang: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		" begint met een spatie",
		"eindigt met een spatie ",
		"twee  spaties",
		"_onderstreept_ =?= ?=",
	};
	struct kto_mail_message m = dutch();

	(void)state;
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		char *msg, *v, *d;
		struct parsed ps;

		m.subject = subjects[i];
		msg = build(&m);
		check_wire(msg);
		check_word_lengths(msg);
		v = header_value(msg, "Subject");
		assert_int_equal(strncmp(v, "=?UTF-8?Q?", 10), 0);
		d = words_decode(v);
		assert_string_equal(d, subjects[i]);
		free(v);
		free(d);
		py_parse(msg, &ps);
		assert_no_defects(&ps);
		assert_string_equal(pget(&ps, "subject"), subjects[i]);
		parsed_release(&ps);
		free(msg);
	}
}

/* The display name as atoms, quoted-string or encoded-words, as needed. */
static void
test_display_names(void **state)
{
	static const struct {
		const char *name;
		const char *from;       /* the start of the From field */
	} cases[] = {
		{ "Gemeente Utrecht",
		  "From: Gemeente Utrecht <enquete@noordoostpolder.example.nl>\r\n" },
		{ "Utrecht, Gemeente",
		  "From: \"Utrecht, Gemeente\" <enquete@noordoostpolder.example.nl>\r\n" },
		{ "Gemeente St. Anna",
		  "From: \"Gemeente St. Anna\" <enquete@noordoostpolder.example.nl>\r\n" },
		{ "\"Zuid\" \\ Noord",
		  "From: \"\\\"Zuid\\\" \\\\ Noord\" <enquete@" },
		/* Quoted, it would not fit: atoms and encoded-words instead. */
		{ "Gemeente \"De Ronde Venen\" \\ KCC",
		  "From: Gemeente =?UTF-8?Q?=22De?= Ronde =?UTF-8?Q?Venen=22_=5C?= KCC\r\n"
		  " <enquete@" },
		{ "Gemeente 's-Hertogenbosch",
		  "From: Gemeente 's-Hertogenbosch <enquete@" },
		{ "=?UTF-8?Q?nep?=", "From: =?UTF-8?Q?" },
		{ "Gemeente S\xc3\xba" "dwest-Frysl\xc3\xa2n",
		  "From: Gemeente =?UTF-8?Q?S=C3=BA" "dwest-Frysl=C3=A2n?=\r\n <enquete@" },
		{ " spatie ", "From: \" spatie \" <" },
		{ "Gemeente Noordoostpolder Afdeling Dienstverlening Team Klantcontact "
		  "en Burgerzaken", "From: Gemeente Noordoostpolder Afdeling "
		  "Dienstverlening Team Klantcontact en\r\n Burgerzaken <enquete@" },
		{ "Gemeente S\xc3\xba" "dwest-Frysl\xc3\xa2n, afdeling Klantcontact "
		  "\xe2\x80\x94 Sneek, Bolsward, IJlst en Workum",
		  "From: Gemeente =?UTF-8?Q?S=C3=BA" "dwest-Frysl=C3=A2n=2C?= afdeling "
		  "Klantcontact\r\n =?UTF-8?Q?=E2=80=94_Sneek=2C_Bolsward=2C?= IJlst en "
		  "Workum\r\n <enquete@" },
	};
	struct kto_mail_message m = dutch();
	char *msg;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct parsed ps;

		m.from_name = cases[i].name;
		msg = build(&m);
		check_wire(msg);
		check_word_lengths(msg);
		assert_contains(msg, cases[i].from);
		py_parse(msg, &ps);
		assert_no_defects(&ps);
		assert_string_equal(pget(&ps, "from_name"), cases[i].name);
		assert_string_equal(pget(&ps, "from_addr"), m.from_addr);
		parsed_release(&ps);
		free(msg);
	}
	m.from_name = NULL;
	msg = build(&m);
	assert_contains(msg, "\r\nFrom: enquete@noordoostpolder.example.nl\r\n");
	free(msg);
	m.from_name = "";
	msg = build(&m);
	assert_contains(msg, "\r\nFrom: enquete@noordoostpolder.example.nl\r\n");
	free(msg);
	m.reply_to = NULL;
	msg = build(&m);
	assert_null(strstr(msg, "Reply-To:"));
	free(msg);
}

/* List-Unsubscribe with and without mailto, folded when long. */
static void
test_list_unsubscribe(void **state)
{
	struct kto_mail_message m = dutch();
	char *msg, *v;
	struct parsed ps;

	(void)state;
	m.unsubscribe_mailto = NULL;
	msg = build(&m);
	assert_contains(msg, "\r\nList-Unsubscribe: <" URL ">\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	free(msg);

	/* RFC 6068: '+' and '&' in the address are percent-encoded in the URI. */
	m.unsubscribe_mailto = "afmelden+nop&x@example.nl";
	m.unsubscribe_url = "https://x.nl/a";
	msg = build(&m);
	assert_contains(msg, "\r\nList-Unsubscribe: <https://x.nl/a>,\r\n "
	    "<mailto:afmelden%2Bnop%26x@example.nl?subject=unsubscribe>\r\n");
	free(msg);

	/* Both fit on one line. */
	m.unsubscribe_mailto = "a@x.nl";
	msg = build(&m);
	check_wire(msg);
	assert_contains(msg, "\r\nList-Unsubscribe: <https://x.nl/a>, "
	    "<mailto:a@x.nl?subject=unsubscribe>\r\n");
	free(msg);

	/* The default link pushes the mailto entry onto its own line. */
	m = dutch();
	msg = build(&m);
	check_wire(msg);
	v = header_value(msg, "List-Unsubscribe");
	assert_string_equal(v, "<" URL ">, <mailto:afmelden@noordoostpolder."
	    "example.nl?subject=unsubscribe>");
	free(v);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	parsed_release(&ps);
	free(msg);
}

/*
** A link too long for any line stays whole on the field's first line (up
** to KTO_MIME_URL_MAX, far below RFC 5322's 998); every other line keeps
** to 78, and the parser reads it back.
*/
static void
test_long_link(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf url = KTO_BUF_INIT(4096), line = KTO_BUF_INIT(4096);
	char *msg, *v;
	struct parsed ps;
	size_t long_lines = 0;

	(void)state;
	assert_int_equal(kto_buf_adds(&url, "https://enquete.gemeente-"
	    "noordoostpolder.example.nl/afmelden/"), KTO_OK);
	while (url.len < KTO_MIME_URL_MAX)
		assert_int_equal(kto_buf_addc(&url, 'x'), KTO_OK);
	m.unsubscribe_url = kto_buf_str(&url);
	msg = build(&m);
	check_wire_max(msg, 998);
	for (const char *p = msg; *p != '\0'; p = strstr(p, "\r\n") + 2)
		if (strstr(p, "\r\n") - p > 78)
			long_lines++;
	assert_int_equal(long_lines, 1);
	assert_int_equal(kto_buf_addf(&line, "\r\nList-Unsubscribe: <%s>,\r\n "
	    "<mailto:", m.unsubscribe_url), KTO_OK);
	assert_contains(msg, kto_buf_str(&line));
	kto_buf_release(&line);
	v = header_value(msg, "List-Unsubscribe");
	assert_int_equal(strncmp(v + 1, m.unsubscribe_url, url.len), 0);
	free(v);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_int_equal(strncmp(pget(&ps, "list_unsubscribe") + 1,
	    m.unsubscribe_url, url.len), 0);
	parsed_release(&ps);
	free(msg);
	kto_buf_release(&url);
}

/* Builds a message whose text is `text` and returns the raw text part. */
static char *
qp_of(const char *text)
{
	struct kto_mail_message m = dutch();
	char *msg, *raw, *back;

	m.text = text;
	msg = build(&m);
	check_wire(msg);
	raw = part_raw(msg, 0, NULL);
	back = qp_decode(raw, strlen(raw));
	/* What was sent comes back, with CRLF read as LF. */
	{
		struct kto_buf want = KTO_BUF_INIT(1u << 24);

		for (const char *p = text; *p; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				assert_int_equal(kto_buf_addc(&want, *p), KTO_OK);
		assert_string_equal(back, kto_buf_str(&want));
		kto_buf_release(&want);
	}
	free(back);
	free(msg);
	return raw;
}

/* Fails unless text encodes to exactly want. */
#define assert_qp(text, want) do {              \
	char *got_ = qp_of(text);               \
	assert_string_equal(got_, (want));      \
	free(got_);                             \
} while (0)

/* A string of n copies of c, in memory the caller frees. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* '=', leading dots, "From ", trailing white space, control characters. */
static void
test_qp_rules(void **state)
{
	(void)state;
	assert_qp("a=b\n.punt\n..\n.\nFrom here\nFromage\nspatie \ntab\t\n"
	    "midden in de regel\tmet tab\n\xc3\xb6" "f\n",
	    "a=3Db\r\n=2Epunt\r\n=2E.\r\n=2E\r\n=46rom here\r\nFromage\r\n"
	    "spatie=20\r\ntab=09\r\nmidden in de regel\tmet tab\r\n=C3=B6f\r\n");
	assert_qp("", "");
	assert_qp("\n", "\r\n");
	assert_qp("geen regeleinde", "geen regeleinde");
	assert_qp("eind met spatie ", "eind met spatie=20");
	assert_qp("crlf\r\nregels\r\n", "crlf\r\nregels\r\n");
	assert_qp("los\rCR", "los=0DCR");
	assert_qp("bel\a, esc\x1b, del\x7f", "bel=07, esc=1B, del=7F");
	assert_qp("a.b ..", "a.b ..");
	assert_qp("=_kto_ --", "=3D_kto_ --");
}

/* Soft breaks at exactly the right columns, never inside an escape. */
static void
test_qp_line_lengths(void **state)
{
	char *a76 = repeat('a', 76), *a75 = repeat('a', 75), *a74 = repeat('a', 74);
	char *a73 = repeat('a', 73), *a77 = repeat('a', 77);
	char in[256], want[256];

	(void)state;
	/* 76 characters fit a line that ends there. */
	assert_qp(a76, a76);
	snprintf(in, sizeof in, "%s\nx", a76);
	snprintf(want, sizeof want, "%s\r\nx", a76);
	assert_qp(in, want);
	/* 77 do not: 75 and '=' on the first line. */
	snprintf(want, sizeof want, "%s=\r\naa", a75);
	assert_qp(a77, want);
	/* A '.' pushed to the start of a line by a soft break is escaped. */
	snprintf(in, sizeof in, "%s.b", a75);
	snprintf(want, sizeof want, "%s=\r\n=2Eb", a75);
	assert_qp(in, want);
	/* A character's escapes stay together on one line. */
	snprintf(in, sizeof in, "%s\xc3\xab", a74);
	snprintf(want, sizeof want, "%s=\r\n=C3=AB", a74);
	assert_qp(in, want);
	snprintf(in, sizeof in, "%s\xe2\x82\xac" "b", a73);
	snprintf(want, sizeof want, "%s=\r\n=E2=82=ACb", a73);
	assert_qp(in, want);
	/* An escape that ends the line may reach column 76 ... */
	snprintf(in, sizeof in, "%s=", a73);
	snprintf(want, sizeof want, "%s=3D", a73);
	assert_qp(in, want);
	/* ... but not when the line goes on: then the '=' needs room. */
	snprintf(in, sizeof in, "%s=b", a73);
	snprintf(want, sizeof want, "%s=\r\n=3Db", a73);
	assert_qp(in, want);
	/* Trailing white space that lands past the end moves to a new line. */
	snprintf(in, sizeof in, "%s ", a75);
	snprintf(want, sizeof want, "%s=\r\n=20", a75);
	assert_qp(in, want);
	snprintf(in, sizeof in, "%s \n", a73);
	snprintf(want, sizeof want, "%s=20\r\n", a73);
	assert_qp(in, want);
	free(a76);
	free(a75);
	free(a74);
	free(a73);
	free(a77);
}

/* A body line of 10,000 characters splits into lines of at most 76. */
static void
test_long_body_line(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf t = KTO_BUF_INIT(1u << 20);
	char *msg, *raw, *back, *plain;
	struct parsed ps;
	size_t lines = 0;

	(void)state;
	/* Mixed: escapes, dots and spaces land on every column in turn. */
	while (t.len < 10000) {
		assert_int_equal(kto_buf_adds(&t, "\xc3\xa9\xc3\xa9n=twee. drie "),
		    KTO_OK);
	}
	assert_int_equal(kto_buf_adds(&t, "\n"), KTO_OK);
	m.text = kto_buf_str(&t);
	msg = build(&m);
	check_wire(msg);
	raw = part_raw(msg, 0, NULL);
	for (const char *p = raw; (p = strstr(p, "=\r\n")) != NULL; p++)
		lines++;
	assert_true(lines >= 10000 / 76);
	back = qp_decode(raw, strlen(raw));
	assert_string_equal(back, m.text);
	free(back);
	free(raw);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_string_equal(pget(&ps, "text"), m.text);
	parsed_release(&ps);
	free(msg);

	/* And a plain one: 10,000 times 'x' in lines of 75 and a rest. */
	plain = repeat('x', 10000);
	m.text = plain;
	msg = build(&m);
	check_wire(msg);
	raw = part_raw(msg, 0, NULL);
	assert_int_equal(count(raw, "=\r\n"), 10000 / 75);
	assert_int_equal(strlen(raw), 10000 + 3 * (10000 / 75));
	free(raw);
	free(msg);
	free(plain);
	kto_buf_release(&t);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random texts of awkward pieces survive the round trip, in both parts. */
static void
test_qp_roundtrip_random(void **state)
{
	static const char *pieces[] = {
		"a", "Z", " ", "\t", "=", ".", "\n", "\r\n", "\r", "F", "From ",
		"\xc3\xab", "\xc3\xaf", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "--",
		"=_", "?=", "=?", "<p>", "&amp;", "  \n", "\t\n", ".\n", "\n.",
	};
	uint32_t seed = 20261123;
	struct kto_mail_message m = dutch();

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct kto_buf t = KTO_BUF_INIT(1u << 20);
		size_t n = next_rand(&seed) % 400;
		char *msg, *back;
		struct kto_buf want = KTO_BUF_INIT(1u << 20);

		for (size_t i = 0; i < n; i++)
			assert_int_equal(kto_buf_adds(&t, pieces[next_rand(&seed) %
			    (sizeof pieces / sizeof pieces[0])]), KTO_OK);
		m.text = kto_buf_str(&t);
		m.html = m.text;
		msg = build(&m);
		check_wire(msg);
		for (const char *p = m.text; *p; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				assert_int_equal(kto_buf_addc(&want, *p), KTO_OK);
		for (int part = 0; part < 2; part++) {
			back = part_text(msg, part);
			assert_string_equal(back, kto_buf_str(&want));
			free(back);
		}
		free(msg);
		kto_buf_release(&want);
		kto_buf_release(&t);
	}
}

/* Texts that contain the boundary itself cannot end a part early. */
static void
test_boundary_absent(void **state)
{
	struct kto_mail_message m = dutch();
	char *first = build(&m), *b = boundary_of(first), *msg, *text, *html;
	struct kto_buf t = KTO_BUF_INIT(1u << 16);
	struct parsed ps;

	(void)state;
	assert_int_equal(kto_buf_addf(&t, "voor\n--%s\nmidden\n--%s--\n%s\n--%s",
	    b, b, b, b), KTO_OK);
	m.text = kto_buf_str(&t);
	m.html = m.text;
	msg = build(&m);
	check_wire(msg);        /* the boundary occurs exactly 4 times */
	text = part_text(msg, 0);
	html = part_text(msg, 1);
	assert_string_equal(text, m.text);
	assert_string_equal(html, m.text);
	py_parse(msg, &ps);
	assert_no_defects(&ps);
	assert_string_equal(pget(&ps, "parts"), "2");
	assert_string_equal(pget(&ps, "text"), m.text);
	assert_string_equal(pget(&ps, "html"), m.text);
	assert_string_equal(pget(&ps, "boundary"), b);
	parsed_release(&ps);
	free(text);
	free(html);
	free(msg);
	free(first);
	free(b);
	kto_buf_release(&t);
}

/*
** CR, LF and other control characters in anything that reaches a header
** or the SMTP envelope: refused, the field named, nothing appended.
*/
static void
test_injection(void **state)
{
	static const char *attacks[] = {
		"x@example.nl\r\nBcc: iedereen@example.org",
		"x@example.nl\nBcc: iedereen@example.org",
		"x@example.nl\rBcc: iedereen@example.org",
		"x@example.nl\r\n\r\n<p>nep</p>",
		"x@example.nl>\r\nRCPT TO:<buit@example.org",
		"x@example.nl\r\n.\r\nMAIL FROM:<nep@example.org>",
		"x@example.nl\t",
		"x@example.nl\x01",
		"x@example.nl\x7f",
		"x@example.nl\xc2\x85" "Bcc: y@example.org",   /* U+0085 NEL */
		"x@example.nl\xe2\x80\xa8" "Bcc: y@example.org",   /* U+2028 */
	};
	static const char *fields[] = {
		"subject", "from_name", "from_addr", "to_addr", "reply_to",
		"unsubscribe_url", "unsubscribe_mailto", "message_id", "language",
	};

	(void)state;
	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		for (size_t a = 0; a < sizeof attacks / sizeof attacks[0]; a++) {
			struct kto_mail_message m = dutch();
			char url[256];
			const char *v = attacks[a];

			if (strcmp(fields[f], "unsubscribe_url") == 0) {
				snprintf(url, sizeof url, "https://%s", attacks[a]);
				v = url;
			}
			if (strcmp(fields[f], "subject") == 0) m.subject = v;
			if (strcmp(fields[f], "from_name") == 0) m.from_name = v;
			if (strcmp(fields[f], "from_addr") == 0) m.from_addr = v;
			if (strcmp(fields[f], "to_addr") == 0) m.to_addr = v;
			if (strcmp(fields[f], "reply_to") == 0) m.reply_to = v;
			if (strcmp(fields[f], "unsubscribe_url") == 0) m.unsubscribe_url = v;
			if (strcmp(fields[f], "unsubscribe_mailto") == 0)
				m.unsubscribe_mailto = v;
			if (strcmp(fields[f], "message_id") == 0) m.message_id = v;
			if (strcmp(fields[f], "language") == 0) m.language = v;
			expect_refused(&m, KTO_EINPUT, fields[f],
			    strpbrk(v, "\r\n") != NULL ? "line break" : NULL);
		}
	}
}

/* Texts that are not UTF-8, in headers and in the parts. */
static void
test_invalid_utf8(void **state)
{
	static const char *bad[] = {
		"caf\xe9",                      /* Latin-1 */
		"Gemeente \xc3",                /* truncated */
		"\xc3\x28",                     /* bad continuation */
		"\xc0\xaf",                     /* overlong '/' */
		"\xed\xa0\x80",                 /* a surrogate */
		"\xf4\x90\x80\x80",             /* above U+10FFFF */
		"\xff",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kto_mail_message m = dutch();

		m.subject = bad[i];
		expect_refused(&m, KTO_EINPUT, "subject", "UTF-8");
		m = dutch();
		m.from_name = bad[i];
		expect_refused(&m, KTO_EINPUT, "from_name", "UTF-8");
		m = dutch();
		m.text = bad[i];
		expect_refused(&m, KTO_EINPUT, "text", "UTF-8");
		m = dutch();
		m.html = bad[i];
		expect_refused(&m, KTO_EINPUT, "html", "UTF-8");
	}
}

/* Other fields kto refuses, each with its reason. */
static void
test_refuses_fields(void **state)
{
	static const struct {
		const char *field;
		const char *value;
		const char *why;
	} cases[] = {
		{ "from_addr", NULL, "missing" },
		{ "from_addr", "geen-apenstaartje", "'@'" },
		{ "from_addr", "Gemeente <a@example.nl>", NULL },
		{ "to_addr", NULL, "missing" },
		{ "to_addr", "", "empty" },
		{ "to_addr", "j@[127.0.0.1]", NULL },
		{ "to_addr", "j\xc3\xabn@example.nl", NULL },
		{ "reply_to", "a,b@example.nl", NULL },
		{ "unsubscribe_mailto", "geen adres", NULL },
		{ "subject", NULL, "missing" },
		{ "subject", "", "missing" },
		{ "text", NULL, "missing" },
		{ "html", NULL, "missing" },
		{ "language", NULL, "missing" },
		{ "language", "nl_NL", "language tag" },
		{ "language", "n1", "language tag" },
		{ "language", "nl-", "language tag" },
		{ "language", "toolongtag", "language tag" },
		{ "unsubscribe_url", NULL, "missing" },
		{ "unsubscribe_url", "http://x.nl/afmelden", "https://" },
		{ "unsubscribe_url", "HTTPS://x.nl/afmelden", "https://" },
		{ "unsubscribe_url", "javascript:alert(1)", "https://" },
		{ "unsubscribe_url", "https://", "no host" },
		{ "unsubscribe_url", "https:///pad", "no host" },
		{ "unsubscribe_url", "https://x.nl/a b", "percent-encoded" },
		{ "unsubscribe_url", "https://x.nl/a,b", "percent-encoded" },
		{ "unsubscribe_url", "https://x.nl/a>b", "percent-encoded" },
		{ "unsubscribe_url", "https://x.nl/\xc3\xab", "percent-encoded" },
		{ "message_id", NULL, "missing" },
		{ "message_id", "<a@example.nl>", "left@right" },
		{ "message_id", "zonder-apenstaartje", "left@right" },
		{ "message_id", "a@@example.nl", "left@right" },
		{ "message_id", "a..b@example.nl", "left@right" },
		{ "message_id", "a b@example.nl", "left@right" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kto_mail_message m = dutch();
		const char *f = cases[i].field, *v = cases[i].value;

		if (strcmp(f, "from_addr") == 0) m.from_addr = v;
		if (strcmp(f, "to_addr") == 0) m.to_addr = v;
		if (strcmp(f, "reply_to") == 0) m.reply_to = v;
		if (strcmp(f, "unsubscribe_mailto") == 0) m.unsubscribe_mailto = v;
		if (strcmp(f, "subject") == 0) m.subject = v;
		if (strcmp(f, "text") == 0) m.text = v;
		if (strcmp(f, "html") == 0) m.html = v;
		if (strcmp(f, "language") == 0) m.language = v;
		if (strcmp(f, "unsubscribe_url") == 0) m.unsubscribe_url = v;
		if (strcmp(f, "message_id") == 0) m.message_id = v;
		expect_refused(&m, KTO_EINPUT, f, cases[i].why);
	}
}

/* Accepted variants of the same fields. */
static void
test_accepts_fields(void **state)
{
	struct kto_mail_message m = dutch();
	char *msg;

	(void)state;
	m.language = "en-GB";
	m.unsubscribe_url = "https://x.nl/a?b=c&d=%20#e";
	m.message_id = "kto.1.2@x.nl";
	m.text = "";
	m.html = "";
	msg = build(&m);
	check_wire(msg);
	assert_contains(msg, "\r\nContent-Language: en-GB\r\n");
	assert_contains(msg, "\r\nList-Unsubscribe: <https://x.nl/a?b=c&d=%20#e>");
	assert_contains(msg, "\r\nMessage-ID: <kto.1.2@x.nl>\r\n");
	free(msg);
	/* http:// only to this machine: a test or demo installation. */
	m.unsubscribe_url = "http://127.0.0.1:8080/o/abc";
	msg = build(&m);
	assert_contains(msg, "\r\nList-Unsubscribe: <http://127.0.0.1:8080/o/abc>");
	free(msg);
	m.unsubscribe_url = "http://gemeente.nl/o/abc";
	expect_refused(&m, KTO_EINPUT, "unsubscribe_url", "https://");
}

/* The size limits: 1 MiB for the message, the caller's buffer, the fields. */
static void
test_limits(void **state)
{
	struct kto_mail_message m = dutch();
	struct kto_buf small = KTO_BUF_INIT(1000);
	struct kto_err err = KTO_ERR_INIT;
	char *big = repeat('a', KTO_MIME_MAX + 1);
	char *name = repeat('n', KTO_MIME_NAME_MAX + 1);
	char *subj = repeat('s', KTO_MIME_SUBJECT_MAX + 1);
	char *path = repeat('p', KTO_MIME_URL_MAX);
	struct kto_buf euros = KTO_BUF_INIT(1u << 22);
	char *msg;

	(void)state;
	m.text = big;
	expect_refused(&m, KTO_ELIMIT, NULL, "1 MiB");
	/* Encoding triples non-ASCII: 400 KB of euro signs is 1.2 MB encoded. */
	while (euros.len < 400000)
		assert_int_equal(kto_buf_adds(&euros, "\xe2\x82\xac"), KTO_OK);
	m.text = kto_buf_str(&euros);
	expect_refused(&m, KTO_ELIMIT, NULL, "1 MiB");
	/* Half as much fits. */
	euros.len = 200001;
	euros.ptr[euros.len] = '\0';
	m.text = kto_buf_str(&euros);
	msg = build(&m);
	assert_true(strlen(msg) <= KTO_MIME_MAX);
	check_wire(msg);
	free(msg);

	m = dutch();
	assert_int_equal(kto_buf_adds(&small, "begin"), KTO_OK);
	assert_int_equal(kto_mime_build(&m, &small, &err), KTO_ELIMIT);
	assert_contains(err.msg, "output buffer");
	assert_string_equal(kto_buf_str(&small), "begin");

	m.from_name = name;
	expect_refused(&m, KTO_EINPUT, "from_name", "longer than");
	/*
	 * A 200-character atom fits no line: encoded-words, split.  (Python's
	 * parser before gh-128110 shows a space between adjacent
	 * encoded-words, which RFC 2047 6.2 says to drop; hence the strip.)
	 */
	name[KTO_MIME_NAME_MAX] = '\0';
	msg = build(&m);
	check_wire(msg);
	check_word_lengths(msg);
	{
		struct parsed ps;
		char *got;
		size_t k = 0;

		py_parse(msg, &ps);
		assert_no_defects(&ps);
		got = strdup(pget(&ps, "from_name"));
		assert_non_null(got);
		for (size_t i = 0; got[i] != '\0'; i++)
			if (got[i] != ' ')
				got[k++] = got[i];
		got[k] = '\0';
		assert_string_equal(got, name);
		free(got);
		parsed_release(&ps);
	}
	free(msg);

	m = dutch();
	m.subject = subj;
	expect_refused(&m, KTO_EINPUT, "subject", "longer than");
	subj[KTO_MIME_SUBJECT_MAX] = '\0';
	msg = build(&m);
	check_wire(msg);
	free(msg);

	m = dutch();
	memcpy(path, "https://x.nl/", 13);
	m.unsubscribe_url = path;
	msg = build(&m);        /* 900 bytes: allowed, if on a long line */
	free(msg);
	{
		char *longer = repeat('p', KTO_MIME_URL_MAX + 1);

		memcpy(longer, "https://x.nl/", 13);
		m.unsubscribe_url = longer;
		expect_refused(&m, KTO_EINPUT, "unsubscribe_url", "longer than");
		free(longer);
	}

	kto_buf_release(&small);
	kto_buf_release(&euros);
	free(big);
	free(name);
	free(subj);
	free(path);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Message-IDs: the sender's domain, 128 random bits, never the same twice. */
static void
test_message_ids(void **state)
{
	enum { N = 10000 };
	char **ids = calloc(N, sizeof *ids);
	char id[KTO_MIME_MESSAGE_ID_SIZE];
	const char *from = "enquete@noordoostpolder.example.nl";
	struct kto_mail_message m = dutch();
	char *msg, want[KTO_MIME_MESSAGE_ID_SIZE + 32];

	(void)state;
	assert_non_null(ids);
	for (int i = 0; i < N; i++) {
		assert_int_equal(kto_mime_message_id(from, id, sizeof id), KTO_OK);
		assert_int_equal(strlen(id), 32 + strlen("@noordoostpolder.example.nl"));
		for (int k = 0; k < 32; k++)
			assert_true((id[k] >= '0' && id[k] <= '9') ||
			    (id[k] >= 'a' && id[k] <= 'f'));
		assert_string_equal(id + 32, "@noordoostpolder.example.nl");
		ids[i] = strdup(id);
		assert_non_null(ids[i]);
	}
	qsort(ids, N, sizeof *ids, cmp_str);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	for (int i = 0; i < N; i++)
		free(ids[i]);
	free(ids);

	/* A fresh id makes a valid message. */
	assert_int_equal(kto_mime_message_id(from, id, sizeof id), KTO_OK);
	m.message_id = id;
	msg = build(&m);
	snprintf(want, sizeof want, "\r\nMessage-ID: <%s>\r\n", id);
	assert_contains(msg, want);
	free(msg);

	/* Exactly enough room, and one byte less. */
	assert_int_equal(kto_mime_message_id("a@b.nl", id, 32 + 1 + 4 + 1), KTO_OK);
	assert_int_equal(strlen(id), 37);
	assert_int_equal(kto_mime_message_id("a@b.nl", id, 32 + 1 + 4), KTO_ELIMIT);
	assert_string_equal(id, "");
	assert_int_equal(kto_mime_message_id("geen adres", id, sizeof id), KTO_EINPUT);
	assert_string_equal(id, "");
	assert_int_equal(kto_mime_message_id("a@b.nl\r\nX: y", id, sizeof id),
	    KTO_EINPUT);
	assert_int_equal(kto_mime_message_id(NULL, id, sizeof id), KTO_EINPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dutch_parses),
		cmocka_unit_test(test_dutch_decodes),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_long_subject_folds),
		cmocka_unit_test(test_ascii_subject_folds),
		cmocka_unit_test(test_subject_needs_encoding),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_list_unsubscribe),
		cmocka_unit_test(test_long_link),
		cmocka_unit_test(test_qp_rules),
		cmocka_unit_test(test_qp_line_lengths),
		cmocka_unit_test(test_long_body_line),
		cmocka_unit_test(test_qp_roundtrip_random),
		cmocka_unit_test(test_boundary_absent),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_refuses_fields),
		cmocka_unit_test(test_accepts_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_message_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
