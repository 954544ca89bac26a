/*
** Timing helpers for the benchmarks.  Each benchmark measures kto's code
** and a baseline in the same run, and prints both with their ratio, so that
** the figure means something on any machine.
*/
#ifndef KTO_BENCH_BENCH_H
#define KTO_BENCH_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
** Runs fn(arg) `iterations` times, five rounds, and returns the median
** seconds per call: the median resists a round disturbed by the machine.
*/
static inline double
bench_median(void (*fn)(void *), void *arg, int iterations)
{
	double rounds[5];

	for (int r = 0; r < 5; r++) {
		double t0 = bench_now();

		for (int i = 0; i < iterations; i++)
			fn(arg);
		rounds[r] = (bench_now() - t0) / iterations;
	}
	qsort(rounds, 5, sizeof rounds[0], bench_cmp_double);
	return rounds[2];
}

/* One line of the report: name, kto's time, the baseline's, the ratio. */
static inline void
bench_report(const char *name, double kto, const char *baseline, double base)
{
	printf("%-34s %10.1f us   baseline %-30s %10.1f us   ratio %6.2f\n", name,
	    kto * 1e6, baseline, base * 1e6, kto / base);
}

#endif
