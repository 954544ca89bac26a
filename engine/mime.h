/*
** One complete e-mail message (RFC 5322 with MIME, RFC 2045-2047) from
** parts that are already rendered: the invitation's text and HTML, its
** subject, the sender and the recipient.  The result is exactly what goes
** after SMTP's DATA: 7-bit ASCII, CRLF line ends, header lines of at most
** 78 characters, and a multipart/alternative body whose text/plain and
** text/html parts are quoted-printable with lines of at most 76
** characters.  Subjects and display names are folded between words and
** RFC 2047 encoded-words; the one exception to 78 is an address, link or
** Message-ID too long for its line, which is never split (nor folded
** right after the field's colon) and stays below RFC 5322's 998 by the
** limits below.
**
** Everything is checked before a byte is written: a CR or LF (or any other
** control character) in a header field or address, an address that
** kto_email_problem() refuses, a link that is not https, or a text that is
** not UTF-8 makes the whole build fail.  Rendering (which texts, which
** links) is not this module's business; this module only guarantees that
** whatever it is given arrives intact and cannot break out of its place.
*/
#ifndef KTO_ENGINE_MIME_H
#define KTO_ENGINE_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

/*
** The largest message kto_mime_build() produces: 1 MiB, headers and both
** encoded parts together.  An invitation is a few kilobytes; callers give
** their kto_buf this maximum (KTO_BUF_INIT(KTO_MIME_MAX)).
*/
#define KTO_MIME_MAX (1u << 20)

/* Limits on the header inputs, in bytes of UTF-8. */
#define KTO_MIME_SUBJECT_MAX 900      /* well inside RFC 5322's 998 per line */
#define KTO_MIME_NAME_MAX 200         /* the sender's display name */
#define KTO_MIME_URL_MAX 900          /* the https unsubscribe link */
#define KTO_MIME_LANGUAGE_MAX 35      /* a BCP 47 tag such as "nl" or "en-GB" */

/*
** Room for a Message-ID from kto_mime_message_id(), NUL included: 32 hex
** digits, '@' and a domain of at most 252 characters.
*/
#define KTO_MIME_MESSAGE_ID_SIZE 288

/*
** The parts of one message.  Strings are borrowed for the duration of the
** call only.  "Required" fields must be non-NULL and non-empty.
*/
struct kto_mail_message {
	const char *from_name;          /* the sender's display name, UTF-8; NULL or
	                                   "" for none */
	const char *from_addr;          /* required: the sender's address */
	const char *to_addr;            /* required: the citizen's address */
	const char *reply_to;           /* where replies go; NULL for none */
	const char *subject;            /* required, UTF-8, one line */
	const char *text;               /* required (may be ""): the text/plain
	                                   part, UTF-8, LF (or CRLF) line ends */
	const char *html;               /* required (may be ""): the text/html part,
	                                   UTF-8, already escaped HTML */
	const char *language;           /* required: Content-Language, "nl" or "en"
	                                   (any BCP 47-shaped tag is accepted) */
	const char *unsubscribe_url;    /* required: the https:// one-click opt-out
	                                   link, for List-Unsubscribe and
	                                   List-Unsubscribe-Post (RFC 8058) */
	const char *unsubscribe_mailto; /* an address for a second, mailto:
	                                   List-Unsubscribe entry; NULL for none */
	const char *message_id;         /* required: the Message-ID without angle
	                                   brackets, "left@right" of dot-atoms */
	int64_t date;                   /* the Date, seconds since the epoch (UTC),
	                                   from 0 up to the end of the year 9999 */
};

/*
** Appends the whole message m to out, ready for SMTP's DATA.
**
**   m       IN: the parts; see struct kto_mail_message
**   out     IN/OUT: the message is appended after what out holds
**   err     OUT: the reason on failure; may be NULL
**
** Returns KTO_OK, or:
**   KTO_EINPUT  a field was refused; err names it by its member name
**               ("subject", "to_addr", ...) and says why
**   KTO_ELIMIT  the message would pass KTO_MIME_MAX or out's own maximum
**   KTO_ENOMEM  out of memory
** On any failure nothing is appended: out is exactly as it was.
**
** The output is deterministic: the same m gives the same bytes, so an
** outbox row can be rendered again and produce the message it did before.
** The MIME boundary is derived from the Message-ID and contains "=_", which
** quoted-printable can never produce, so it cannot occur inside a part.
*/
enum kto_rc kto_mime_build(const struct kto_mail_message *m, struct kto_buf *out,
                           struct kto_err *err);

/*
** Writes a new, unique Message-ID "<32 hex digits>@<domain>" (without angle
** brackets) into out, NUL-terminated; the domain is that of from_addr and
** the hex digits are 128 bits from the system's CSPRNG, so ids never
** repeat, across processes and machines too.
**
**   from_addr  IN: the sender's address
**   out        OUT: the id; KTO_MIME_MESSAGE_ID_SIZE bytes always suffice
**   n          IN: the size of out
**
** Returns KTO_OK, KTO_EINPUT when from_addr is not an address
** kto_email_problem() accepts, KTO_ELIMIT when n is too small, or
** KTO_EINTERNAL when the system has no randomness to give.  On failure
** out holds "" (when n > 0).
*/
enum kto_rc kto_mime_message_id(const char *from_addr, char *out, size_t n);

#endif
