/*
** The server's log: one line per answered request, and events (warnings
** of the pages, the server's own).  Two formats: text, for a person at a
** terminal, and JSON (one object per line: time, level, event, method,
** path, status, duration_ms, message), for journald and log shippers.
** Paths are logged with tokens replaced by the caller (server.c).
*/
#ifndef KTO_WEB_LOG_H
#define KTO_WEB_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* One answered request.  path must be loggable already (no token). */
void kto_log_request(FILE *f, bool json, const char *method, const char *path,
                     unsigned status, double duration_ms);

/* An event: level "info", "warning" or "error"; event a short name. */
void kto_log_event(FILE *f, bool json, const char *level, const char *event,
                   const char *message);

#endif
