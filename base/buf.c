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
kto_buf_addc(struct kto_buf *b, char c)
{
	return kto_buf_add(b, &c, 1);
}

enum kto_rc
kto_buf_vaddf(struct kto_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	enum kto_rc rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return KTO_EINTERNAL;
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
