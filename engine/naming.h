/*
** The rules for codes and display names that people type: circle and
** municipality codes, names.  Shared so every entry point (CLI, portal,
** API) refuses the same things with the same words.
*/
#ifndef KTO_ENGINE_NAMING_H
#define KTO_ENGINE_NAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

#define KTO_CODE_MAX 32     /* bytes of a code such as GM0375 or kring-c */
#define KTO_NAME_MAX 200    /* bytes of a display name */
#define KTO_URL_MAX 500     /* bytes of a web address; leaves room for the
                               path and token of a link built on it within
                               the 900 that a mail header line allows */

/*
** A code: 1 to KTO_CODE_MAX ASCII letters, digits, '-' or '_', starting
** with a letter or digit.  `what` names the thing in the message
** ("circle code").
*/
enum kto_rc kto_check_code(const char *code, const char *what, struct kto_err *err);

/* A display name: well-formed UTF-8, no control characters, not blank. */
enum kto_rc kto_check_name(const char *name, const char *what, struct kto_err *err);

/* What kto_check_url() accepts besides the scheme, host and path. */
enum kto_url_flags {
	KTO_URL_PAGE = 0,          /* a page to link to: a query and fragment allowed */
	KTO_URL_BASE = (1 << 0)    /* a base that links are built on: neither */
};

/*
** A web address that citizens are sent to: https://HOST[:PORT][/PATH], of
** at most KTO_URL_MAX bytes of printable ASCII (anything else must be
** percent-encoded), without a user name or password.  http:// is accepted
** only for 127.0.0.1, [::1] and localhost, so that a local test
** installation can run without a certificate; a real one must not send
** citizens' tokens in the clear.  A space, CR, LF or other control
** character is refused: the address goes into mail headers
** (List-Unsubscribe) and HTML attributes, where a line break would end the
** header and let the rest of the value forge new ones.
*/
enum kto_rc kto_check_url(const char *url, const char *what, unsigned flags,
                          struct kto_err *err);

/*
** The building blocks of kto_check_url(), for other schemes (smtp://).
** kto_url_authority_problem() checks p..end, the part of a URL between
** "//" and the path: HOST[:PORT], where HOST is a name of letters, digits,
** '-' and dots, or an [IPv6] address, and PORT is 1 to 65535; a user name or
** password ('@') is refused.  Returns NULL with *host_end set after the
** host, or the reason ("has a port that is not a number from 1 to 65535").
*/
const char *kto_url_authority_problem(const char *p, const char *end,
                                      const char **host_end);

/* True for localhost, 127.0.0.1 and [::1]: host[0..n), case-insensitively. */
bool kto_url_host_is_loopback(const char *host, size_t n);

#endif
