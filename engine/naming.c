#include "engine/naming.h"

#include <string.h>

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
