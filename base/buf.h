/*
** A growable byte buffer with a ceiling (after curl's dynbuf).
**
** Invariants: ptr is NULL or NUL-terminated; len < cap when ptr != NULL;
** len never exceeds max.  Every append that would pass max fails with
** KTO_ELIMIT and leaves the buffer as it was, so a hostile input can never
** grow memory without bound.
*/
#ifndef KTO_BASE_BUF_H
#define KTO_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/status.h"

struct kto_buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;     /* the most bytes the buffer may hold, excluding the NUL */
};

#define KTO_BUF_INIT(max) { NULL, 0, 0, (max) }

void kto_buf_init(struct kto_buf *b, size_t max);

/* Frees the contents; the buffer is empty and reusable afterwards. */
void kto_buf_release(struct kto_buf *b);

/* Empties the buffer but keeps its memory. */
void kto_buf_reset(struct kto_buf *b);

/* Append n bytes.  KTO_ENOMEM or KTO_ELIMIT leave b unchanged. */
enum kto_rc kto_buf_add(struct kto_buf *b, const void *data, size_t n);
enum kto_rc kto_buf_adds(struct kto_buf *b, const char *s);
enum kto_rc kto_buf_addc(struct kto_buf *b, char c);
/* Appends v in decimal, without the cost of a format string. */
enum kto_rc kto_buf_addu(struct kto_buf *b, unsigned long long v);
enum kto_rc kto_buf_addf(struct kto_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum kto_rc kto_buf_vaddf(struct kto_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Makes room for n more bytes up front, saving regrowth (ENOMEM, ELIMIT). */
enum kto_rc kto_buf_reserve(struct kto_buf *b, size_t n);

/* The contents as a string: never NULL ("" when empty). */
const char *kto_buf_str(const struct kto_buf *b);

/*
** Hands the contents to the caller, who frees them with free(3); the
** buffer is empty afterwards.  Returns NULL only when out of memory.
*/
char *kto_buf_detach(struct kto_buf *b);

#endif
