#include "engine/mime.h"
#include "engine/naming.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/date.h"
#include "base/utf8.h"
#include "engine/email.h"

/*
** RFC 5322 2.1.1: header lines SHOULD be at most 78 characters and MUST
** be at most 998.  RFC 2047 2: an encoded-word is at most 75 characters.
** RFC 2045 6.7: a quoted-printable line is at most 76 characters.
*/
#define HEADER_LINE 78
#define ENCODED_WORD_MAX 75
#define QP_LINE 76

#define EW_OPEN "=?UTF-8?Q?"
#define EW_CLOSE "?="
#define MESSAGE_ID_MAX 250              /* bytes of the id between < and > */
#define DATE_MAX INT64_C(253402300799)  /* 9999-12-31T23:59:59Z */
#define BOUNDARY_PREFIX "=_kto_"
#define BOUNDARY_HASH 16                /* bytes of hash, hex in the boundary */
#define BOUNDARY_SIZE (sizeof BOUNDARY_PREFIX - 1 + 2 * BOUNDARY_HASH + 1)

static const char hex_digits[] = "0123456789ABCDEF";

/* ------------------------------------------------------------ validation */

/*
** Why CR and LF are refused in everything that reaches a header or the
** SMTP envelope, rather than escaped or stripped:
**
** A header field ends at CRLF, and the header section ends at the first
** empty line.  A subject such as "Hallo\r\nBcc: everyone@example.org"
** would add a header of the sender's choosing (header injection), and one
** containing "\r\n\r\n" would end the headers and start a body of its
** own.  Addresses are worse: to_addr and from_addr also become the SMTP
** envelope (MAIL FROM:<...> and RCPT TO:<...> command lines), so a CR or
** LF in one would end the command early and smuggle further SMTP commands
** onto the wire (command injection) -- extra recipients, or a whole second
** message.  Stripping the characters would silently change what the
** clerk wrote, and escaping them has no meaning in an address, so the
** message is refused and the field named.  Other control characters
** (tab, NUL-adjacent C0 codes, DEL, U+0085, U+2028/9) are refused too:
** some software treats them as line ends, and none belongs in one line.
*/
static enum kto_rc
check_line_breaks(const char *field, const char *s, struct kto_err *err)
{
	if (strpbrk(s, "\r\n") != NULL)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s contains a line "
		    "break (CR or LF), which could inject mail headers or SMTP "
		    "commands", field);
	if (kto_text_has_control(s) || strchr(s, '\t') != NULL)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s contains a "
		    "control character", field);
	return KTO_OK;
}

/* Checks one line of UTF-8 text for a header (subject, display name). */
static enum kto_rc
check_header_text(const char *field, const char *s, size_t max, bool required,
                  struct kto_err *err)
{
	size_t n, bad;
	enum kto_rc rc;

	if (s == NULL || *s == '\0') {
		if (required)
			return kto_err_set(err, KTO_EINPUT, "the mail's %s is missing",
			    field);
		return KTO_OK;
	}
	if ((rc = check_line_breaks(field, s, err)) != KTO_OK)
		return rc;
	n = strlen(s);
	if ((bad = kto_utf8_invalid_at(s, n)) != n)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is not valid "
		    "UTF-8 (at byte %zu)", field, bad);
	if (n > max)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is longer than "
		    "%zu bytes", field, max);
	return KTO_OK;
}

/* Checks an address that goes into a header and possibly the envelope. */
static enum kto_rc
check_address(const char *field, const char *s, bool required,
              struct kto_err *err)
{
	const char *why;
	enum kto_rc rc;

	if (s == NULL) {
		if (required)
			return kto_err_set(err, KTO_EINPUT, "the mail's %s is missing",
			    field);
		return KTO_OK;
	}
	/* Before kto_email_problem(), so that the reason names the danger. */
	if ((rc = check_line_breaks(field, s, err)) != KTO_OK)
		return rc;
	if ((why = kto_email_problem(s)) != NULL)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s %s", field, why);
	return KTO_OK;
}

/*
** The characters RFC 3986 allows in a URI, less ',': RFC 2369 separates
** List-Unsubscribe entries with commas, so a literal one would split the
** link.  '<', '>', '"', spaces and non-ASCII are not URI characters at all.
*/
static bool
is_url_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("-._~:/?#[]@!$&'()*+;=%", c) != NULL);
}

static enum kto_rc
check_url(const char *field, const char *s, struct kto_err *err)
{
	static const char scheme[] = "https://";
	enum kto_rc rc;

	if (s == NULL || *s == '\0')
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is missing", field);
	if ((rc = check_line_breaks(field, s, err)) != KTO_OK)
		return rc;
	/*
	** RFC 8058 3.1: the one-click link must be https.  The one exception
	** is the one kto_check_url() makes: http:// to this machine, for a
	** test or demo installation, which no mail leaves.
	*/
	if (strncmp(s, scheme, sizeof scheme - 1) != 0 &&
	    (strncmp(s, "http://", 7) != 0 ||
	    kto_check_url(s, field, KTO_URL_PAGE, NULL) != KTO_OK))
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is not an "
		    "https:// link", field);
	if (strncmp(s, scheme, sizeof scheme - 1) == 0 &&
	    (s[sizeof scheme - 1] == '\0' || s[sizeof scheme - 1] == '/'))
		return kto_err_set(err, KTO_EINPUT, "the mail's %s has no host",
		    field);
	if (strlen(s) > KTO_MIME_URL_MAX)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is longer than "
		    "%d bytes", field, KTO_MIME_URL_MAX);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!is_url_char(*p))
			return kto_err_set(err, KTO_EINPUT, "the mail's %s has a "
			    "character that must be percent-encoded in a link "
			    "(byte %zu)", field, (size_t)(p - (const unsigned char *)s));
	return KTO_OK;
}

/* True when s[0..n) is a dot-atom-text: atoms joined by single dots. */
static bool
is_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!kto_email_is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* RFC 5322 3.6.4 msg-id, without the angle brackets: dot-atom "@" dot-atom. */
static enum kto_rc
check_message_id(const char *s, struct kto_err *err)
{
	const char *at;
	enum kto_rc rc;

	if (s == NULL || *s == '\0')
		return kto_err_set(err, KTO_EINPUT, "the mail's message_id is missing");
	if ((rc = check_line_breaks("message_id", s, err)) != KTO_OK)
		return rc;
	if (strlen(s) > MESSAGE_ID_MAX)
		return kto_err_set(err, KTO_EINPUT, "the mail's message_id is longer "
		    "than %d bytes", MESSAGE_ID_MAX);
	at = strchr(s, '@');
	if (at == NULL || !is_dot_atom(s, (size_t)(at - s)) ||
	    !is_dot_atom(at + 1, strlen(at + 1)))
		return kto_err_set(err, KTO_EINPUT, "the mail's message_id is not of "
		    "the form left@right (without angle brackets)");
	return KTO_OK;
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A BCP 47-shaped tag (RFC 3282): 1*8ALPHA *("-" 1*8alphanum). */
static enum kto_rc
check_language(const char *s, struct kto_err *err)
{
	size_t run = 0;
	bool first = true;
	enum kto_rc rc;

	if (s == NULL || *s == '\0')
		return kto_err_set(err, KTO_EINPUT, "the mail's language is missing");
	if ((rc = check_line_breaks("language", s, err)) != KTO_OK)
		return rc;
	if (strlen(s) > KTO_MIME_LANGUAGE_MAX)
		goto bad;
	for (const char *p = s; ; p++) {
		if (*p == '-' || *p == '\0') {
			if (run == 0 || run > 8)
				goto bad;
			if (*p == '\0')
				return KTO_OK;
			run = 0;
			first = false;
			continue;
		}
		if (!is_alpha(*p) && (first || !(*p >= '0' && *p <= '9')))
			goto bad;
		run++;
	}
bad:
	return kto_err_set(err, KTO_EINPUT, "the mail's language is not a "
	    "language tag such as \"nl\" or \"en\"");
}

static enum kto_rc
check_body(const char *field, const char *s, struct kto_err *err)
{
	size_t n, bad;

	if (s == NULL)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is missing", field);
	n = strlen(s);
	if ((bad = kto_utf8_invalid_at(s, n)) != n)
		return kto_err_set(err, KTO_EINPUT, "the mail's %s is not valid "
		    "UTF-8 (at byte %zu)", field, bad);
	return KTO_OK;
}

/* Every field, before anything is written. */
static enum kto_rc
check_message(const struct kto_mail_message *m, struct kto_err *err)
{
	enum kto_rc rc;

	if ((rc = check_header_text("from_name", m->from_name, KTO_MIME_NAME_MAX,
	    false, err)) != KTO_OK)
		return rc;
	if ((rc = check_address("from_addr", m->from_addr, true, err)) != KTO_OK)
		return rc;
	if ((rc = check_address("to_addr", m->to_addr, true, err)) != KTO_OK)
		return rc;
	if ((rc = check_address("reply_to", m->reply_to, false, err)) != KTO_OK)
		return rc;
	if ((rc = check_header_text("subject", m->subject, KTO_MIME_SUBJECT_MAX,
	    true, err)) != KTO_OK)
		return rc;
	if ((rc = check_body("text", m->text, err)) != KTO_OK)
		return rc;
	if ((rc = check_body("html", m->html, err)) != KTO_OK)
		return rc;
	if ((rc = check_language(m->language, err)) != KTO_OK)
		return rc;
	if ((rc = check_url("unsubscribe_url", m->unsubscribe_url, err)) != KTO_OK)
		return rc;
	if ((rc = check_address("unsubscribe_mailto", m->unsubscribe_mailto, false,
	    err)) != KTO_OK)
		return rc;
	if ((rc = check_message_id(m->message_id, err)) != KTO_OK)
		return rc;
	if (m->date < 0 || m->date > DATE_MAX)
		return kto_err_set(err, KTO_EINPUT, "the mail's date is outside the "
		    "years 1970 to 9999");
	return KTO_OK;
}

/* --------------------------------------------------------------- writer */

/*
** Output with a sticky error and the current column, so that the header
** code can decide where to fold without checking every append.
*/
struct writer {
	struct kto_buf *b;
	enum kto_rc rc;
	size_t col;             /* characters on the current line so far */
};

static void
put(struct writer *w, const char *s, size_t n)
{
	if (w->rc == KTO_OK)
		w->rc = kto_buf_add(w->b, s, n);
	w->col += n;
}

static void
puts_(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Ends the line; every line end in the message is written here or in qp. */
static void
crlf(struct writer *w)
{
	put(w, "\r\n", 2);
	w->col = 0;
}

/* A folding point (RFC 5322 3.2.2): the next text continues on a new line. */
static void
fold(struct writer *w)
{
	crlf(w);
	put(w, " ", 1);
}

/* ------------------------------------------------------ RFC 2047 words */

/*
** Characters an encoded-word may carry unencoded in Q encoding.  RFC 2047
** 5(3) allows only these in a phrase (the display name), and they are
** fine in unstructured text (the subject) too, so one set serves both.
*/
static bool
q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

/* The Q encoding of one character (n bytes of UTF-8) into tok; its length. */
static size_t
q_token(const unsigned char *p, size_t n, char tok[12])
{
	size_t len = 0;

	if (n == 1 && q_plain(p[0])) {
		tok[len++] = (char)p[0];
	} else if (n == 1 && p[0] == ' ') {
		tok[len++] = '_';
	} else {
		for (size_t i = 0; i < n; i++) {
			tok[len++] = '=';
			tok[len++] = hex_digits[p[i] >> 4];
			tok[len++] = hex_digits[p[i] & 15];
		}
	}
	return len;
}

/*
** Length of the UTF-8 character at p, in text already checked to be
** well formed (so the whole sequence is there and no strlen is needed).
*/
static size_t
char_len(const unsigned char *p)
{
	int n;

	if (p[0] < 0x80)
		return 1;
	n = kto_utf8_sequence(p, 4);
	return n > 0 ? (size_t)n : 1;
}

/* The length of s[0..n) as one Q-encoded word, delimiters included. */
static size_t
encoded_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t len = sizeof EW_OPEN - 1 + sizeof EW_CLOSE - 1;
	char tok[12];

	while (p < end) {
		size_t k = char_len(p);

		len += q_token(p, k, tok);
		p += k;
	}
	return len;
}

/*
** Writes s[0..n) as RFC 2047 encoded-words from the current column on.
** Each word is at most 75 characters, holds whole characters only (RFC
** 2047 5: a character must not be split between words), and ends by
** column 78; the next word goes on a continuation line.  A conforming
** reader drops the white space between adjacent encoded-words (RFC 2047
** 6.2), so the text comes back exactly.
*/
static void
put_encoded_words(struct writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char tok[12];

	/* The longest word that holds one character: 10 + 12 + 2. */
	if (w->col + sizeof EW_OPEN - 1 + 12 + sizeof EW_CLOSE - 1 > HEADER_LINE)
		fold(w);
	while (p < end) {
		size_t limit = w->col + ENCODED_WORD_MAX;

		if (limit > HEADER_LINE)
			limit = HEADER_LINE;
		puts_(w, EW_OPEN);
		while (p < end) {
			size_t k = char_len(p);
			size_t len = q_token(p, k, tok);

			if (w->col + len + sizeof EW_CLOSE - 1 > limit)
				break;
			put(w, tok, len);
			p += k;
		}
		puts_(w, EW_CLOSE);
		if (p < end)
			fold(w);
	}
}

/*
** True when s can go into an unstructured header as it is: printable
** ASCII words separated by single spaces, each short enough to fold
** around, and nothing a reader could take for an encoded-word ("=?").
*/
static bool
plain_words(const char *s, size_t first_col)
{
	size_t word = 0;

	if (s[0] == ' ' || strstr(s, "=?") != NULL)
		return false;
	for (const char *p = s; ; p++) {
		if (*p == ' ' || *p == '\0') {
			if (word == 0 || first_col + word > HEADER_LINE)
				return false;   /* double, leading or trailing space */
			if (*p == '\0')
				return true;
			word = 0;
			continue;
		}
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7E)
			return false;
		word++;
	}
}

/* Writes plain_words() text, folding before a word that would not fit. */
static void
put_plain_words(struct writer *w, const char *s)
{
	bool first = true;

	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (!first) {
			if (w->col + 1 + n > HEADER_LINE)
				fold(w);
			else
				put(w, " ", 1);
		}
		put(w, s, n);
		s += n;
		if (*s == ' ')
			s++;
		first = false;
	}
}

/* "Subject: ..." with its line end. */
static void
put_subject(struct writer *w, const char *subject)
{
	puts_(w, "Subject: ");
	if (plain_words(subject, w->col))
		put_plain_words(w, subject);
	else
		put_encoded_words(w, subject, strlen(subject));
	crlf(w);
}

/* ---------------------------------------------------------- addresses */

/* A word of a display name that can go as an atom. */
static bool
is_atom(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!kto_email_is_atext((unsigned char)s[i]) ||
		    (s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
			return false;
	return true;
}

/* A display name of atoms separated by single spaces: "Gemeente Utrecht". */
static bool
is_atom_phrase(const char *s)
{
	for (;;) {
		size_t n = strcspn(s, " ");

		if (n == 0 || !is_atom(s, n))
			return false;
		if (s[n] == '\0')
			return true;
		s += n + 1;
	}
}

/* A display name that fits a quoted-string: printable ASCII. */
static bool
is_quotable(const char *s)
{
	if (strstr(s, "=?") != NULL)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E)
			return false;
	return true;
}

/* The length of s as a quoted-string, quotes and backslashes included. */
static size_t
quoted_len(const char *s)
{
	size_t n = 2;

	for (; *s; s++)
		n += (*s == '"' || *s == '\\') ? 2 : 1;
	return n;
}

/*
** Makes room for a token of n characters that must not be split (an
** address, a link, a Message-ID, an atom): one space before it when it
** fits on the current line, else a fold.
*/
static void
make_room(struct writer *w, size_t n)
{
	if (w->col + 1 + n > HEADER_LINE)
		fold(w);
	else
		put(w, " ", 1);
}

/*
** A display name as a phrase of words: the words that are atoms as they
** are, each run of other words (non-ASCII, specials) as one encoded-word
** with its inner spaces encoded, and single spaces between the two kinds,
** which every reader keeps.  Keeping runs whole rather than encoding
** the name in slices matters in practice: RFC 2047 6.2 says the space
** between two adjacent encoded-words vanishes, but some readers (Python's
** email package before gh-128110, for one) show it anyway, so adjacent
** encoded-words are written only when a run does not fit in one.  A name
** with leading, trailing or double spaces is one run, so that no space
** is lost.
*/
static void
put_phrase(struct writer *w, const char *name)
{
	const char *p = name;
	bool first = true;

	if (name[0] == ' ' || strstr(name, "  ") != NULL ||
	    name[strlen(name) - 1] == ' ') {
		put_encoded_words(w, name, strlen(name));
		return;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		/* An atom too long for any line is encoded, to be split. */
		if (is_atom(p, n) && (first ? w->col : 1) + n <= HEADER_LINE) {
			if (!first)
				make_room(w, n);
			put(w, p, n);
		} else {
			/* Extend the run over the following non-atom words. */
			const char *e = p + n;
			size_t len;

			while (*e == ' ') {
				size_t k = strcspn(e + 1, " ");

				if (is_atom(e + 1, k))
					break;
				e += 1 + k;
			}
			n = (size_t)(e - p);
			len = encoded_len(p, n);
			if (!first)
				make_room(w, len < ENCODED_WORD_MAX ? len :
				    ENCODED_WORD_MAX);
			put_encoded_words(w, p, n);
		}
		p += n;
		if (*p == ' ')
			p++;
		first = false;
	}
}

/*
** "From: name <addr>".  The name goes as atoms when it is plain ASCII
** words; as a quoted-string when it is printable ASCII with specials such
** as ',' or '.' and fits on the line; else as a phrase of atoms and
** encoded-words (put_phrase), which can fold between any two words.
*/
static void
put_from(struct writer *w, const char *name, const char *addr)
{
	size_t tail = strlen(addr) + 3;     /* " <addr>" */

	puts_(w, "From: ");
	if (name == NULL || *name == '\0') {
		puts_(w, addr);
		crlf(w);
		return;
	}
	if (!is_atom_phrase(name) && is_quotable(name) &&
	    w->col + quoted_len(name) + tail <= HEADER_LINE) {
		put(w, "\"", 1);
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				put(w, "\\", 1);
			put(w, p, 1);
		}
		put(w, "\"", 1);
	} else {
		put_phrase(w, name);
	}
	make_room(w, tail - 1);
	put(w, "<", 1);
	puts_(w, addr);
	put(w, ">", 1);
	crlf(w);
}

/*
** "Name: value" for a value that is one token (checked to hold no white
** space).  The value starts on the field's own line even when it makes
** the line long: folding right after the colon is legal, but readers then
** see the fold's space as part of the value (Python's email package
** does, for unstructured fields such as List-Unsubscribe).
*/
static void
put_field(struct writer *w, const char *name, const char *value)
{
	puts_(w, name);
	put(w, ": ", 2);
	puts_(w, value);
	crlf(w);
}

/* "Message-ID: <id>". */
static void
put_message_id(struct writer *w, const char *id)
{
	puts_(w, "Message-ID: <");
	puts_(w, id);
	put(w, ">", 1);
	crlf(w);
}

/* Characters of an address that stay as they are in a mailto: URI. */
static bool
mailto_plain(unsigned char c)
{
	return is_alpha((char)c) || (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("-._~@", c) != NULL);
}

/*
** "List-Unsubscribe: <https://...>, <mailto:addr?subject=unsubscribe>" and
** "List-Unsubscribe-Post: List-Unsubscribe=One-Click" (RFC 2369, RFC
** 8058).  The address is percent-encoded for the mailto URI (RFC 6068):
** atext such as '%', '?', '#' or '&' is legal in an address but would
** change the URI's meaning, and encoding everything beyond letters,
** digits, "-._~" and '@' is always correct, so no list of exceptions is
** needed.  The Post field is what makes mailbox providers offer the
** one-click opt-out, which POSTs to the https link without the citizen's
** help.
*/
static void
put_list_unsubscribe(struct writer *w, const char *url, const char *mailto)
{
	static const char head[] = "<mailto:";
	static const char query[] = "?subject=unsubscribe>";

	puts_(w, "List-Unsubscribe: <");
	puts_(w, url);
	put(w, ">", 1);
	if (mailto != NULL) {
		size_t len = sizeof head - 1 + sizeof query - 1;

		for (const unsigned char *p = (const unsigned char *)mailto; *p; p++)
			len += mailto_plain(*p) ? 1 : 3;
		put(w, ",", 1);
		make_room(w, len);
		puts_(w, head);
		for (const unsigned char *p = (const unsigned char *)mailto; *p; p++) {
			if (mailto_plain(*p)) {
				put(w, (const char *)p, 1);
			} else {
				char esc[3] = { '%', hex_digits[*p >> 4], hex_digits[*p & 15] };

				put(w, esc, 3);
			}
		}
		puts_(w, query);
	}
	crlf(w);
	put_field(w, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
}

/* "Date: Mon, 23 Nov 2026 19:30:00 +0000" (RFC 5322 3.3), always in UTC. */
static void
put_date(struct writer *w, int64_t secs)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct kto_datetime t;
	char s[80];
	int n;

	kto_datetime_from_seconds(secs, &t);
	/* 1970-01-01 was a Thursday. */
	n = snprintf(s, sizeof s, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[(secs / 86400 + 4) % 7], t.day, months[t.month - 1], t.year,
	    t.hour, t.minute, t.second);
	put(w, s, (size_t)n);
	crlf(w);
}

/* ------------------------------------------------------ quoted-printable */

/*
** The encoding of the character (n bytes) at p when it lands in column
** col; `last` when it is the last character before a line end.
*/
static size_t
qp_token(const unsigned char *p, size_t n, size_t col, bool last, char tok[12])
{
	size_t len = 0;
	bool escape;

	if (n > 1) {
		escape = true;          /* non-ASCII, RFC 2045 6.7 (1) */
	} else if (p[0] == ' ' || p[0] == '\t') {
		escape = last;          /* trailing white space, rule (3) */
	} else if (col == 0 && p[0] == '.') {
		/*
		 * A line starting with '.' would be dot-stuffed by SMTP
		 * (RFC 5321 4.5.2) and ends the message when alone.  Encoded,
		 * it never reaches the wire, so no sender or relay has to get
		 * the stuffing right.
		 */
		escape = true;
	} else if (col == 0 && p[0] == 'F' &&
	    strncmp((const char *)p, "From ", 5) == 0) {
		escape = true;          /* mbox files would turn it into ">From " */
	} else {
		escape = p[0] == '=' || p[0] < 0x20 || p[0] == 0x7F;
	}
	if (!escape) {
		tok[len++] = (char)p[0];
		return len;
	}
	for (size_t i = 0; i < n; i++) {
		tok[len++] = '=';
		tok[len++] = hex_digits[p[i] >> 4];
		tok[len++] = hex_digits[p[i] & 15];
	}
	return len;
}

/*
** Writes s as a quoted-printable body (RFC 2045 6.7).  Each LF (or CRLF)
** of s becomes a hard CRLF; a line longer than 76 characters is broken
** with soft breaks ("=" at the line end), never inside an "=XX" escape
** nor inside a character's escapes, so that every encoded line decodes on
** its own into whole characters.  The output never contains "=_" (an '='
** is always followed by a hex digit or the soft break's CR), which is what
** makes the boundary safe.  No line end follows the last line: the CRLF
** before the next boundary belongs to the boundary.
*/
static void
put_qp(struct writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char tok[12];

	w->col = 0;
	for (;;) {
		const unsigned char *eol = p + strcspn((const char *)p, "\n");
		const unsigned char *end = eol;

		if (*eol == '\n' && end > p && end[-1] == '\r')
			end--;          /* CRLF in the input is a line end too */
		/* Past the limit nothing more is written: stop early. */
		if (w->rc != KTO_OK)
			return;
		while (p < end) {
			size_t n = char_len(p);
			bool last = p + n == end;
			size_t len = qp_token(p, n, w->col, last, tok);

			/*
			 * A line that goes on needs one column for its '=', so
			 * only the last token of an input line may reach column
			 * 76.  After the break the token is encoded again: at
			 * column 0 a '.' must be escaped.
			 */
			if (w->col + len > (last ? QP_LINE : QP_LINE - 1)) {
				put(w, "=", 1);
				crlf(w);
				len = qp_token(p, n, w->col, last, tok);
			}
			put(w, tok, len);
			p += n;
		}
		if (*eol == '\0')
			break;
		crlf(w);
		p = eol + 1;
	}
}

/* ------------------------------------------------------------- message */

/*
** The boundary: "=_kto_" and 32 hex digits of a hash of the Message-ID.
** "=_" cannot occur in quoted-printable output, so the boundary cannot
** occur in either part whatever the texts say; the hash only keeps it the
** same when the same message is built again.
*/
static void
make_boundary(const char *message_id, char out[BOUNDARY_SIZE])
{
	unsigned char h[BOUNDARY_HASH];
	size_t k = sizeof BOUNDARY_PREFIX - 1;

	crypto_generichash(h, sizeof h, (const unsigned char *)message_id,
	    strlen(message_id), NULL, 0);
	memcpy(out, BOUNDARY_PREFIX, k);
	for (size_t i = 0; i < sizeof h; i++) {
		out[k++] = hex_digits[h[i] >> 4];
		out[k++] = hex_digits[h[i] & 15];
	}
	out[k] = '\0';
}

static void
put_part(struct writer *w, const char *boundary, const char *type,
         const char *body)
{
	crlf(w);
	put(w, "--", 2);
	puts_(w, boundary);
	crlf(w);
	puts_(w, "Content-Type: ");
	puts_(w, type);
	puts_(w, "; charset=UTF-8");
	crlf(w);
	put_field(w, "Content-Transfer-Encoding", "quoted-printable");
	crlf(w);
	put_qp(w, body);
}

enum kto_rc
kto_mime_build(const struct kto_mail_message *m, struct kto_buf *out,
               struct kto_err *err)
{
	struct kto_buf msg = KTO_BUF_INIT(KTO_MIME_MAX);
	struct writer w = { &msg, KTO_OK, 0 };
	char boundary[BOUNDARY_SIZE];
	enum kto_rc rc;

	assert(m != NULL && out != NULL);
	if ((rc = check_message(m, err)) != KTO_OK)
		return rc;
	/* sodium_init() is idempotent and thread-safe. */
	if (sodium_init() < 0)
		return kto_err_set(err, KTO_EINTERNAL, "libsodium could not start");
	make_boundary(m->message_id, boundary);

	put_date(&w, m->date);
	put_from(&w, m->from_name, m->from_addr);
	if (m->reply_to != NULL)
		put_field(&w, "Reply-To", m->reply_to);
	put_field(&w, "To", m->to_addr);
	put_subject(&w, m->subject);
	put_message_id(&w, m->message_id);
	put_field(&w, "MIME-Version", "1.0");
	put_field(&w, "Content-Language", m->language);
	/* RFC 3834: no out-of-office replies to automatic mail. */
	put_field(&w, "Auto-Submitted", "auto-generated");
	put_list_unsubscribe(&w, m->unsubscribe_url, m->unsubscribe_mailto);
	puts_(&w, "Content-Type: multipart/alternative;");
	fold(&w);
	puts_(&w, "boundary=\"");
	puts_(&w, boundary);
	put(&w, "\"", 1);
	crlf(&w);

	/* No preamble: the first delimiter's CRLF ends the empty line. */
	put_part(&w, boundary, "text/plain", m->text);
	put_part(&w, boundary, "text/html", m->html);
	crlf(&w);
	put(&w, "--", 2);
	puts_(&w, boundary);
	put(&w, "--", 2);
	crlf(&w);

	if ((rc = w.rc) != KTO_OK)
		goto out;
	/* Appended in one piece, so a failure here leaves out unchanged too. */
	rc = kto_buf_add(out, msg.ptr, msg.len);
out:
	if (rc == KTO_ELIMIT)
		kto_err_set(err, rc, "the mail would be larger than %s",
		    w.rc == KTO_ELIMIT ? "1 MiB" : "the output buffer allows");
	else if (rc == KTO_ENOMEM)
		kto_err_set(err, rc, "out of memory building a mail");
	kto_buf_release(&msg);
	return rc;
}

enum kto_rc
kto_mime_message_id(const char *from_addr, char *out, size_t n)
{
	unsigned char raw[16];
	const char *domain;
	size_t len;

	if (n > 0)
		out[0] = '\0';
	if (from_addr == NULL || kto_email_problem(from_addr) != NULL)
		return KTO_EINPUT;
	domain = strchr(from_addr, '@') + 1;
	len = 2 * sizeof raw + 1 + strlen(domain);
	if (len >= n)
		return KTO_ELIMIT;
	if (sodium_init() < 0)
		return KTO_EINTERNAL;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, n, raw, sizeof raw);
	out[2 * sizeof raw] = '@';
	memcpy(out + 2 * sizeof raw + 1, domain, strlen(domain) + 1);
	return KTO_OK;
}
