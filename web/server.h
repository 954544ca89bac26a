/*
** The HTTP server (libmicrohttpd): a pool of threads on epoll, each with
** its own database connection, every request bounded in size and time, a
** fixed table of routes, pages escaped by default, and an access log that
** never contains a token.
*/
#ifndef KTO_WEB_SERVER_H
#define KTO_WEB_SERVER_H

#include <stdbool.h>
#include <stdio.h>

#include "base/status.h"

struct kto_server;

struct kto_server_options {
	const char *db_path;         /* each worker thread opens it itself */
	const char *listen_addr;     /* IPv4 or IPv6 literal, e.g. 127.0.0.1 */
	unsigned short port;
	int threads;                 /* 0: the default (4) */
	FILE *access_log;            /* NULL: no access log */
	bool log_json;               /* the log as JSON lines (web/log.h) */
	const char *now;             /* KTO_NOW for the workers' clocks; NULL: real */
	int timeout_seconds;         /* idle connections closed; 0: the default (30) */
	/* HTTPS: both PEM files, or both NULL for plain HTTP. */
	const char *tls_cert_file;   /* the certificate (chain) */
	const char *tls_key_file;    /* its private key, unencrypted */
	/*
	** The reverse proxy's IP address, or NULL: from it alone the client's
	** address is taken from X-Forwarded-For and TLS from
	** X-Forwarded-Proto; the per-address connection limit is then off.
	*/
	const char *trust_proxy;
};

/*
** Starts serving.  KTO_EIO when the address cannot be bound (err says
** which and why); KTO_EINPUT when the TLS files cannot be read or used.
** Over TLS every response carries Strict-Transport-Security and cookies
** are Secure.  The server runs in its own threads until stopped.
*/
enum kto_rc kto_server_start(const struct kto_server_options *opt,
                             struct kto_server **out, struct kto_err *err);

/*
** Stops accepting connections, lets the requests in flight finish (up to
** ten seconds), then stops.  NULL is allowed.
*/
void kto_server_stop(struct kto_server *s);

#endif
