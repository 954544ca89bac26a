/*
** Group commit: the small write transactions of many web requests, made
** durable together by one commit -- one fsync -- instead of one each.
**
** One writer thread owns a connection of its own.  A request hands it a
** function; the writer runs the functions that are waiting one after the
** other inside one transaction, each in a savepoint of its own (a failing
** one is undone alone), commits, and only then lets each request go on
** with its outcome.  While a commit waits for the disk, the next requests
** queue up for the next one: the busier the server, the larger the groups,
** and no request ever waits for a timer.  Requests no longer contend for
** SQLite's write lock, so none sleeps in its busy handler either.
*/
#ifndef KTO_ENGINE_COMMIT_GROUP_H
#define KTO_ENGINE_COMMIT_GROUP_H

#include "base/date.h"
#include "base/status.h"

struct kto_db;
struct kto_commit_group;

/*
** Opens the writer's connection to db_path and starts the writer.  now,
** when not NULL, pins the writer's clock (as kto_db_set_now does).
*/
enum kto_rc kto_commit_group_start(const char *db_path,
                                   const struct kto_datetime *now,
                                   struct kto_commit_group **out,
                                   struct kto_err *err);

/*
** Refuses new jobs (KTO_ESTATE), runs what is queued -- every callback of a
** submitted job has returned when it does -- and stops the writer.  The
** group stays valid for late callers until kto_commit_group_stop().
*/
void kto_commit_group_close(struct kto_commit_group *g);

/* kto_commit_group_close(), then closes the connection and frees g. */
void kto_commit_group_stop(struct kto_commit_group *g);

/*
** Runs fn(db, arg) on the writer's connection, inside its current
** transaction (fn must not begin one), and returns once that transaction
** is committed: fn's status when it failed (its changes undone, the
** others' kept), else the commit's.  err receives the message.
*/
enum kto_rc kto_commit_group_run(struct kto_commit_group *g,
                                 enum kto_rc (*fn)(struct kto_db *db, void *arg),
                                 void *arg, struct kto_err *err);

/*
** The same without waiting: returns at once, and done(ctx, rc, err) is
** called from the writer thread once the transaction fn ran in is
** committed (or fn failed).  For a web server that frees its thread while
** the write waits for the disk.  KTO_ENOMEM when the job cannot be queued,
** KTO_ESTATE once the group is closed (done is then not called).
*/
enum kto_rc kto_commit_group_submit(struct kto_commit_group *g,
                                    enum kto_rc (*fn)(struct kto_db *db, void *arg),
                                    void *arg,
                                    void (*done)(void *ctx, enum kto_rc rc,
                                                 const struct kto_err *err),
                                    void *ctx);

#endif
