#include "base/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/utf8.h"

void
kto_json_init(struct kto_json *j, struct kto_buf *out, bool pretty)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->pretty = pretty;
}

static void
json_put(struct kto_json *j, const char *s, size_t n)
{
	if (j->rc == KTO_OK)
		j->rc = kto_buf_add(j->out, s, n);
}

static void
json_puts(struct kto_json *j, const char *s)
{
	json_put(j, s, strlen(s));
}

static void
json_newline(struct kto_json *j)
{
	if (!j->pretty)
		return;
	json_put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		json_put(j, "  ", 2);
}

/* Everything that starts a value: the comma and line break before it. */
static void
json_value_start(struct kto_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth - 1])
			json_put(j, ",", 1);
		j->has_items[j->depth - 1] = true;
		json_newline(j);
	}
}

static void
json_open(struct kto_json *j, const char *bracket)
{
	json_value_start(j);
	if (j->depth >= KTO_JSON_MAX_DEPTH) {
		if (j->rc == KTO_OK)
			j->rc = KTO_ELIMIT;
		return;
	}
	json_puts(j, bracket);
	j->has_items[j->depth++] = false;
}

static void
json_close(struct kto_json *j, const char *bracket)
{
	if (j->depth == 0) {
		if (j->rc == KTO_OK)
			j->rc = KTO_EINTERNAL;
		return;
	}
	j->depth--;
	if (j->has_items[j->depth])
		json_newline(j);
	json_puts(j, bracket);
}

void kto_json_object_begin(struct kto_json *j) { json_open(j, "{"); }
void kto_json_object_end(struct kto_json *j) { json_close(j, "}"); }
void kto_json_array_begin(struct kto_json *j) { json_open(j, "["); }
void kto_json_array_end(struct kto_json *j) { json_close(j, "]"); }

static void
json_quoted(struct kto_json *j, const char *s)
{
	size_t n = strlen(s);
	size_t run = 0;

	if (kto_utf8_invalid_at(s, n) != n) {
		if (j->rc == KTO_OK)
			j->rc = KTO_EINPUT;
		return;
	}
	json_put(j, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		json_put(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': json_puts(j, "\\\""); break;
		case '\\': json_puts(j, "\\\\"); break;
		case '\n': json_puts(j, "\\n"); break;
		case '\r': json_puts(j, "\\r"); break;
		case '\t': json_puts(j, "\\t"); break;
		default:
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = "0123456789abcdef"[c >> 4];
			esc[5] = "0123456789abcdef"[c & 15];
			json_put(j, esc, 6);
		}
	}
	json_put(j, s + run, n - run);
	json_put(j, "\"", 1);
}

void
kto_json_key(struct kto_json *j, const char *key)
{
	json_value_start(j);
	json_quoted(j, key);
	json_puts(j, j->pretty ? ": " : ":");
	j->after_key = true;
}

void
kto_json_string(struct kto_json *j, const char *s)
{
	if (s == NULL) {
		kto_json_null(j);
		return;
	}
	json_value_start(j);
	json_quoted(j, s);
}

void
kto_json_int(struct kto_json *j, int64_t v)
{
	json_value_start(j);
	if (j->rc == KTO_OK)
		j->rc = kto_buf_addf(j->out, "%" PRId64, v);
}

void
kto_json_double(struct kto_json *j, double v)
{
	if (!isfinite(v)) {
		kto_json_null(j);
		return;
	}
	json_value_start(j);
	/* 17 significant digits round-trip every double exactly. */
	if (j->rc == KTO_OK)
		j->rc = kto_buf_addf(j->out, "%.17g", v);
}

void
kto_json_fixed(struct kto_json *j, double v, int places)
{
	if (!isfinite(v)) {
		kto_json_null(j);
		return;
	}
	json_value_start(j);
	if (j->rc == KTO_OK)
		j->rc = kto_buf_addf(j->out, "%.*f", places, v);
}

void
kto_json_bool(struct kto_json *j, bool v)
{
	json_value_start(j);
	json_puts(j, v ? "true" : "false");
}

void
kto_json_null(struct kto_json *j)
{
	json_value_start(j);
	json_puts(j, "null");
}

void
kto_json_kv_string(struct kto_json *j, const char *key, const char *s)
{
	kto_json_key(j, key);
	kto_json_string(j, s);
}

void
kto_json_kv_int(struct kto_json *j, const char *key, int64_t v)
{
	kto_json_key(j, key);
	kto_json_int(j, v);
}

void
kto_json_kv_double(struct kto_json *j, const char *key, double v)
{
	kto_json_key(j, key);
	kto_json_double(j, v);
}

enum kto_rc
kto_json_finish(struct kto_json *j)
{
	if (j->rc == KTO_OK && j->depth != 0)
		j->rc = KTO_EINTERNAL;
	if (j->pretty)
		json_put(j, "\n", 1);
	return j->rc;
}
