/*
** web/server: libmicrohttpd set-up, request bodies, routing, responses.
*/
/* sched_getaffinity() and CPU_COUNT() are GNU extensions. */
#define _GNU_SOURCE
#include "web/server.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/file.h"
#include "base/strparse.h"
#include "base/utf8.h"
#include "engine/commit_group.h"
#include "engine/db.h"
#include "web/log.h"
#include "web/metrics.h"
#include "web/pages.h"

/*
** Limits (HARDENING.md H1-H3, H6): the most a client can make us hold or
** wait for.  The citizens' forms are small; nothing needs more.
*/
/*
** Threads: one per core the process may run on.  No request holds one
** while it waits (a save waits for its group commit with its connection
** suspended), so more threads would only take turns on the same cores:
** in bench/web.sh on one core, 1 thread served 25,000 pages a second, 4
** threads 17,000.
*/
#define SERVER_THREADS_MAX 16
#define SERVER_MAX_CONNECTIONS 512
#define SERVER_MAX_PER_IP 64    /* a municipal office behind one NAT address */
#define SERVER_TIMEOUT_SECONDS 30
#define SERVER_CONNECTION_MEMORY (16 * 1024)    /* headers and URL */
#define SERVER_MAX_BODY (64 * 1024)
/* A body must arrive within this time, however it trickles in (H2). */
#define SERVER_BODY_SECONDS 60
#define SERVER_REQUEST_ARENA (512 * 1024)      /* per request, for the form */
/*
** Uploads of contacts (the portal's form, the API's CSV body) may be
** larger; they are only taken from a signed-in browser or with an API
** key header, checked before the body is read.
*/
#define SERVER_MAX_UPLOAD (32 * 1024 * 1024)
/* A PEM certificate chain or key is a few KB; this is room to spare. */
#define SERVER_TLS_FILE_MAX (1024 * 1024)
/* HSTS (RFC 6797) over TLS: a year, the usual value for a site that stays. */
#define SERVER_HSTS "max-age=31536000"

struct kto_server {
	struct MHD_Daemon *daemon;
	struct kto_commit_group *writer;     /* every write of the requests */
	char *db_path;
	FILE *access_log;
	pthread_mutex_t log_lock;
	bool log_json;                       /* --log-format json */
	struct kto_metrics *metrics;         /* /metrics (web/metrics.h) */
	struct kto_datetime now;
	bool pinned_clock;
	bool tls;                            /* served over TLS: HSTS, Secure */
	char *tls_cert, *tls_key;            /* PEM, for libmicrohttpd */
	char mhd_error[256];                 /* libmicrohttpd's last complaint */
	char trust_proxy[INET6_ADDRSTRLEN];  /* the reverse proxy's address, or "" */
};

/* Each worker thread's database connection, closed when the thread ends. */
static pthread_key_t db_key;
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

static void
db_close_thread(void *db)
{
	kto_db_close(db);
}

static void
db_key_create(void)
{
	pthread_key_create(&db_key, db_close_thread);
}

static struct kto_db *
thread_db(struct kto_server *s)
{
	struct kto_db *db = pthread_getspecific(db_key);
	struct kto_err err = KTO_ERR_INIT;

	if (db != NULL)
		return db;
	if (kto_db_open(s->db_path, 0, &db, &err) != KTO_OK)
		return NULL;
	if (s->pinned_clock)
		kto_db_set_now(db, &s->now);
	pthread_setspecific(db_key, db);
	return db;
}

/* The state of one request across libmicrohttpd's calls. */
struct request {
	struct kto_buf body;
	size_t body_size;                /* bytes received, kept or not */
	bool too_large;
	time_t started;                  /* when the headers were in */
	double started_ms;               /* the same, monotonic, for metrics */
	struct kto_arena arena;          /* freed with the request */
	struct MHD_PostProcessor *pp;    /* for a form; NULL otherwise */
	struct kto_form_field *fields;   /* in arena */
	size_t n_fields;
	bool form_unreadable;
	bool form;                       /* the body is form data */
	char *name;                      /* the field being received... */
	struct kto_buf value;            /* ...and its value so far */
	/* A write the page waits for, while the connection is suspended. */
	struct kto_web_pending *pending;
	struct MHD_Connection *connection;
	bool written;                    /* the write is done: rc says how */
	enum kto_rc written_rc;
	bool begun;                      /* the handler has seen the headers */
	bool malformed;                  /* answered 400 (H4, H5) */
};

/* Files the field being received; false when it does not fit. */
static bool
field_flush(struct request *r)
{
	char *value;

	if (r->name == NULL)
		return true;
	if (r->fields == NULL)
		r->fields = kto_arena_alloc(&r->arena, KTO_FORM_MAX_FIELDS *
		    sizeof *r->fields);
	value = kto_arena_strndup(&r->arena, kto_buf_str(&r->value), r->value.len);
	if (r->fields == NULL || value == NULL || r->n_fields == KTO_FORM_MAX_FIELDS) {
		r->form_unreadable = true;
		return false;
	}
	r->fields[r->n_fields].name = r->name;
	r->fields[r->n_fields].value = value;
	r->fields[r->n_fields].value_len = r->value.len;
	r->n_fields++;
	r->name = NULL;
	kto_buf_reset(&r->value);
	return true;
}

/* libmicrohttpd's POST processor hands over fields in pieces: off 0 starts one. */
static enum MHD_Result
form_field(void *cls, enum MHD_ValueKind kind, const char *key,
           const char *filename, const char *content_type,
           const char *transfer_encoding, const char *data, uint64_t off,
           size_t size)
{
	struct request *r = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (off == 0) {
		if (!field_flush(r) ||
		    (r->name = kto_arena_strdup(&r->arena, key)) == NULL) {
			r->form_unreadable = true;
			return MHD_NO;
		}
	}
	if (size > 0 && kto_buf_add(&r->value, data, size) != KTO_OK) {
		r->form_unreadable = true;
		return MHD_NO;
	}
	return MHD_YES;
}

static void
request_done(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct request *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		if (r->pending != NULL && r->pending->release != NULL)
			r->pending->release(r->pending);
		if (r->pp != NULL)
			MHD_destroy_post_processor(r->pp);
		kto_buf_release(&r->body);
		kto_buf_release(&r->value);
		kto_arena_release(&r->arena);
		free(r);
		*con_cls = NULL;
	}
}

/*
** The path as the access log shows it: a token in it is replaced, so that
** the log never holds anything that opens a citizen's questionnaire.
*/
static void
loggable_path(const char *url, char *out, size_t n)
{
	if ((strncmp(url, "/o/", 3) == 0 || strncmp(url, "/s/", 3) == 0) && url[3])
		snprintf(out, n, "%.3s(token)", url);
	else
		snprintf(out, n, "%.200s", url);
	/* A decoded CR or LF would forge a line of the log (H5). */
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void
access_log(struct kto_server *s, const char *method, const char *url,
           unsigned status, double ms)
{
	char path[256];

	kto_metrics_request(s->metrics, method, url, status, ms);
	if (s->access_log == NULL)
		return;
	loggable_path(url, path, sizeof path);
	pthread_mutex_lock(&s->log_lock);
	kto_log_request(s->access_log, s->log_json, method, path, status, ms);
	pthread_mutex_unlock(&s->log_lock);
}

/*
** Headers every response carries.  The pages need no script and load
** nothing from elsewhere; tokens are in URLs, so no Referer may leak them.
*/
static void
add_security_headers(struct MHD_Response *resp, const char *cache_control)
{
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src "
	    "'none'; img-src 'self'; style-src 'unsafe-inline'; form-action "
	    "'self'; base-uri 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control",
	    cache_control ? cache_control : "no-store");
}

static enum MHD_Result
respond(struct kto_server *s, struct MHD_Connection *c, const char *method,
        const char *url, bool tls, double started_ms, struct kto_web_page *page)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	size_t len = page->body.len;
	char *body = kto_buf_detach(&page->body);   /* handed over, not copied */

	if (body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", page->content_type);
	if (page->location[0] != '\0')
		MHD_add_response_header(resp, "Location", page->location);
	if (page->set_cookie[0] != '\0')
		MHD_add_response_header(resp, "Set-Cookie", page->set_cookie);
	if (page->allow != NULL)
		MHD_add_response_header(resp, "Allow", page->allow);
	if (page->retry_after > 0) {
		char secs[16];

		snprintf(secs, sizeof secs, "%u", page->retry_after);
		MHD_add_response_header(resp, "Retry-After", secs);
	}
	add_security_headers(resp, page->cache_control);
	if (tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", SERVER_HSTS);
	ret = MHD_queue_response(c, page->status, resp);
	MHD_destroy_response(resp);
	access_log(s, method, url, page->status, kto_metrics_clock_ms() - started_ms);
	if (page->alert[0] != '\0' && s->access_log != NULL) {
		pthread_mutex_lock(&s->log_lock);
		kto_log_event(s->access_log, s->log_json, "warning", "alert",
		    page->alert);
		pthread_mutex_unlock(&s->log_lock);
	}
	return ret;
}

/* From the writer thread: the write is committed; the page can be made. */
static void
write_done(void *ctx, enum kto_rc rc, const struct kto_err *err)
{
	struct request *r = ctx;

	(void)err;
	r->written_rc = rc;
	r->written = true;
	MHD_resume_connection(r->connection);
}

/*
** Hands a page's write to the commit group and suspends the connection
** until it is done: the thread serves other connections meanwhile.
*/
static bool
write_later(struct kto_server *s, struct request *r, struct MHD_Connection *c)
{
	r->connection = c;
	MHD_suspend_connection(c);
	if (kto_commit_group_submit(s->writer, r->pending->write, r->pending->arg,
	    write_done, r) != KTO_OK) {
		MHD_resume_connection(c);
		return false;
	}
	return true;
}

/* The client's address as text, for rate limits ("" when unknown). */
static void
client_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	out[0] = '\0';
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    out, (socklen_t)n);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)n);
}

/*
** A request through the trusted reverse proxy (--trust-proxy): the client
** is the address the proxy appended to X-Forwarded-For, last in the list
** (those before it are the client's word), and X-Forwarded-Proto says
** whether it came over TLS.  From any other peer both are ignored.
*/
static void
forwarded(struct MHD_Connection *c, struct kto_web_request *req)
{
	const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-For");
	const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-Proto");
	unsigned char bin[sizeof(struct in6_addr)];
	char last[INET6_ADDRSTRLEN];

	if (proto != NULL && strcasecmp(proto, "https") == 0)
		req->tls = true;
	if (xff == NULL)
		return;
	if (strrchr(xff, ',') != NULL)
		xff = strrchr(xff, ',') + 1;
	while (*xff == ' ' || *xff == '\t')
		xff++;
	snprintf(last, sizeof last, "%s", xff);
	last[strcspn(last, " \t")] = '\0';
	/* Only an address literal, written back the one way inet_ntop does. */
	if (inet_pton(AF_INET, last, bin) == 1)
		inet_ntop(AF_INET, bin, req->client_ip, sizeof req->client_ip);
	else if (inet_pton(AF_INET6, last, bin) == 1)
		inet_ntop(AF_INET6, bin, req->client_ip, sizeof req->client_ip);
}

static const char *
query_arg(const struct kto_web_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/*
** The most a request's body may hold: an upload of contacts from a
** signed-in browser or an API key may be large, anything else not.
*/
static size_t
body_limit(struct MHD_Connection *c, const char *url, const char *method)
{
	bool upload = strcmp(method, "POST") == 0 && (
	    (strncmp(url, "/portal/", 8) == 0 && strstr(url, "/upload") != NULL &&
	     MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kto_portal") != NULL) ||
	    (strcmp(url, "/api/v1/contacts/import") == 0 &&
	     MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization") != NULL));

	return upload ? SERVER_MAX_UPLOAD : SERVER_MAX_BODY;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
** The request target as the client sent it, before libmicrohttpd decodes
** it (H4).  A broken escape (%zz, a cut-off %4), an escaped NUL or other
** control character, or escapes that decode to bytes that are not UTF-8
** (the overlong %C0%AF is "/" in disguise) make it malformed: it is
** answered 400, never guessed at.
*/
static bool
raw_target_ok(const char *uri)
{
	size_t n = strlen(uri), len = 0;
	char *decoded = malloc(n + 1);
	bool ok = decoded != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		int hi, lo;
		unsigned char byte = (unsigned char)uri[i];

		if (byte == '%') {
			hi = i + 1 < n ? hex_digit(uri[i + 1]) : -1;
			lo = i + 2 < n ? hex_digit(uri[i + 2]) : -1;
			ok = hi >= 0 && lo >= 0;
			byte = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (byte < 0x20 || byte == 0x7f)
			ok = false;
		decoded[len++] = (char)byte;
	}
	ok = ok && kto_utf8_invalid_at(decoded, len) == len;
	free(decoded);
	return ok;
}

/*
** libmicrohttpd's URI log callback: called with the raw target before
** anything else; what it returns is the request's state from then on.
*/
static void *
request_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct request *r = calloc(1, sizeof *r);

	(void)cls;
	(void)c;
	if (r != NULL)
		r->malformed = !raw_target_ok(uri);
	return r;
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
             const char *value)
{
	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		(*(int *)cls)++;
	return MHD_YES;
}

/*
** What is answered from the headers alone, before a byte of the body is
** read: a request that could be read two ways (H5: two Content-Lengths,
** or one with chunked encoding: a proxy in front may have read it the
** other way) is 400; a declared body past the limit is 413 at once, not
** after receiving it (H1).  True when the request is to be answered now.
*/
static bool
answer_from_headers(struct MHD_Connection *c, struct request *r)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	int n_cl = 0;
	int64_t declared;

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &n_cl);
	if (n_cl > 1 || (cl != NULL && MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL))
		r->malformed = true;
	else if (cl != NULL && (kto_parse_i64(cl, 0, INT64_MAX, &declared) !=
	    KTO_OK || (uint64_t)declared > r->body.max))
		r->too_large = true;
	return r->malformed || r->too_large;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_size,
       void **con_cls)
{
	struct kto_server *s = cls;
	struct request *r = *con_cls;
	struct kto_web_page page;
	struct kto_web_request req;
	enum MHD_Result ret;

	(void)version;
	if (r == NULL || !r->begun) {
		/* First call: only the headers are there. */
		if (r == NULL && (r = calloc(1, sizeof *r)) == NULL)
			return MHD_NO;
		size_t limit = body_limit(c, url, method);

		kto_buf_init(&r->body, limit);
		kto_buf_init(&r->value, limit);
		kto_arena_init(&r->arena, limit > SERVER_MAX_BODY ? 2 * limit :
		    SERVER_REQUEST_ARENA);
		r->started = time(NULL);
		r->started_ms = kto_metrics_clock_ms();
		*con_cls = r;
		if (strcmp(method, "POST") == 0)
			r->pp = MHD_create_post_processor(c, 8192, form_field, r);
		/* NULL for a body that is not form data (JSON, text, none). */
		r->form = r->pp != NULL;
		r->begun = true;
		if (!r->malformed && !answer_from_headers(c, r))
			return MHD_YES;
		/* Answered now; libmicrohttpd then reads no body and closes. */
	} else if (*upload_size > 0) {
		/* A body sent a byte at a time, to hold a thread: cut off. */
		if (time(NULL) - r->started > SERVER_BODY_SECONDS)
			return MHD_NO;
		/* A body past the limit is dropped as it comes and answered 413;
		 * memory stays flat however much is sent (HARDENING H1).  A
		 * form's raw body is only counted: its fields are what is kept. */
		r->body_size += *upload_size;
		if (r->body_size > r->body.max)
			r->too_large = true;
		else if (!r->form &&
		    kto_buf_add(&r->body, upload_data, *upload_size) != KTO_OK)
			r->too_large = true;
		if (!r->too_large && r->pp != NULL && !r->form_unreadable &&
		    MHD_post_process(r->pp, upload_data, *upload_size) != MHD_YES)
			r->form_unreadable = true;
		*upload_size = 0;
		/* Past the limit: answered 413 now rather than read on, for a
		 * chunked body has no end to wait for (H1). */
		if (!r->too_large)
			return MHD_YES;
	}
	if (r->pp != NULL) {
		MHD_destroy_post_processor(r->pp);   /* delivers the last field */
		r->pp = NULL;
		field_flush(r);
	}
	kto_web_page_init(&page);
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = url;
	req.body = kto_buf_str(&r->body);
	req.body_len = r->body.len;
	req.body_too_large = r->too_large;
	req.malformed = r->malformed;
	req.tls = s->tls;
	req.fields = r->fields;
	req.n_fields = r->n_fields;
	req.form_unreadable = r->form_unreadable;
	req.not_a_form = strcmp(method, "POST") == 0 && !r->form;
	req.arena = &r->arena;
	req.lang = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
	req.session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kto_session");
	/* Only the portal and the API read these: the questionnaire's pages,
	 * the hot path, skip the lookups. */
	if (strncmp(url, "/portal", 7) == 0 || strncmp(url, "/api/", 5) == 0) {
		req.portal_cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
		    "kto_portal");
		req.lang_cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kto_lang");
		req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Authorization");
		req.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
		req.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
		req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Content-Type");
	}
	req.arg = query_arg;
	req.conn = c;
	client_ip(c, req.client_ip, sizeof req.client_ip);
	if (s->trust_proxy[0] != '\0' && strcmp(req.client_ip, s->trust_proxy) == 0)
		forwarded(c, &req);
	req.db = thread_db(s);
	req.writer = s->writer;
	if (r->pending != NULL && r->written) {
		/* Resumed: the write is on disk (or failed); now the page. */
		r->pending->finish(r->pending, r->written_rc, &req, &page);
	} else {
		req.pending = &r->pending;
		if (!kto_metrics_serve(s->metrics, s->daemon, &req, &page))
			kto_web_route(&req, &page);
		if (r->pending != NULL) {
			if (write_later(s, r, c)) {
				kto_web_page_release(&page);
				return MHD_YES;
			}
			kto_web_page_release(&page);
			kto_web_page_init(&page);
			r->pending->finish(r->pending, KTO_ENOMEM, &req, &page);
		}
	}
	ret = respond(s, c, method, url, req.tls, r->started_ms, &page);
	kto_web_page_release(&page);
	return ret;
}

/*
** libmicrohttpd's complaints: kept, so that a failed start can say why
** (a certificate it cannot use); the rest (a client that hung up in the
** TLS handshake) is no news for the log.
*/
static void
mhd_complaint(void *cls, const char *fmt, va_list ap)
{
	struct kto_server *s = cls;
	size_t n;

	pthread_mutex_lock(&s->log_lock);
	vsnprintf(s->mhd_error, sizeof s->mhd_error, fmt, ap);
	n = strlen(s->mhd_error);
	while (n > 0 && (s->mhd_error[n - 1] == '\n' || s->mhd_error[n - 1] == '.'))
		s->mhd_error[--n] = '\0';
	pthread_mutex_unlock(&s->log_lock);
}

/* Reads one PEM file for TLS into *out; false with err set when it cannot. */
static bool
tls_file(const char *option, const char *path, char **out, struct kto_err *err)
{
	size_t len;
	struct kto_err ferr = KTO_ERR_INIT;

	if (kto_file_read(path, SERVER_TLS_FILE_MAX, out, &len, &ferr) != KTO_OK) {
		if (ferr.rc == KTO_ELIMIT)
			kto_err_set(err, KTO_EINPUT, "%s '%s' is larger than 1 MB, so "
			    "not a PEM file; give the certificate and its key in PEM "
			    "form", option, path);
		else
			kto_err_set(err, KTO_EINPUT, "%s: %s; give the path of a "
			    "readable PEM file", option, ferr.msg);
		return false;
	}
	if (strstr(*out, "-----BEGIN ") == NULL) {
		kto_err_set(err, KTO_EINPUT, "%s '%s' is not a PEM file (no "
		    "'-----BEGIN' line); give the certificate and its key in PEM "
		    "form", option, path);
		return false;
	}
	return true;
}

/* The certificate and key, when asked for; true when there is nothing to do. */
static bool
tls_load(struct kto_server *s, const struct kto_server_options *opt,
         struct kto_err *err)
{
	if (opt->tls_cert_file == NULL && opt->tls_key_file == NULL)
		return true;
	if (opt->tls_cert_file == NULL || opt->tls_key_file == NULL) {
		kto_err_set(err, KTO_EINPUT, "TLS needs both a certificate and its "
		    "key: give --tls-cert and --tls-key together");
		return false;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		kto_err_set(err, KTO_EINPUT, "this libmicrohttpd was built without "
		    "TLS: install one with HTTPS support (Debian's libmicrohttpd12 "
		    "has it), or serve plain HTTP behind a reverse proxy "
		    "(docs/deployment.md)");
		return false;
	}
	if (!tls_file("--tls-cert", opt->tls_cert_file, &s->tls_cert, err) ||
	    !tls_file("--tls-key", opt->tls_key_file, &s->tls_key, err))
		return false;
	s->tls = true;
	return true;
}

/* The proxy's address, in the form client_ip() writes the peer's. */
static bool
trust_proxy_set(struct kto_server *s, const struct kto_server_options *opt,
                struct kto_err *err)
{
	unsigned char bin[sizeof(struct in6_addr)];

	if (opt->trust_proxy == NULL || opt->trust_proxy[0] == '\0')
		return true;
	if (inet_pton(AF_INET, opt->trust_proxy, bin) == 1)
		inet_ntop(AF_INET, bin, s->trust_proxy, sizeof s->trust_proxy);
	else if (inet_pton(AF_INET6, opt->trust_proxy, bin) == 1)
		inet_ntop(AF_INET6, bin, s->trust_proxy, sizeof s->trust_proxy);
	else {
		kto_err_set(err, KTO_EINPUT, "--trust-proxy '%s' is not an IP "
		    "address; give the reverse proxy's, e.g. 127.0.0.1",
		    opt->trust_proxy);
		return false;
	}
	return true;
}

static void
server_free(struct kto_server *s)
{
	pthread_mutex_destroy(&s->log_lock);
	kto_metrics_free(s->metrics);
	if (s->tls_key != NULL)
		explicit_bzero(s->tls_key, strlen(s->tls_key));
	free(s->tls_key);
	free(s->tls_cert);
	free(s->db_path);
	free(s);
}

/* The cores this process may run on (taskset, cgroups), 1 to SERVER_THREADS_MAX. */
static int
default_threads(void)
{
	cpu_set_t set;
	int n = 1;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > SERVER_THREADS_MAX ? SERVER_THREADS_MAX : n;
}

static int
parse_listen(const struct kto_server_options *opt, struct sockaddr_storage *ss,
             socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, opt->listen_addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(opt->port);
		*len = sizeof *in4;
		return AF_INET;
	}
	if (inet_pton(AF_INET6, opt->listen_addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(opt->port);
		*len = sizeof *in6;
		return AF_INET6;
	}
	return -1;
}

enum kto_rc
kto_server_start(const struct kto_server_options *opt, struct kto_server **out,
                 struct kto_err *err)
{
	struct kto_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int family;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls_opts[3] = { { MHD_OPTION_END, 0, NULL } };

	*out = NULL;
	pthread_once(&db_key_once, db_key_create);
	if ((family = parse_listen(opt, &ss, &sslen)) < 0)
		return kto_err_set(err, KTO_EINPUT, "'%s' is not an IP address to "
		    "listen on; write e.g. 127.0.0.1:8080", opt->listen_addr);
	if ((s = calloc(1, sizeof *s)) == NULL || (s->db_path = strdup(opt->db_path)) == NULL) {
		free(s);
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	}
	s->access_log = opt->access_log;
	s->log_json = opt->log_json;
	if ((s->metrics = kto_metrics_new()) == NULL) {
		free(s->db_path);
		free(s);
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&s->log_lock, NULL);
	if (opt->now != NULL && kto_datetime_parse(opt->now, &s->now))
		s->pinned_clock = true;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!tls_load(s, opt, err) || !trust_proxy_set(s, opt, err)) {
		server_free(s);
		return err->rc;
	}
	if (s->tls) {
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
		    s->tls_cert };
		tls_opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
		    s->tls_key };
		tls_opts[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	}
	if (kto_commit_group_start(s->db_path, s->pinned_clock ? &s->now : NULL,
	    &s->writer, err) != KTO_OK) {
		server_free(s);
		return err->rc;
	}
	s->daemon = MHD_start_daemon(flags, opt->port, NULL, NULL, handle, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)(opt->threads > 0 ? opt->threads : default_threads()),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
	    /* Behind a proxy every client has its address: the proxy limits
	     * connections per client then (docs/deployment.md). */
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->trust_proxy[0] != '\0' ? 0u :
	    (unsigned)SERVER_MAX_PER_IP,
	    /* Slowloris (H2): a connection that stalls is closed. */
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(opt->timeout_seconds > 0 ?
	    opt->timeout_seconds : SERVER_TIMEOUT_SECONDS),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
	    MHD_OPTION_URI_LOG_CALLBACK, request_begin, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_complaint, s,
	    MHD_OPTION_ARRAY, tls_opts,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		/* libmicrohttpd sets up TLS before it binds: a complaint that is
		 * not about the socket is about the certificate or key. */
		if (s->tls && strstr(s->mhd_error, "bind") == NULL &&
		    strstr(s->mhd_error, "socket") == NULL)
			kto_err_set(err, KTO_EINPUT, "cannot serve TLS with --tls-cert "
			    "'%s' and --tls-key '%s' (%s): give a PEM certificate and "
			    "the unencrypted PEM private key that belongs to it",
			    opt->tls_cert_file, opt->tls_key_file, s->mhd_error[0] ?
			    s->mhd_error : "libmicrohttpd refused them");
		else
			kto_err_set(err, KTO_EIO, "cannot listen on %s port %u: the "
			    "address is in use or not this machine's; choose another "
			    "with --listen", opt->listen_addr, (unsigned)opt->port);
		kto_commit_group_stop(s->writer);
		server_free(s);
		return err->rc;
	}
	*out = s;
	return KTO_OK;
}

void
kto_server_stop(struct kto_server *s)
{
	if (s == NULL)
		return;
	/* Stop accepting; give the requests in flight a moment to finish. */
	MHD_quiesce_daemon(s->daemon);
	for (int i = 0; i < 100; i++) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (info == NULL || info->num_connections == 0)
			break;
		usleep(100 * 1000);
	}
	/*
	** The saves still queued are written and their connections resumed
	** while the daemon still runs; a save asked for after this gets a
	** "try again" page.  Only then may the daemon free the connections.
	*/
	kto_commit_group_close(s->writer);
	MHD_stop_daemon(s->daemon);
	kto_commit_group_stop(s->writer);
	server_free(s);
}
