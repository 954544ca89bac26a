#include "base/utf8.h"

#include <string.h>

int
kto_utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;   /* bounds of the second byte */
	size_t len;

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;      /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;      /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;      /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
	} else {
		return -1;              /* 0x80-0xC1 or 0xF5-0xFF */
	}
	if (avail < 2)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (size_t k = 2; k < len; k++) {
		if (k >= avail)
			return 0;
		if ((s[k] & 0xC0) != 0x80)
			return -1;
	}
	return (int)len;
}

size_t
kto_utf8_invalid_at(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		int len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = kto_utf8_sequence(s + i, n - i);
		if (len <= 0)
			return i;
		i += (size_t)len;
	}
	return n;
}

size_t
kto_utf8_length(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

bool
kto_text_has_control(const char *str)
{
	for (const unsigned char *s = (const unsigned char *)str; *s; s++) {
		if ((*s < 0x20 && *s != '\t') || *s == 0x7F)
			return true;
		/* U+0085 NEL and U+2028/U+2029, the Unicode line separators. */
		if (s[0] == 0xC2 && s[1] == 0x85)
			return true;
		if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
			return true;
	}
	return false;
}

char *
kto_utf8_quote(const char *s, char *out, size_t n)
{
	size_t i = 0, o = 0;

	/* strnlen, not strlen: a 1 MB text quoted in 40 bytes is not read whole. */
	while (s[i] != '\0') {
		const unsigned char *c = (const unsigned char *)s + i;
		int sl = *c < 0x80 ? 1 : kto_utf8_sequence(c, strnlen(s + i, 4));
		size_t take = sl > 0 ? (size_t)sl : 1;     /* a bad byte: a '?' */

		if (o + take >= n)
			break;
		if (sl > 0)
			memcpy(out + o, c, take);
		else
			out[o] = '?';
		o += take;
		i += take;
	}
	out[o] = '\0';
	return out;
}
