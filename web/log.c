/*
** web/log: the server's log lines, as text or JSON (see log.h).  The
** caller serialises the calls (the server's log lock).
*/
#include "web/log.h"

#include <time.h>

#include "base/buf.h"
#include "base/json.h"

/* UTC with milliseconds: log lines of one second stay in order. */
static void
log_stamp(char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char sec[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03ldZ", sec, ts.tv_nsec / 1000000L);
}

/* Writes the finished JSON object as one line; nothing when it failed. */
static void
json_line(FILE *f, struct kto_buf *b, struct kto_json *j)
{
	if (kto_json_finish(j) == KTO_OK) {
		fwrite(kto_buf_str(b), 1, b->len, f);
		fputc('\n', f);
		fflush(f);
	}
	kto_buf_release(b);
}

void
kto_log_request(FILE *f, bool json, const char *method, const char *path,
                unsigned status, double duration_ms)
{
	char stamp[40];
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	if (f == NULL)
		return;
	log_stamp(stamp, sizeof stamp);
	if (!json) {
		fprintf(f, "%s %s %s %u %.1fms\n", stamp, method, path, status,
		    duration_ms);
		fflush(f);
		return;
	}
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "time", stamp);
	kto_json_kv_string(&j, "level", status >= 500 ? "error" : "info");
	kto_json_kv_string(&j, "event", "request");
	kto_json_kv_string(&j, "method", method);
	kto_json_kv_string(&j, "path", path);
	kto_json_kv_int(&j, "status", status);
	kto_json_key(&j, "duration_ms");
	kto_json_fixed(&j, duration_ms, 3);
	kto_json_object_end(&j);
	json_line(f, &b, &j);
}

void
kto_log_event(FILE *f, bool json, const char *level, const char *event,
              const char *message)
{
	char stamp[40];
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	if (f == NULL)
		return;
	log_stamp(stamp, sizeof stamp);
	if (!json) {
		fprintf(f, "%s: %s\n", level, message);
		fflush(f);
		return;
	}
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "time", stamp);
	kto_json_kv_string(&j, "level", level);
	kto_json_kv_string(&j, "event", event);
	kto_json_kv_string(&j, "message", message);
	kto_json_object_end(&j);
	json_line(f, &b, &j);
}
