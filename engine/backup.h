/*
** Backups: a consistent copy of the open database in a new file, taken
** while kto serve and kto send go on writing.
*/
#ifndef KTO_ENGINE_BACKUP_H
#define KTO_ENGINE_BACKUP_H

#include <stdbool.h>

#include "base/status.h"

struct kto_db;

/* Pages copied per step: one step between two progress reports. */
#define KTO_BACKUP_STEP_PAGES 256

/*
** Copies db into the file dest with SQLite's online backup.  The copy is
** of one moment: it is taken inside one read transaction, which in WAL
** mode never blocks a writer (writers only append to the log), so that it
** is consistent however long it takes.  It is written to a temporary file
** next to dest, checked with PRAGMA integrity_check, synced, and only then
** renamed to dest: a failed backup never leaves a half file under dest's
** name, nor destroys the backup that was there.
**
** dest must not exist unless overwrite (KTO_EEXISTS otherwise).  progress,
** when not NULL, is called after each step with the pages still to copy
** and the total.  Errors: KTO_EEXISTS, KTO_EIO (dest's directory), KTO_EFULL,
** KTO_EBUSY, KTO_EDB when the copy fails its check; the message in db.
*/
enum kto_rc kto_db_backup(struct kto_db *db, const char *dest, bool overwrite,
                          void (*progress)(void *ctx, int remaining, int total),
                          void *ctx);

#endif
