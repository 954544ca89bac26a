/*
** The daily retention purge of kto serve (engine/privacy.h): a thread of
** its own, with its own database connection, that purges once at start
** and then every 24 hours, logging what it erased, until stopped.
*/
#ifndef KTO_CLI_PRIVACY_DAILY_H
#define KTO_CLI_PRIVACY_DAILY_H

#include <stdio.h>

#include "base/status.h"

struct cli_privacy_daily;

/*
** Starts the thread on the database at db_path; now, when not NULL or "",
** pins its clock (KTO_NOW, as the web workers').  Log lines go to log.
** On success *out is the handle for cli_privacy_daily_stop(); on failure
** *out is NULL and err says why.
*/
enum kto_rc cli_privacy_daily_start(const char *db_path, const char *now,
                                    FILE *log, struct cli_privacy_daily **out,
                                    struct kto_err *err);

/*
** Stops the thread -- at once when it is waiting, else after the purge it
** is running commits -- and frees the handle.  NULL is allowed.
*/
void cli_privacy_daily_stop(struct cli_privacy_daily *d);

#endif
