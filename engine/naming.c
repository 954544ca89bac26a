#include "engine/naming.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"

static int
is_code_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

enum kto_rc
kto_check_code(const char *code, const char *what, struct kto_err *err)
{
	size_t n = code ? strlen(code) : 0;

	if (n == 0)
		return kto_err_set(err, KTO_EINPUT, "the %s is empty", what);
	if (n > KTO_CODE_MAX)
		return kto_err_set(err, KTO_EINPUT, "the %s '%.40s...' is %zu "
		    "characters long; at most %d are allowed", what, code, n,
		    KTO_CODE_MAX);
	if (code[0] == '-' || code[0] == '_')
		return kto_err_set(err, KTO_EINPUT, "the %s '%s' must start with a "
		    "letter or digit", what, code);
	for (size_t i = 0; i < n; i++)
		if (!is_code_char(code[i]))
			return kto_err_set(err, KTO_EINPUT, "the %s '%s' has a character "
			    "that is not allowed at position %zu; use letters, digits, "
			    "'-' and '_' (for example GM0375)", what,
			    kto_utf8_invalid_at(code, n) == n ? code : "?", i + 1);
	return KTO_OK;
}

enum kto_rc
kto_check_name(const char *name, const char *what, struct kto_err *err)
{
	size_t n = name ? strlen(name) : 0;
	size_t bad;

	if (strspn(name ? name : "", " \t") == n)
		return kto_err_set(err, KTO_EINPUT, "the %s is empty", what);
	bad = kto_utf8_invalid_at(name, n);
	if (bad != n)
		return kto_err_set(err, KTO_EINPUT, "the %s is not valid UTF-8 text "
		    "(bad byte at position %zu); save it as UTF-8", what, bad + 1);
	if (n > KTO_NAME_MAX)
		return kto_err_set(err, KTO_EINPUT, "the %s is %zu bytes long; at "
		    "most %d are allowed", what, n, KTO_NAME_MAX);
	if (kto_text_has_control(name))
		return kto_err_set(err, KTO_EINPUT, "the %s contains a line break or "
		    "another control character; use one line of plain text", what);
	return KTO_OK;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

bool
kto_url_host_is_loopback(const char *host, size_t n)
{
	return (n == 9 && strncasecmp(host, "localhost", n) == 0) ||
	    (n == 9 && strncmp(host, "127.0.0.1", n) == 0) ||
	    (n == 5 && strncmp(host, "[::1]", n) == 0);
}

const char *
kto_url_authority_problem(const char *p, const char *end, const char **host_end)
{
	const char *h = p;

	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return "must not contain a user name or password";
	if (*h == '[') {
		while (h < end && *h != ']') {
			if (h > p && !is_hex(*h) && *h != ':' && *h != '.')
				return "has a bad IPv6 address in its host";
			h++;
		}
		if (h == end || h - p < 3)
			return "has a bad IPv6 address in its host";
		h++;
	} else {
		size_t label = 0;

		for (; h < end && *h != ':'; h++) {
			char c = *h;

			if (c == '.') {
				if (label == 0)
					return "has an empty part in its host name";
				label = 0;
			} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-') {
				label++;
			} else {
				return "has a character that is not allowed in a host name";
			}
		}
		if (h == p)
			return "has no host name after the '//'";
		if (label == 0)
			return "has a host name that ends with a dot";
	}
	*host_end = h;
	if (h < end) {
		unsigned long port = 0;
		const char *d = h + 1;

		if (*h != ':')
			return "has something after its host that is not a port";
		if (d == end)
			return "has a ':' without a port number";
		for (; d < end; d++) {
			if (*d < '0' || *d > '9' || port > 65535)
				return "has a port that is not a number from 1 to 65535";
			port = port * 10 + (unsigned long)(*d - '0');
		}
		if (port == 0 || port > 65535)
			return "has a port that is not a number from 1 to 65535";
	}
	return NULL;
}

enum kto_rc
kto_check_url(const char *url, const char *what, unsigned flags,
              struct kto_err *err)
{
	size_t n = url ? strlen(url) : 0;
	const char *p, *end, *host_end = NULL, *why;
	bool https;

	if (n == 0)
		return kto_err_set(err, KTO_EINPUT, "the %s is empty", what);
	if (n > KTO_URL_MAX)
		return kto_err_set(err, KTO_EINPUT, "the %s is %zu bytes long; at "
		    "most %d are allowed", what, n, KTO_URL_MAX);
	for (p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/*
		** Checked first, and without quoting the value: a line break
		** here would end a mail header early and start a forged one.
		*/
		if (c <= ' ' || c == 0x7F)
			return kto_err_set(err, KTO_EINPUT, "the %s contains a space, "
			    "a line break or another control character; write it on "
			    "one line, with spaces as %%20", what);
		if (c >= 0x80)
			return kto_err_set(err, KTO_EINPUT, "the %s contains characters "
			    "outside ASCII; percent-encode them (%%C3%%AB for an "
			    "\xc3\xab)", what);
		if (strchr("\"<>\\^`{|}", c) != NULL)
			return kto_err_set(err, KTO_EINPUT, "the %s contains '%c', which "
			    "is not allowed in a web address; percent-encode it", what,
			    c);
		if (c == '%' && !(is_hex(p[1]) && is_hex(p[2])))
			return kto_err_set(err, KTO_EINPUT, "the %s has a '%%' that is "
			    "not followed by two hexadecimal digits", what);
	}
	https = strncasecmp(url, "https://", 8) == 0;
	if (!https && strncasecmp(url, "http://", 7) != 0)
		return kto_err_set(err, KTO_EINPUT, "the %s '%s' must start with "
		    "https://", what, url);
	p = url + (https ? 8 : 7);
	end = p + strcspn(p, "/?#");
	if ((why = kto_url_authority_problem(p, end, &host_end)) != NULL)
		return kto_err_set(err, KTO_EINPUT, "the %s '%s' %s", what, url, why);
	if (!https && !kto_url_host_is_loopback(p, (size_t)(host_end - p)))
		return kto_err_set(err, KTO_EINPUT, "the %s '%s' must start with "
		    "https://; http:// is only for a test installation on "
		    "127.0.0.1 or localhost", what, url);
	if ((flags & KTO_URL_BASE) && strpbrk(end, "?#") != NULL)
		return kto_err_set(err, KTO_EINPUT, "the %s '%s' must not have a "
		    "query ('?') or fragment ('#'): links are built on it", what,
		    url);
	return KTO_OK;
}
