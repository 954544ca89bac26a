/*
** A streaming JSON writer into a struct kto_buf.
**
** The writer places commas, colons and indentation itself and escapes
** strings; callers only say what comes next.  The first error (a full
** buffer, out of memory, nesting too deep, invalid UTF-8 in a string) is
** sticky: later calls do nothing and kto_json_finish() returns it, so call
** sites need not check every step.  Numbers that are not finite are
** written as null: JSON has no NaN, and scripts rely on that.
*/
#ifndef KTO_BASE_JSON_H
#define KTO_BASE_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

#define KTO_JSON_MAX_DEPTH 32

struct kto_json {
	struct kto_buf *out;
	enum kto_rc rc;
	bool pretty;
	bool after_key;
	int depth;
	bool has_items[KTO_JSON_MAX_DEPTH];
};

void kto_json_init(struct kto_json *j, struct kto_buf *out, bool pretty);

void kto_json_object_begin(struct kto_json *j);
void kto_json_object_end(struct kto_json *j);
void kto_json_array_begin(struct kto_json *j);
void kto_json_array_end(struct kto_json *j);
void kto_json_key(struct kto_json *j, const char *key);

void kto_json_string(struct kto_json *j, const char *s);   /* NULL: null */
void kto_json_int(struct kto_json *j, int64_t v);
void kto_json_double(struct kto_json *j, double v);
void kto_json_bool(struct kto_json *j, bool v);
void kto_json_null(struct kto_json *j);
/* v with `places` decimals (a measurement: 1.234, not 1.2339999999999999). */
void kto_json_fixed(struct kto_json *j, double v, int places);

/* Key and value in one call, for the common case. */
void kto_json_kv_string(struct kto_json *j, const char *key, const char *s);
void kto_json_kv_int(struct kto_json *j, const char *key, int64_t v);
void kto_json_kv_double(struct kto_json *j, const char *key, double v);

/* Ends the document (a newline when pretty); returns the first error. */
enum kto_rc kto_json_finish(struct kto_json *j);

#endif
