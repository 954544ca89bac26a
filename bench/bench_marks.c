/*
** The report marks of a national benchmark (stats/marks.h): 342
** municipalities in 34 circles, 3 channels (1026 strata), 15 mark
** variables over 1,000,000 responses, every result, comparison and key
** driver, on 2 threads (the target: under 2 s on 2 cores).
**
** The data are synthetic and seeded: N_h between 500 and 20,000 per
** stratum, n_h roughly proportional (at least 2, one stratum with a single
** response), marks 1..10 leaning to 7 and 8, about 10 % missing and 3 %
** "weet niet".  One variable is the overall mark, eight are the areas
** that drive it.
**
** With --csv, the first SUBSET responses (the responses are in random
** order, the lonely stratum's first) go to FILE as
** municipality,channel,N,v1..v15, and kto_marks_compute is timed on
** exactly that subset: bench/marks.sh gives the file to R's svyby
** (bench/marks_svyby.R), the baseline.  Lines for marks.sh start with
** subset_ and kto_spot.
**
** Usage: bench_marks [--responses N] [--subset N] [--csv FILE]
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/strparse.h"
#include "bench/bench.h"
#include "stats/marks.h"

#define MUNICIPALITIES 342
#define CIRCLES 34
#define STRATA (MUNICIPALITIES * KTO_MARKS_CHANNELS)
#define VARIABLES 15
#define OVERALL 0            /* v1 */
#define DRIVERS 8            /* v2 .. v9 */
#define LONELY 17            /* the stratum with a single response */
#define THREADS 2

static const char *const channel_name[KTO_MARKS_CHANNELS] = {
	"counter", "phone", "email"
};

/* xorshift64*: small, fast, and the same stream everywhere. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Uniform on [0, 1). */
static double
rng_unif(void)
{
	return (double)(rng_next() >> 11) * 0x1.0p-53;
}

/* Uniform on 0 .. n-1. */
static size_t
rng_below(size_t n)
{
	return (size_t)(rng_unif() * (double)n);
}

/* A mark 1..10, leaning to 7 and 8. */
static int
draw_mark(void)
{
	static const double p[10] = { 0.01, 0.01, 0.02, 0.03, 0.06,
	                              0.12, 0.27, 0.28, 0.12, 0.08 };
	double u = rng_unif();

	for (int k = 0; k < 9; k++) {
		if (u < p[k])
			return k + 1;
		u -= p[k];
	}
	return 10;
}

static int
clamp_mark(double x)
{
	int k = (int)lround(x);

	return k < 1 ? 1 : k > 10 ? 10 : k;
}

struct bench {
	size_t mun[STRATA];                 /* per stratum */
	int channel[STRATA];
	double population[STRATA];
	size_t n_h[STRATA];
	size_t circle[MUNICIPALITIES];
	struct kto_marks_variable var[VARIABLES];
	char var_id[VARIABLES][16];
	size_t drivers[DRIVERS];
	size_t n;
	size_t *stratum;                    /* per response */
	double *value;                      /* n x VARIABLES */
	unsigned char *dont_know;
};

/* The strata, their allocation, the responses in random order. */
static int
generate(struct bench *b, size_t n)
{
	double total_pop = 0, shift[MUNICIPALITIES];
	size_t given = 0, r = 0;

	for (size_t m = 0; m < MUNICIPALITIES; m++) {
		b->circle[m] = m * CIRCLES / MUNICIPALITIES;    /* 10 or 11 each */
		shift[m] = (rng_unif() - 0.5) * 1.2;            /* -0.6 .. +0.6 */
	}
	for (size_t h = 0; h < STRATA; h++) {
		b->mun[h] = h / KTO_MARKS_CHANNELS;
		b->channel[h] = (int)(h % KTO_MARKS_CHANNELS);
		b->population[h] = (double)(500 + rng_below(19501));
		total_pop += b->population[h];
	}
	if ((double)n > total_pop / 2) {
		fprintf(stderr, "at most %.0f responses\n", total_pop / 2);
		return -1;
	}
	/* n_h proportional to N_h, at least 2; the rest one by one. */
	for (size_t h = 0; h < STRATA; h++) {
		size_t k = (size_t)((double)n * b->population[h] / total_pop);

		b->n_h[h] = h == LONELY ? 1 : k < 2 ? 2 : k;
		given += b->n_h[h];
	}
	for (size_t h = 0; given != n; h = (h + 1) % STRATA) {
		if (h == LONELY)
			continue;
		if (given < n) {
			b->n_h[h]++;
			given++;
		} else if (b->n_h[h] > 2) {
			b->n_h[h]--;
			given--;
		}
	}
	b->n = n;
	b->stratum = malloc(n * sizeof *b->stratum);
	b->value = malloc(n * VARIABLES * sizeof *b->value);
	b->dont_know = malloc(n * VARIABLES);
	if (b->stratum == NULL || b->value == NULL || b->dont_know == NULL)
		return -1;
	for (size_t h = 0; h < STRATA; h++)
		for (size_t i = 0; i < b->n_h[h]; i++)
			b->stratum[r++] = h;
	for (size_t i = n - 1; i > 0; i--) {            /* Fisher-Yates */
		size_t j = rng_below(i + 1), t = b->stratum[i];

		b->stratum[i] = b->stratum[j];
		b->stratum[j] = t;
	}
	for (size_t i = 0; i < n; i++)                  /* the lonely one first */
		if (b->stratum[i] == LONELY) {
			b->stratum[i] = b->stratum[0];
			b->stratum[0] = LONELY;
			break;
		}
	/* Each respondent's marks: a general level, the municipality's shift,
	 * the item's own noise; the overall mark follows the areas. */
	for (size_t i = 0; i < n; i++) {
		double *y = b->value + i * VARIABLES, level, areas = 0;
		unsigned char *dk = b->dont_know + i * VARIABLES;

		level = draw_mark() + shift[b->mun[b->stratum[i]]];
		for (size_t v = 1; v < VARIABLES; v++) {
			y[v] = clamp_mark(level + (rng_unif() - 0.5) * 3);
			if (v <= DRIVERS)
				areas += y[v];
		}
		y[OVERALL] = clamp_mark(areas / DRIVERS + (rng_unif() - 0.5) * 2);
		for (size_t v = 0; v < VARIABLES; v++) {
			double u = rng_unif();

			dk[v] = u < 0.03;
			if (u < 0.13)
				y[v] = NAN;    /* "weet niet" (3 %) or missing (10 %) */
		}
	}
	for (size_t v = 0; v < VARIABLES; v++) {
		if (v == OVERALL)
			snprintf(b->var_id[v], sizeof b->var_id[v], "TOT");
		else if (v <= DRIVERS)
			snprintf(b->var_id[v], sizeof b->var_id[v], "area:A%zu", v);
		else
			snprintf(b->var_id[v], sizeof b->var_id[v], "B%zu", v - DRIVERS);
		b->var[v].id = b->var_id[v];
		b->var[v].kind = KTO_MARKS_MARK;
		b->var[v].whole_marks = true;
		b->var[v].target = NAN;
	}
	for (size_t a = 0; a < DRIVERS; a++)
		b->drivers[a] = 1 + a;
	return 0;
}

static void
input_of(const struct bench *b, size_t n, struct kto_marks_input *in)
{
	memset(in, 0, sizeof *in);
	in->n_strata = STRATA;
	in->stratum_municipality = b->mun;
	in->stratum_channel = b->channel;
	in->population = b->population;
	in->n_municipalities = MUNICIPALITIES;
	in->municipality_circle = b->circle;
	in->n_circles = CIRCLES;
	in->n_variables = VARIABLES;
	in->variables = b->var;
	in->n_responses = n;
	in->response_stratum = b->stratum;
	in->value = b->value;
	in->dont_know = b->dont_know;
	in->overall = OVERALL;
	in->driver_areas = b->drivers;
	in->n_driver_areas = DRIVERS;
	in->level = 0.95;
	in->threads = THREADS;
}

/*
** Three runs of kto_marks_compute over the first n responses: the first's
** seconds and the best.  The last run's results stay in *out.
*/
static int
timed(const struct bench *b, size_t n, struct kto_marks *out, double *first,
      double *best)
{
	struct kto_marks_input in;

	input_of(b, n, &in);
	for (int run = 0; run < 3; run++) {
		double t0 = bench_now(), t;
		enum kto_rc rc;

		if (run > 0)
			kto_marks_free(out);
		if ((rc = kto_marks_compute(&in, out)) != KTO_OK) {
			fprintf(stderr, "kto_marks_compute: %s\n", kto_strerror(rc));
			return -1;
		}
		t = bench_now() - t0;
		if (run == 0)
			*first = *best = t;
		else if (t < *best)
			*best = t;
	}
	return 0;
}

static int
write_csv(const struct bench *b, size_t n, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "municipality,channel,N");
	for (size_t v = 0; v < VARIABLES; v++)
		fprintf(f, ",v%zu", v + 1);
	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++) {
		size_t h = b->stratum[i];

		fprintf(f, "GM%04zu,%s,%.0f", b->mun[h] + 1, channel_name[b->channel[h]],
		    b->population[h]);
		for (size_t v = 0; v < VARIABLES; v++) {
			double y = b->value[i * VARIABLES + v];

			if (isnan(y) || b->dont_know[i * VARIABLES + v])
				fprintf(f, ",");
			else
				fprintf(f, ",%d", (int)y);
		}
		fprintf(f, "\n");
	}
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static const struct kto_marks_result *
find(const struct kto_marks *m, enum kto_marks_scope scope, size_t unit,
     int channel, size_t v)
{
	for (size_t i = 0; i < m->n_results; i++) {
		const struct kto_marks_result *r = &m->results[i];

		if (r->scope == scope && r->unit == unit && r->channel == channel &&
		    r->variable == v)
			return r;
	}
	return NULL;
}

/*
** Estimates for bench/marks.sh to hold against R's: a stratum (a
** municipality x channel), a municipality over its channels, everyone.
** Keys as marks_svyby.R names them.
*/
static void
print_spots(const struct kto_marks *m)
{
	static const struct {
		enum kto_marks_scope scope;
		size_t unit;
		int channel;
		size_t v;
	} spot[] = {
		{ KTO_SCOPE_MUNICIPALITY, 0, 0, OVERALL },
		{ KTO_SCOPE_MUNICIPALITY, 41, 2, 11 },
		{ KTO_SCOPE_MUNICIPALITY, LONELY / KTO_MARKS_CHANNELS,
		  LONELY % KTO_MARKS_CHANNELS, 3 },
		{ KTO_SCOPE_MUNICIPALITY, 7, KTO_MARKS_ALL_CHANNELS, OVERALL },
		{ KTO_SCOPE_MUNICIPALITY, 200, KTO_MARKS_ALL_CHANNELS, 5 },
		{ KTO_SCOPE_ALL, 0, KTO_MARKS_ALL_CHANNELS, OVERALL },
		{ KTO_SCOPE_ALL, 0, KTO_MARKS_ALL_CHANNELS, 14 },
	};

	for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++) {
		const struct kto_marks_result *r = find(m, spot[i].scope, spot[i].unit,
		    spot[i].channel, spot[i].v);
		char key[64];

		if (spot[i].scope == KTO_SCOPE_ALL)
			snprintf(key, sizeof key, "all:v%zu", spot[i].v + 1);
		else if (spot[i].channel == KTO_MARKS_ALL_CHANNELS)
			snprintf(key, sizeof key, "GM%04zu:v%zu", spot[i].unit + 1,
			    spot[i].v + 1);
		else
			snprintf(key, sizeof key, "GM%04zu.%s:v%zu", spot[i].unit + 1,
			    channel_name[spot[i].channel], spot[i].v + 1);
		if (r == NULL)
			printf("kto_spot %s NA NA\n", key);
		else
			printf("kto_spot %s %.17g %.17g\n", key, r->est.estimate, r->est.se);
	}
}

/* 1000000 as "1,000,000 responses". */
static void
responses_label(char *buf, size_t size, int64_t n)
{
	char digits[32];
	size_t len, k = 0;

	snprintf(digits, sizeof digits, "%lld", (long long)n);
	len = strlen(digits);
	for (size_t i = 0; i < len && k + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	snprintf(buf + k, size - k, " responses");
}

static double
peak_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	struct kto_marks out;
	int64_t responses = 1000000, subset = 100000;
	const char *csv = NULL;
	double first, best, input_mb, data_mb;
	char label[64];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--responses") == 0 && i + 1 < argc &&
		    kto_parse_i64(argv[i + 1], 3000, 100000000, &responses) == KTO_OK)
			i++;
		else if (strcmp(argv[i], "--subset") == 0 && i + 1 < argc &&
		    kto_parse_i64(argv[i + 1], 3000, 100000000, &subset) == KTO_OK)
			i++;
		else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
			csv = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--responses N] [--subset N] [--csv FILE]\n",
			    argv[0]);
			return 2;
		}
	}
	if (subset > responses)
		subset = responses;
	fprintf(stderr, "generating %lld responses...\n", (long long)responses);
	if (generate(&b, (size_t)responses) != 0)
		return 1;
	input_mb = peak_rss_mb();
	data_mb = (double)b.n * (VARIABLES * (sizeof *b.value + 1) + sizeof *b.stratum) /
	    (1024.0 * 1024.0);

	if (timed(&b, b.n, &out, &first, &best) != 0)
		return 1;
	snprintf(label, sizeof label, "report marks, ");
	responses_label(label + strlen(label), sizeof label - strlen(label), responses);
	printf("%-34s %10.2f s    first run %.2f s; %zu results, %d threads, best of 3   "
	    "(target < 2 s)\n", label, best, first, out.n_results, THREADS);
	printf("%-34s %10.1f MB   of which the input arrays %.1f MB (peak before: %.1f MB)\n",
	    "report marks peak memory (RSS)", peak_rss_mb(), data_mb, input_mb);
	kto_marks_free(&out);

	if (csv != NULL) {
		if (write_csv(&b, (size_t)subset, csv) != 0 ||
		    timed(&b, (size_t)subset, &out, &first, &best) != 0)
			return 1;
		responses_label(label, sizeof label, subset);
		printf("subset_label report marks, %s\n", label);
		printf("subset_seconds %.6f\n", best);
		printf("subset_first_seconds %.6f\n", first);
		printf("subset_results %zu\n", out.n_results);
		print_spots(&out);
		kto_marks_free(&out);
	}
	free(b.stratum);
	free(b.value);
	free(b.dont_know);
	return 0;
}
