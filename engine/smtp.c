/*
** engine/smtp: libcurl SMTP delivery.
**
** A pool of transfer slots, one easy handle each, driven by one multi
** handle.  When a slot's message is done, the same easy handle takes the
** next message, so libcurl's connection cache keeps the SMTP session open:
** several parallel sessions, each reused, as a mail server likes them.
*/
#include "engine/smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define MAX_CONNECTIONS 32

struct slot {
	CURL *easy;
	struct curl_slist *rcpt;
	const struct kto_outbox_item *item;
	size_t index;             /* of item, for the callback */
	size_t offset;            /* bytes already handed to libcurl */
	char mail_from[260], rcpt_to[260];
	char error[CURL_ERROR_SIZE];
	bool busy;
};

static double
monotonic(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum kto_rc
kto_smtp_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? KTO_OK : KTO_EINTERNAL;
}

void
kto_smtp_global_cleanup(void)
{
	curl_global_cleanup();
}

/* libcurl pulls the message through this, from memory. */
static size_t
read_message(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct slot *s = arg;
	size_t room = size * nmemb, left = s->item->len - s->offset;
	size_t n = left < room ? left : room;

	memcpy(buf, s->item->message + s->offset, n);
	s->offset += n;
	return n;
}

/*
** A CR or LF in an address would end up verbatim in the MAIL FROM or RCPT
** TO command line, so a crafted address could smuggle further SMTP
** commands onto the wire.  Addresses were checked when they were stored;
** they are checked again here, where the commands are built.
*/
static bool
envelope_safe(const char *addr)
{
	return addr[0] != '\0' && strpbrk(addr, "\r\n<>") == NULL &&
	    strlen(addr) < 250;
}

/* The options that stay the same for every message of a slot. */
static bool
slot_setup(struct slot *s, const struct kto_smtp_options *o)
{
	CURL *e = curl_easy_init();
	long connect = o->connect_timeout > 0 ? o->connect_timeout : 10;
	long secs = o->timeout > 0 ? o->timeout : 60;
	bool ok;

	if (e == NULL)
		return false;
	s->easy = e;
	ok = curl_easy_setopt(e, CURLOPT_URL, o->url) == CURLE_OK &&
	    /* Only mail: a URL from the configuration cannot make us speak HTTP. */
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_READFUNCTION, read_message) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_READDATA, s) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->error) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, connect) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_TIMEOUT, secs) == CURLE_OK &&
	    /* A server that tarpits (HARDENING S2): under 100 bytes a second
	     * for the timeout's length ends the transfer. */
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 100L) == CURLE_OK &&
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, secs) == CURLE_OK;
	/*
	** STARTTLS is required, not tried: CURLUSESSL_ALL fails the transfer
	** when the server does not offer it, so a stripped STARTTLS can never
	** make us send in plain text (HARDENING S4).  Peer and host name are
	** verified; libcurl's defaults, stated here so nobody turns them off.
	*/
	if (ok && o->tls != KTO_SMTP_TLS_NONE)
		ok = curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL) == CURLE_OK &&
		    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
		    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	if (ok && o->ca_file != NULL && o->ca_file[0] != '\0')
		ok = curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file) == CURLE_OK;
	if (ok && o->user != NULL && o->user[0] != '\0')
		ok = curl_easy_setopt(e, CURLOPT_USERNAME, o->user) == CURLE_OK &&
		    curl_easy_setopt(e, CURLOPT_PASSWORD, o->password ? o->password : "")
		    == CURLE_OK;
	return ok;
}

/* Points the slot at its next message. */
static bool
slot_load(struct slot *s, const struct kto_outbox_item *it, size_t index)
{
	s->item = it;
	s->index = index;
	s->offset = 0;
	s->error[0] = '\0';
	curl_slist_free_all(s->rcpt);
	snprintf(s->mail_from, sizeof s->mail_from, "<%s>", it->sender);
	snprintf(s->rcpt_to, sizeof s->rcpt_to, "<%s>", it->recipient);
	s->rcpt = curl_slist_append(NULL, s->rcpt_to);
	return s->rcpt != NULL &&
	    curl_easy_setopt(s->easy, CURLOPT_MAIL_FROM, s->mail_from) == CURLE_OK &&
	    curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, s->rcpt) == CURLE_OK &&
	    curl_easy_setopt(s->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)it->len) == CURLE_OK;
}

/*
** What a finished transfer means for the message.  A 5xx reply to the
** message is permanent (the address does not exist, the content is
** refused); 4xx, connection trouble and timeouts are temporary.  A refused
** login or missing TLS is the configuration's fault, not the citizen's:
** temporary, so that nothing is lost while it is fixed.
*/
static enum kto_mail_outcome
classify(CURLcode res, long code)
{
	if (res == CURLE_OK)
		return KTO_MAIL_SENT;
	if (res == CURLE_LOGIN_DENIED || res == CURLE_USE_SSL_FAILED ||
	    res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CONNECT_ERROR)
		return KTO_MAIL_TEMPORARY;
	if (code >= 500 && code < 600)
		return KTO_MAIL_PERMANENT;
	return KTO_MAIL_TEMPORARY;
}

static void
report(struct slot *s, CURLcode res, kto_smtp_done_fn done, void *ctx)
{
	char reply[300];
	long code = 0;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res == CURLE_OK)
		snprintf(reply, sizeof reply, "%ld accepted", code ? code : 250L);
	else if (res == CURLE_USE_SSL_FAILED)
		snprintf(reply, sizeof reply, "the server does not offer STARTTLS; "
		    "kto does not send in plain text when TLS is required");
	else if (code == 0)
		snprintf(reply, sizeof reply, "%.250s",
		    s->error[0] ? s->error : curl_easy_strerror(res));
	else
		snprintf(reply, sizeof reply, "%ld %.250s", code,
		    s->error[0] ? s->error : curl_easy_strerror(res));
	done(ctx, s->index, classify(res, code), reply);
}

/* The earliest moment the next message may start, for the rate limit. */
static bool
may_start(double *last, double interval)
{
	double now = monotonic();

	if (interval > 0 && now - *last < interval)
		return false;
	*last = now;
	return true;
}

enum kto_rc
kto_smtp_deliver(const struct kto_smtp_options *opt,
                 const struct kto_outbox_item *items, size_t n,
                 kto_smtp_done_fn done, void *ctx, struct kto_err *err)
{
	struct slot slots[MAX_CONNECTIONS];
	int nslots = opt->connections < 1 ? 1 :
	    opt->connections > MAX_CONNECTIONS ? MAX_CONNECTIONS : opt->connections;
	double interval = opt->rate_per_minute > 0 ? 60.0 / opt->rate_per_minute : 0;
	double last = -1e9;
	size_t next = 0, finished = 0, end = n;     /* end: n, or next at a stop */
	CURLM *m = curl_multi_init();
	enum kto_rc rc = KTO_OK;

	memset(slots, 0, sizeof slots);
	if (m == NULL)
		return kto_err_set(err, KTO_EINTERNAL, "libcurl could not start");
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nslots);
	for (int i = 0; i < nslots; i++)
		if (!slot_setup(&slots[i], opt)) {
			rc = kto_err_set(err, KTO_EINTERNAL, "libcurl could not be set up "
			    "for %s", opt->url);
			goto out;
		}
	while (finished < end) {
		CURLMsg *msg;
		int running = 0, left, busy = 0, wait_ms;
		bool rate_wait = false;

		/* Asked to stop: what is on the wire finishes, nothing new starts. */
		if (opt->stop != NULL && *opt->stop && end > next)
			end = next;
		/* Fill free slots, as fast as the rate limit allows. */
		for (int i = 0; i < nslots && next < end; i++) {
			if (slots[i].busy)
				continue;
			if (!envelope_safe(items[next].sender) ||
			    !envelope_safe(items[next].recipient)) {
				done(ctx, next, KTO_MAIL_PERMANENT, "refused before sending: "
				    "the sender or recipient address contains a line break "
				    "or is not an address");
				next++;
				finished++;
				continue;
			}
			if (!may_start(&last, interval)) {
				rate_wait = true;
				break;
			}
			if (!slot_load(&slots[i], &items[next], next)) {
				done(ctx, next, KTO_MAIL_TEMPORARY, "out of memory");
				next++;
				finished++;
				continue;
			}
			next++;
			slots[i].busy = true;
			curl_multi_add_handle(m, slots[i].easy);
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (int i = 0; i < nslots; i++) {
				if (slots[i].easy != msg->easy_handle || !slots[i].busy)
					continue;
				report(&slots[i], msg->data.result, done, ctx);
				curl_multi_remove_handle(m, slots[i].easy);
				slots[i].busy = false;
				finished++;
			}
		}
		for (int i = 0; i < nslots; i++)
			busy += slots[i].busy;
		if (finished >= end)
			break;
		/* A free slot and a message waiting: start it now, no waiting. */
		if (busy < nslots && next < end && !rate_wait)
			continue;
		wait_ms = rate_wait ? 20 : 1000;
		curl_multi_poll(m, NULL, 0, wait_ms, NULL);
	}
out:
	for (int i = 0; i < nslots; i++) {
		if (slots[i].easy != NULL) {
			if (slots[i].busy)
				curl_multi_remove_handle(m, slots[i].easy);
			curl_easy_cleanup(slots[i].easy);
		}
		curl_slist_free_all(slots[i].rcpt);
	}
	curl_multi_cleanup(m);
	return rc;
}
