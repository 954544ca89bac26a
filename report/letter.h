/*
** The tailored letter (Brief op Maat) and the team's overview, as PDF
** documents drawn with Cairo, their text laid out by Pango.
**
** The letter of a municipality covers the newest result set of a wave or
** a year (engine/results.h): its overall marks per channel against its
** circle, all participants and the year before; its strongest and weakest
** performance areas; its service norms against their targets; the
** priority matrix of the key drivers with the points to improve first;
** and its response with notes on method, in plain Dutch.  A4, one to
** three pages.  The wording comes from report/wording.h, so a difference
** is called higher or lower only when the result set marks it significant.
**
** The overview shows, per circle, the members' overall marks per channel
** against the circle and all participants.
**
** Both write the PDF into a buffer (appended to pdf), so that the portal
** can serve it and the CLI can write it to a file.  The database is only
** read.  A struct kto_db is used by one thread at a time; letters for
** several municipalities may be written in parallel on separate
** connections.
*/
#ifndef KTO_REPORT_LETTER_H
#define KTO_REPORT_LETTER_H

#include "base/buf.h"
#include "base/status.h"
#include "engine/results.h"

struct kto_db;

/* The most bytes one letter or overview may take (KTO_ELIMIT beyond). */
#define KTO_LETTER_MAX (64u << 20)

/*
** Writes the letter of municipality (its code) for scope: a wave
** (scope->wave_id, which must be the municipality's) or a year.  Errors,
** with their message in the database handle: KTO_ENOTFOUND for an unknown
** municipality or when no result set has been computed for the scope.
** Without a message there: KTO_EINPUT when the wave is another
** municipality's, KTO_ENOMEM, KTO_ELIMIT (pdf's ceiling), KTO_EINTERNAL
** when Cairo failed.  On error pdf may hold part of a document.
*/
enum kto_rc kto_letter_write(struct kto_db *db, const char *municipality,
                             const struct kto_results_scope *scope,
                             struct kto_buf *pdf);

/*
** Many letters of one scope: the result set is read once by
** kto_letter_batch_open() (on any connection), after which
** kto_letter_batch_write() writes a municipality's letter as
** kto_letter_write() does.  An open batch is only read, so several
** threads may write letters from it at once, each with its own database
** connection.  Errors as kto_letter_write()'s.
*/
struct kto_letter_batch;
enum kto_rc kto_letter_batch_open(struct kto_db *db, const struct kto_results_scope *scope,
                                  struct kto_letter_batch **out);
enum kto_rc kto_letter_batch_write(const struct kto_letter_batch *b, struct kto_db *db,
                                   const char *municipality, struct kto_buf *pdf);
void kto_letter_batch_free(struct kto_letter_batch *b);

/*
** Writes the team's overview of scope's newest result set: every circle
** (or only circle, when not NULL) with its members' overall marks per
** channel.  Errors as above; KTO_ENOTFOUND also for an unknown circle.
*/
enum kto_rc kto_overview_write(struct kto_db *db, const struct kto_results_scope *scope,
                               const char *circle, struct kto_buf *pdf);

/*
** Finds and loads the fonts, once per process.  Every letter and overview
** calls it before drawing, so callers need not; calling it ahead only
** moves the cost.
*/
void kto_letter_setup(void);

/*
** Frees the fonts of this thread, for leak checkers at the end of a
** program; drawing afterwards loads them again.
*/
void kto_letter_cleanup(void);

#endif
