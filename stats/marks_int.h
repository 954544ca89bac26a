/*
** Inside stats/marks: the parts of kto_marks_compute() in other files.
*/
#ifndef KTO_STATS_MARKS_INT_H
#define KTO_STATS_MARKS_INT_H

#include "stats/marks.h"

/*
** Fills out->drivers, one per municipality; n_h is the complete responses
** per stratum (for the weights).  KTO_ENOMEM is the only failure.
*/
enum kto_rc marks_drivers(const struct kto_marks_input *in, const size_t *n_h,
                          struct kto_marks *out);

#endif
