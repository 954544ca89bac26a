#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kto_buf_init(struct kto_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
kto_buf_release(struct kto_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void
kto_buf_reset(struct kto_buf *b)
{
	b->len = 0;
	if (b->ptr != NULL)
		b->ptr[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static enum kto_rc
buf_reserve(struct kto_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max - b->len)
		return KTO_ELIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return KTO_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->ptr, cap);
	if (p == NULL)
		return KTO_ENOMEM;
	b->ptr = p;
	b->cap = cap;
	return KTO_OK;
}

enum kto_rc
kto_buf_add(struct kto_buf *b, const void *data, size_t n)
{
	enum kto_rc rc = buf_reserve(b, n);

	if (rc != KTO_OK)
		return rc;
	if (n > 0)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return KTO_OK;
}

enum kto_rc
kto_buf_adds(struct kto_buf *b, const char *s)
{
	return kto_buf_add(b, s, strlen(s));
}

enum kto_rc
kto_buf_addu(struct kto_buf *b, unsigned long long v)
{
	char digits[24], *p = digits + sizeof digits;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return kto_buf_add(b, p, (size_t)(digits + sizeof digits - p));
}

enum kto_rc
kto_buf_reserve(struct kto_buf *b, size_t n)
{
	return buf_reserve(b, n);
}

enum kto_rc
kto_buf_addc(struct kto_buf *b, char c)
{
	return kto_buf_add(b, &c, 1);
}

enum kto_rc
kto_buf_vaddf(struct kto_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n;
	enum kto_rc rc;

	/* One pass when the text fits the room there is, which it mostly
	 * does: pages are built from many short pieces. */
	va_copy(ap2, ap);
	n = room > 0 ? vsnprintf(b->ptr + b->len, room, fmt, ap2)
	    : vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return KTO_EINTERNAL;
	if ((size_t)n < room && (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		return KTO_OK;
	}
	if (b->ptr != NULL)
		b->ptr[b->len] = '\0';   /* the cut-off attempt undone */
	rc = buf_reserve(b, (size_t)n);
	if (rc != KTO_OK)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return KTO_OK;
}

enum kto_rc
kto_buf_addf(struct kto_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum kto_rc rc;

	va_start(ap, fmt);
	rc = kto_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
kto_buf_str(const struct kto_buf *b)
{
	return b->ptr != NULL ? b->ptr : "";
}

char *
kto_buf_detach(struct kto_buf *b)
{
	char *p = b->ptr;

	if (p == NULL)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
