/*
** Fuzz target for the survey-definition parser: any input must give either
** a survey or a list of problems, within bounded time and memory, without
** a crash, a leak or undefined behaviour (the sanitizers check those).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/surveydef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct kto_answer *
no_answers(void *ctx, const struct kto_question *q)
{
	(void)ctx;
	(void)q;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kto_diags d;
	struct kto_survey *s = NULL;

	kto_diags_init(&d);
	if (kto_survey_parse((const char *)data, size, &s, &d) == KTO_OK) {
		/* A valid survey must be usable: walk what the web layer walks. */
		if (s->overall == NULL || s->n_questions == 0)
			abort();
		for (size_t i = 0; i < s->n_questions; i++) {
			(void)kto_cond_eval(s->questions[i].show_if, no_answers, NULL);
			(void)kto_question_match(&s->questions[i], "1234 AB");
		}
		for (size_t i = 0; i < s->n_norms; i++)
			if (s->norms[i].item == NULL || s->norms[i].met_if == NULL)
				abort();
	} else if (d.errors == 0 && !d.oom) {
		abort();   /* a refusal must say why */
	}
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].msg == NULL || d.v[i].msg[0] == '\0' || d.v[i].line < 0)
			abort();
	kto_survey_free(s);
	kto_diags_release(&d);
	return 0;
}
