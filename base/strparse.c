#include "base/strparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kto_rc
kto_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	/* strtoll skips leading space and accepts a sign; we only allow '-'. */
	if (s == NULL || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return KTO_EINPUT;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return KTO_EINPUT;
	if (v < min || v > max)
		return KTO_EINPUT;
	*out = (int64_t)v;
	return KTO_OK;
}

enum kto_rc
kto_parse_double(const char *s, double min, double max, double *out)
{
	char tmp[64];
	char *end, *comma;
	size_t n;
	double v;

	if (s == NULL)
		return KTO_EINPUT;
	n = strlen(s);
	if (n == 0 || n >= sizeof tmp)
		return KTO_EINPUT;
	if (!(*s == '-' || *s == '.' || *s == ',' || (*s >= '0' && *s <= '9')))
		return KTO_EINPUT;
	memcpy(tmp, s, n + 1);
	comma = strchr(tmp, ',');
	if (comma != NULL) {
		if (strchr(tmp, '.') != NULL || strchr(comma + 1, ',') != NULL)
			return KTO_EINPUT;
		*comma = '.';
	}
	/* Hexadecimal floats, "inf" and "nan" are not numbers a person types. */
	if (strpbrk(tmp, "xXnNiI") != NULL)
		return KTO_EINPUT;
	errno = 0;
	v = strtod(tmp, &end);
	if (errno != 0 || *end != '\0' || end == tmp || !isfinite(v))
		return KTO_EINPUT;
	if (v < min || v > max)
		return KTO_EINPUT;
	*out = v;
	return KTO_OK;
}
