#include "engine/open_answers.h"

#include <stdio.h>
#include <string.h>

#include "engine/db_int.h"
#include "engine/response.h"
#include "engine/surveydef.h"

enum kto_rc
kto_open_answers(struct kto_db *db, const char *code, int year,
                 enum kto_rc (*fn)(void *ctx, const struct kto_open_answer *a),
                 void *ctx)
{
	sqlite3_stmt *st;
	const struct kto_survey *s = NULL;
	int64_t version = 0;
	char y[8];
	bool row;
	enum kto_rc rc;

	snprintf(y, sizeof y, "%04d", year);
	rc = kto_db_prepare(db, &st, "SELECT r.channel, a.item, a.value_text, "
	    "substr(r.completed_at, 1, 10), r.def_version_id FROM answer a JOIN "
	    "response r ON r.id = a.response_id JOIN wave w ON w.id = r.wave_id JOIN "
	    "municipality m ON m.id = w.municipality_id WHERE m.code = ? AND "
	    "substr(w.period_from, 1, 4) = ? AND r.state = 'complete' AND "
	    "a.value_text IS NOT NULL AND a.value_text <> '' "
	    "ORDER BY r.completed_at DESC, r.id DESC, a.item", "tt", code, y);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		struct kto_open_answer a;
		const struct kto_question *q;

		/* value_text also holds choice codes: only open questions count. */
		if (sqlite3_column_int64(st, 4) != version) {
			kto_respondent_survey_release(s);
			s = NULL;
			version = sqlite3_column_int64(st, 4);
			if ((rc = kto_survey_version(db, version, &s)) != KTO_OK)
				break;
		}
		q = kto_survey_question(s, (const char *)sqlite3_column_text(st, 1));
		if (q == NULL || q->type != KTO_Q_OPEN)
			continue;
		memset(&a, 0, sizeof a);
		kto_db_column_copy(st, 0, a.channel, sizeof a.channel);
		kto_db_column_copy(st, 1, a.question, sizeof a.question);
		a.question_text = q->text.nl;
		a.text = (const char *)sqlite3_column_text(st, 2);
		kto_db_column_copy(st, 3, a.completed, sizeof a.completed);
		if ((rc = fn(ctx, &a)) != KTO_OK)
			break;
	}
	kto_respondent_survey_release(s);
	sqlite3_finalize(st);
	return rc;
}
