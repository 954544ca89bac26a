/*
** Responses: a citizen's answers to an invitation's questionnaire, saved
** page by page so that nothing given is lost, and completed exactly once
** however often the last button is pressed (double click, reload, two
** tabs).
**
** Answers are stored per question in the answer table: numbers (mark,
** scale, number, and dates as YYYYMMDD) in value_num, option codes, yes/no
** and texts in value_text, a multi's codes as a JSON array, and "weet
** niet" as dont_know.
*/
#ifndef KTO_ENGINE_RESPONSE_H
#define KTO_ENGINE_RESPONSE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "engine/invitation.h"
#include "engine/surveydef.h"
#include "engine/token.h"

struct kto_db;

/*
** A questionnaire and how far its citizen got: an invitation's, or one of
** the counter's open link, kept apart by a browser session (inv.id 0).
*/
struct kto_respondent {
	struct kto_invitation_info inv;    /* wave and municipality for both */
	bool by_session;                   /* the open link: session_key, desk */
	unsigned char session_key[KTO_TOKEN_HASH_BYTES];
	char desk[33];
	int64_t def_version_id;      /* the definition the wave uses */
	int64_t response_id;         /* 0 before the first saved page */
	bool complete;
	int page;                    /* the page to show on return */
	char language[4];            /* "nl" or "en": as chosen, else the invitation's */
};

/* The respondent of a token; KTO_ENOTFOUND for an unknown token. */
enum kto_rc kto_respondent_find(struct kto_db *db, const char *token,
                                struct kto_respondent *out);

/*
** The respondent of the counter's open link of municipality `code` at
** `desk` (may be ""), in the browser session whose cookie is `session`:
** the municipality's newest wave in fieldwork with a counter stratum.
** KTO_ENOTFOUND for an unknown municipality, KTO_ESTATE when no such wave
** runs (out->inv names the municipality all the same).
*/
enum kto_rc kto_respondent_open_link(struct kto_db *db, const char *code,
                                     const char *desk, const char *session,
                                     struct kto_respondent *out);

/*
** The definition version's parsed survey.  Versions never change, so a
** parsed one is cached and shared by every thread; give it back with
** kto_respondent_survey_release() when done.
*/
enum kto_rc kto_respondent_survey(struct kto_db *db,
                                  const struct kto_respondent *r,
                                  const struct kto_survey **out);
void kto_respondent_survey_release(const struct kto_survey *s);

/* The parsed survey of a definition version, from the same cache; release
 * it with kto_respondent_survey_release(). */
enum kto_rc kto_survey_version(struct kto_db *db, int64_t version_id,
                               const struct kto_survey **out);

/*
** Fills ans, an answer to q, from the current row of st, whose columns 1,
** 2 and 3 are answer.value_num, value_text and dont_know; strings in a.
*/
struct sqlite3_stmt;
enum kto_rc kto_answer_from_row(struct kto_db *db, struct sqlite3_stmt *st,
                                const struct kto_question *q, struct kto_arena *a,
                                struct kto_answer *ans);

/*
** The saved answers, one per question of s (answers[q->index]); strings
** are allocated in a.  Questions without a saved answer are KTO_ANSWER_NONE.
*/
enum kto_rc kto_response_answers(struct kto_db *db, const struct kto_respondent *r,
                                 const struct kto_survey *s, struct kto_arena *a,
                                 struct kto_answer *answers);

/*
** Saves the answers to the questions of page `page` (replacing what was
** saved for them before), remembers `next_page` as where to return, and
** the language.  With `complete`, also completes the response: once only;
** *completed_now says whether this call did it (false: it was complete
** already, and nothing was changed).  The response row is created by the
** first save.  KTO_ESTATE when the wave is closed.
*/
enum kto_rc kto_response_save(struct kto_db *db, struct kto_respondent *r,
                              const struct kto_survey *s, size_t page,
                              const struct kto_answer *answers, int next_page,
                              bool complete, bool *completed_now);

/*
** The write of kto_response_save() as a function and its argument
** (allocated in a), for a caller that has it run elsewhere: in a commit
** group (engine/commit_group.h), the web server's way, so that many
** citizens' pages share one commit.  r, s and answers must outlive it.
*/
typedef enum kto_rc (*kto_write_fn)(struct kto_db *db, void *arg);
enum kto_rc kto_response_save_job(struct kto_arena *a, struct kto_respondent *r,
                                  const struct kto_survey *s, size_t page,
                                  const struct kto_answer *answers,
                                  int next_page, bool complete,
                                  kto_write_fn *fn, void **arg);

#endif
