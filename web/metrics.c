/*
** web/metrics: counters of kto serve and the /metrics page (see metrics.h).
** Counters are atomics: every worker thread adds to them without a lock.
*/
#include "web/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "base/buf.h"
#include "engine/gauges.h"
#include "web/pages_int.h"

/* Route classes: a fixed, small set of label values. */
enum route_class {
	ROUTE_QUESTIONNAIRE, ROUTE_OPTOUT, ROUTE_PORTAL, ROUTE_API, ROUTE_HEALTH,
	ROUTE_METRICS, ROUTE_OTHER, ROUTE_COUNT
};
static const char *const route_names[ROUTE_COUNT] = {
	"questionnaire", "optout", "portal", "api", "health", "metrics", "other"
};

#define STATUS_CLASSES 5      /* 1xx .. 5xx */

/* Upper bounds of the latency buckets, in seconds (and +Inf). */
static const double bucket_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define BUCKETS (sizeof bucket_le / sizeof bucket_le[0])

#define METRICS_PAGE_MAX (64 * 1024)
#define METRICS_TOKEN_MAX 256

struct kto_metrics {
	_Atomic uint64_t requests[ROUTE_COUNT][STATUS_CLASSES];
	_Atomic uint64_t bucket[ROUTE_COUNT][BUCKETS + 1];   /* not cumulative */
	_Atomic uint64_t sum_us[ROUTE_COUNT];
	_Atomic uint64_t submissions;   /* questionnaire pages saved (POST, 303) */
	char token[METRICS_TOKEN_MAX];  /* $KTO_METRICS_TOKEN, or "" */
	time_t started;
};

struct kto_metrics *
kto_metrics_new(void)
{
	struct kto_metrics *m = calloc(1, sizeof *m);
	const char *token = getenv("KTO_METRICS_TOKEN");

	if (m == NULL)
		return NULL;
	if (token != NULL)
		snprintf(m->token, sizeof m->token, "%s", token);
	m->started = time(NULL);
	return m;
}

void
kto_metrics_free(struct kto_metrics *m)
{
	if (m != NULL)
		explicit_bzero(m->token, sizeof m->token);
	free(m);
}

double
kto_metrics_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static enum route_class
route_of(const char *path)
{
	if (strncmp(path, "/s/", 3) == 0 || strncmp(path, "/c/", 3) == 0)
		return ROUTE_QUESTIONNAIRE;
	if (strncmp(path, "/o/", 3) == 0)
		return ROUTE_OPTOUT;
	if (strncmp(path, "/portal", 7) == 0)
		return ROUTE_PORTAL;
	if (strncmp(path, "/api/", 5) == 0)
		return ROUTE_API;
	if (strcmp(path, "/healthz") == 0)
		return ROUTE_HEALTH;
	if (strcmp(path, "/metrics") == 0)
		return ROUTE_METRICS;
	return ROUTE_OTHER;
}

void
kto_metrics_request(struct kto_metrics *m, const char *method, const char *path,
                    unsigned status, double ms)
{
	enum route_class rc = route_of(path);
	unsigned cls = status >= 100 && status < 600 ? status / 100 - 1 : 4;
	size_t b = 0;

	if (m == NULL)
		return;
	if (ms < 0)
		ms = 0;
	while (b < BUCKETS && ms / 1000.0 > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&m->requests[rc][cls], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->bucket[rc][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us[rc], (uint64_t)(ms * 1000.0),
	    memory_order_relaxed);
	if (rc == ROUTE_QUESTIONNAIRE && status == 303 && strcmp(method, "POST") == 0)
		atomic_fetch_add_explicit(&m->submissions, 1, memory_order_relaxed);
}

/*
** Who may read the metrics.  Loopback alone is not enough: a reverse proxy
** on the same machine makes every internet client look local, so a
** request that carries a proxy's headers is not taken as local.
*/
static bool
allowed(const struct kto_metrics *m, const struct kto_web_request *req)
{
	struct MHD_Connection *c = req->conn;
	const char *auth = req->authorization;
	static const char *const proxy_headers[] = {
		"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"Forwarded", "X-Real-IP", NULL
	};
	bool proxied = false;

	if (c != NULL) {
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		for (int i = 0; proxy_headers[i] != NULL; i++)
			if (MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			    proxy_headers[i]) != NULL)
				proxied = true;
	}
	if (m->token[0] != '\0' && auth != NULL && strncmp(auth, "Bearer ", 7) == 0) {
		size_t n = strlen(m->token);

		if (strlen(auth + 7) == n && sodium_memcmp(auth + 7, m->token, n) == 0)
			return true;
	}
	return !proxied && (strcmp(req->client_ip, "127.0.0.1") == 0 ||
	    strcmp(req->client_ip, "::1") == 0 ||
	    strcmp(req->client_ip, "::ffff:127.0.0.1") == 0);
}

static void
help(struct kto_buf *b, const char *name, const char *type, const char *text)
{
	kto_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void
http_metrics(const struct kto_metrics *m, struct kto_buf *b)
{
	help(b, "kto_http_requests_total", "counter",
	    "HTTP requests answered, by route class and status class.");
	for (int r = 0; r < ROUTE_COUNT; r++)
		for (int c = 0; c < STATUS_CLASSES; c++)
			kto_buf_addf(b, "kto_http_requests_total{route=\"%s\",code="
			    "\"%dxx\"} %llu\n", route_names[r], c + 1,
			    (unsigned long long)atomic_load(&m->requests[r][c]));
	help(b, "kto_http_request_duration_seconds", "histogram",
	    "Time from a request's headers to its answer, by route class.");
	for (int r = 0; r < ROUTE_COUNT; r++) {
		uint64_t cum = 0;

		for (size_t i = 0; i <= BUCKETS; i++) {
			cum += atomic_load(&m->bucket[r][i]);
			if (i < BUCKETS)
				kto_buf_addf(b, "kto_http_request_duration_seconds_bucket"
				    "{route=\"%s\",le=\"%g\"} %llu\n", route_names[r],
				    bucket_le[i], (unsigned long long)cum);
			else
				kto_buf_addf(b, "kto_http_request_duration_seconds_bucket"
				    "{route=\"%s\",le=\"+Inf\"} %llu\n", route_names[r],
				    (unsigned long long)cum);
		}
		kto_buf_addf(b, "kto_http_request_duration_seconds_sum{route=\"%s\"} "
		    "%.6f\n", route_names[r], (double)atomic_load(&m->sum_us[r]) / 1e6);
		kto_buf_addf(b, "kto_http_request_duration_seconds_count{route=\"%s\"} "
		    "%llu\n", route_names[r], (unsigned long long)cum);
	}
	help(b, "kto_submissions_total", "counter",
	    "Questionnaire pages saved (POSTs answered 303), the last of each "
	    "completing a response.");
	kto_buf_addf(b, "kto_submissions_total %llu\n",
	    (unsigned long long)atomic_load(&m->submissions));
}

static void
state_gauge(struct kto_buf *b, const char *name, const char *text,
            const char *const *states, const int64_t *v, size_t n)
{
	help(b, name, "gauge", text);
	for (size_t i = 0; i < n; i++)
		kto_buf_addf(b, "%s{state=\"%s\"} %lld\n", name, states[i],
		    (long long)v[i]);
}

static void
db_metrics(const struct kto_web_request *req, struct kto_buf *b)
{
	struct kto_gauges g;
	bool ok = req->db != NULL && kto_gauges_read(req->db, &g) == KTO_OK;

	help(b, "kto_database_readable", "gauge",
	    "1 when the database answered this scrape's queries.");
	kto_buf_addf(b, "kto_database_readable %d\n", ok ? 1 : 0);
	if (!ok)
		return;
	state_gauge(b, "kto_mail_outbox", "Messages in the mail outbox, by state.",
	    kto_outbox_state_names, g.outbox, KTO_OUTBOX_STATES);
	state_gauge(b, "kto_invitations", "Invitations, by state.",
	    kto_invitation_state_names, g.invitations, KTO_INVITATION_STATES);
	state_gauge(b, "kto_responses", "Responses, by state.",
	    kto_response_state_names, g.responses, KTO_RESPONSE_STATES);
	help(b, "kto_database_size_bytes", "gauge", "The database file's pages.");
	kto_buf_addf(b, "kto_database_size_bytes %lld\n", (long long)g.db_bytes);
	help(b, "kto_database_wal_bytes", "gauge", "The write-ahead log's size.");
	kto_buf_addf(b, "kto_database_wal_bytes %lld\n", (long long)g.wal_bytes);
}

/* The process's resident size, from /proc/self/statm (Linux). */
static long long
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long resident = 0;
	char line[128];

	if (f == NULL)
		return -1;
	/* "size resident shared ...", in pages: the second field. */
	if (fgets(line, sizeof line, f) != NULL) {
		char *end;

		(void)strtoull(line, &end, 10);
		resident = strtoull(end, NULL, 10);
	}
	fclose(f);
	return (long long)resident * sysconf(_SC_PAGESIZE);
}

static void
process_metrics(const struct kto_metrics *m, struct MHD_Daemon *daemon,
                struct kto_buf *b)
{
	const union MHD_DaemonInfo *info = daemon != NULL ?
	    MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
	long long rss = resident_bytes();

	help(b, "kto_http_connections", "gauge", "Open client connections.");
	kto_buf_addf(b, "kto_http_connections %u\n",
	    info != NULL ? info->num_connections : 0);
	if (rss >= 0) {
		help(b, "kto_process_resident_memory_bytes", "gauge",
		    "Resident memory of kto serve.");
		kto_buf_addf(b, "kto_process_resident_memory_bytes %lld\n", rss);
	}
	help(b, "kto_process_start_time_seconds", "gauge",
	    "When kto serve started, in seconds since 1970.");
	kto_buf_addf(b, "kto_process_start_time_seconds %lld\n",
	    (long long)m->started);
}

bool
kto_metrics_serve(struct kto_metrics *m, struct MHD_Daemon *daemon,
                  const struct kto_web_request *req, struct kto_web_page *page)
{
	if (m == NULL || strcmp(req->path, "/metrics") != 0)
		return false;
	if (!allowed(m, req)) {
		/* The 404 of any unknown page: nothing says there is one here. */
		web_not_found(req, page);
		return true;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		page->status = 405;
		page->allow = "GET, HEAD";
		page->content_type = "text/plain; charset=utf-8";
		kto_buf_adds(&page->body, "Alleen GET / Only GET\n");
		return true;
	}
	kto_buf_release(&page->body);
	kto_buf_init(&page->body, METRICS_PAGE_MAX);
	http_metrics(m, &page->body);
	db_metrics(req, &page->body);
	process_metrics(m, daemon, &page->body);
	page->status = 200;
	page->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return true;
}
