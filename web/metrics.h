/*
** kto serve's /metrics, in Prometheus's text exposition format (version
** 0.0.4): requests by route class and status class, a latency histogram,
** submissions, open connections, and from the database the mail outbox,
** invitations and responses by state and the file's size.
**
** Only for the operator: answered to a loopback client that did not come
** through a proxy, or to a request with "Authorization: Bearer TOKEN"
** where TOKEN is $KTO_METRICS_TOKEN; anyone else gets the plain 404 of
** an unknown page (docs/operations.md).
*/
#ifndef KTO_WEB_METRICS_H
#define KTO_WEB_METRICS_H

#include <stdbool.h>

#include "web/pages.h"

struct kto_metrics;
struct MHD_Daemon;

/* A new set of counters; NULL when out of memory.  Reads $KTO_METRICS_TOKEN. */
struct kto_metrics *kto_metrics_new(void);
void kto_metrics_free(struct kto_metrics *m);

/* A monotonic clock in milliseconds, for request durations. */
double kto_metrics_clock_ms(void);

/* Counts one answered request (thread-safe, lock-free). */
void kto_metrics_request(struct kto_metrics *m, const char *method,
                         const char *path, unsigned status, double ms);

/*
** Answers /metrics into page and returns true; false for any other path
** (the request goes on to the routes).  daemon: for the connection count.
*/
bool kto_metrics_serve(struct kto_metrics *m, struct MHD_Daemon *daemon,
                       const struct kto_web_request *req,
                       struct kto_web_page *page);

#endif
