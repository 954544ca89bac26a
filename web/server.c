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
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/date.h"
#include "engine/commit_group.h"
#include "engine/db.h"
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

struct kto_server {
	struct MHD_Daemon *daemon;
	struct kto_commit_group *writer;     /* every write of the requests */
	char *db_path;
	FILE *access_log;
	pthread_mutex_t log_lock;
	struct kto_datetime now;
	bool pinned_clock;
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
}

static void
access_log(struct kto_server *s, const char *method, const char *url, unsigned status)
{
	char path[256], stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (s->access_log == NULL)
		return;
	loggable_path(url, path, sizeof path);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&s->log_lock);
	fprintf(s->access_log, "%s %s %s %u\n", stamp, method, path, status);
	fflush(s->access_log);
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
        const char *url, struct kto_web_page *page)
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
	add_security_headers(resp, page->cache_control);
	ret = MHD_queue_response(c, page->status, resp);
	MHD_destroy_response(resp);
	access_log(s, method, url, page->status);
	if (page->alert[0] != '\0' && s->access_log != NULL) {
		pthread_mutex_lock(&s->log_lock);
		fprintf(s->access_log, "warning: %s\n", page->alert);
		fflush(s->access_log);
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
	if (r == NULL) {
		/* First call: only the headers are there. */
		if ((r = calloc(1, sizeof *r)) == NULL)
			return MHD_NO;
		size_t limit = body_limit(c, url, method);

		kto_buf_init(&r->body, limit);
		kto_buf_init(&r->value, limit);
		kto_arena_init(&r->arena, limit > SERVER_MAX_BODY ? 2 * limit :
		    SERVER_REQUEST_ARENA);
		r->started = time(NULL);
		*con_cls = r;
		if (strcmp(method, "POST") == 0)
			r->pp = MHD_create_post_processor(c, 8192, form_field, r);
		/* NULL for a body that is not form data (JSON, text, none). */
		r->form = r->pp != NULL;
		return MHD_YES;
	}
	if (*upload_size > 0) {
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
	req.db = thread_db(s);
	req.writer = s->writer;
	if (r->pending != NULL && r->written) {
		/* Resumed: the write is on disk (or failed); now the page. */
		r->pending->finish(r->pending, r->written_rc, &req, &page);
	} else {
		req.pending = &r->pending;
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
	ret = respond(s, c, method, url, &page);
	kto_web_page_release(&page);
	return ret;
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
	    MHD_ALLOW_SUSPEND_RESUME;

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
	pthread_mutex_init(&s->log_lock, NULL);
	if (opt->now != NULL && kto_datetime_parse(opt->now, &s->now))
		s->pinned_clock = true;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (kto_commit_group_start(s->db_path, s->pinned_clock ? &s->now : NULL,
	    &s->writer, err) != KTO_OK) {
		pthread_mutex_destroy(&s->log_lock);
		free(s->db_path);
		free(s);
		return err->rc;
	}
	s->daemon = MHD_start_daemon(flags, opt->port, NULL, NULL, handle, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)(opt->threads > 0 ? opt->threads : default_threads()),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVER_MAX_PER_IP,
	    /* Slowloris (H2): a connection that stalls is closed. */
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(opt->timeout_seconds > 0 ?
	    opt->timeout_seconds : SERVER_TIMEOUT_SECONDS),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		kto_err_set(err, KTO_EIO, "cannot listen on %s port %u: the address "
		    "is in use or not this machine's; choose another with --listen",
		    opt->listen_addr, (unsigned)opt->port);
		kto_commit_group_stop(s->writer);
		pthread_mutex_destroy(&s->log_lock);
		free(s->db_path);
		free(s);
		return KTO_EIO;
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
	pthread_mutex_destroy(&s->log_lock);
	free(s->db_path);
	free(s);
}
