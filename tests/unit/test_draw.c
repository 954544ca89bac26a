/*
** engine/draw: the random draws of sampling.
**
** Three kinds of test.  Known answers: the streams and samples are
** computed by an independent re-implementation of the documented method
** (SplitMix64 -> GSL's MT19937 -> Knuth's Algorithm S, as gsl_ran_choose
** does it), so that a wave drawn today can be drawn again identically by a
** later kto for the audit.  Properties: n distinct elements in frame order,
** same seed same sample.  And the statistical test the issue asks for:
** over many seeds, every element of a stratum is included with probability
** n/N (per element, by chi-square over the elements, and for pairs), every
** subset is equally likely, and Bernoulli sampling includes each element
** independently with probability p.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "base/buf.h"
#include "engine/draw.h"
#include "tests/unit/testutil.h"   /* assert_close (a macro only) */

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* SplitMix64 as the engine documents it, for the known-answer tests. */
static uint64_t
ref_splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15u;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
	return x ^ (x >> 31);
}

/* The inverse of x ^= x >> k. */
static uint64_t
unxorshift(uint64_t y, int k)
{
	uint64_t x = y;

	for (int i = 0; i < 64 / k + 1; i++)
		x = y ^ (x >> k);
	return x;
}

/* The inverse of an odd number modulo 2^64 (Newton's iteration). */
static uint64_t
inverse64(uint64_t a)
{
	uint64_t x = a;

	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

/* The x for which ref_splitmix64(x) == y. */
static uint64_t
ref_unsplitmix64(uint64_t y)
{
	y = unxorshift(y, 31);
	y *= inverse64(0x94D049BB133111EBu);
	y = unxorshift(y, 27);
	y *= inverse64(0xBF58476D1CE4E5B9u);
	y = unxorshift(y, 30);
	return y - 0x9E3779B97F4A7C15u;
}

/* frame[i] = base + step * i: ids that are not their own positions. */
static int64_t *
make_frame(size_t N, int64_t base, int64_t step)
{
	int64_t *f = malloc((N ? N : 1) * sizeof *f);

	assert_non_null(f);
	for (size_t i = 0; i < N; i++)
		f[i] = base + step * (int64_t)i;
	return f;
}

/* Expects out[0..n) to be distinct elements of frame[0..N), in frame order. */
static void
assert_in_frame_order(const int64_t *frame, size_t N, const int64_t *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		while (j < N && frame[j] != out[i])
			j++;
		if (j == N) {
			print_error("element %zu (%lld) is not in the frame after the "
			    "previous one\n", i, (long long)out[i]);
			fail();
		}
		j++;
	}
}

static void
assert_ids_equal(const int64_t *got, const int64_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i]) {
			print_error("element %zu is %lld, wanted %lld\n", i,
			    (long long)got[i], (long long)want[i]);
			fail();
		}
}

/* ---------------------------------------------------------------------- */
/* Stream seeds                                                            */

static void
test_stream_seed_known(void **state)
{
	(void)state;
	/* From the Python reference (splitmix64(splitmix64(seed) ^ stream) >> 32). */
	assert_int_equal(kto_draw_stream_seed(42, 0), 1474427578u);
	assert_int_equal(kto_draw_stream_seed(42, 1), 4082100516u);
	assert_int_equal(kto_draw_stream_seed(42, 2), 1918080312u);
	assert_int_equal(kto_draw_stream_seed(42, 1000), 2854939063u);
	assert_int_equal(kto_draw_stream_seed(42, 1003), 3998743158u);
	assert_int_equal(kto_draw_stream_seed(0, 0), 2802244911u);
	assert_int_equal(kto_draw_stream_seed(UINT64_MAX, 7), 435292827u);
	for (uint64_t s = 0; s < 200; s++)
		for (uint64_t k = 0; k < 20; k++) {
			uint64_t seed = s * 0x9E3779B97F4A7C15u + 12345;
			uint32_t want = (uint32_t)(ref_splitmix64(ref_splitmix64(seed) ^ k) >> 32);

			assert_int_equal(kto_draw_stream_seed(seed, k), want ? want : 1);
		}
}

static void
test_stream_seed_distinct(void **state)
{
	enum { SEEDS = 50, STREAMS = 3 + 3 * 40 };
	static uint32_t all[SEEDS * STREAMS];
	size_t n = 0;

	(void)state;
	/* The one-off streams 0..2 (channels) and the continuous streams
	 * 1000 + draw * 3 + channel, of 50 waves: all different, none 0. */
	for (uint64_t w = 0; w < SEEDS; w++) {
		uint64_t seed = w == 0 ? 0 : w * 7919 + (w << 40);

		for (uint64_t c = 0; c < 3; c++)
			all[n++] = kto_draw_stream_seed(seed, c);
		for (uint64_t d = 0; d < 40; d++)
			for (uint64_t c = 0; c < 3; c++)
				all[n++] = kto_draw_stream_seed(seed, 1000 + d * 3 + c);
	}
	assert_int_equal(n, SEEDS * STREAMS);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(all[i], 0);
		for (size_t j = i + 1; j < n; j++)
			if (all[i] == all[j]) {
				print_error("streams %zu and %zu share seed %u\n", i, j, all[i]);
				fail();
			}
	}
	/* Nearby wave seeds give unrelated streams. */
	assert_int_not_equal(kto_draw_stream_seed(1, 0), kto_draw_stream_seed(2, 0));
	assert_int_not_equal(kto_draw_stream_seed(1, 0), kto_draw_stream_seed(1, 1));
	assert_int_not_equal(kto_draw_stream_seed(1, 1), kto_draw_stream_seed(2, 0));
}

/*
** A stream whose mixed value has 32 zero bits on top would be seed 0, which
** GSL's MT19937 silently replaces by 4357 (aliasing another stream): the
** engine maps it to 1.  Such inputs are constructed by inverting SplitMix64.
*/
static void
test_stream_seed_never_zero(void **state)
{
	(void)state;
	assert_int_equal(ref_splitmix64(ref_unsplitmix64(0x123456789abcdefu)),
	    0x123456789abcdefu);
	for (uint64_t low = 0; low < 64; low++) {
		uint64_t wave = low * 1000003u;
		uint64_t stream = ref_unsplitmix64(low * 0x01000193u) ^
		    ref_splitmix64(wave);

		/* The reference says this stream mixes to 0 on top... */
		assert_int_equal(ref_splitmix64(ref_splitmix64(wave) ^ stream) >> 32, 0);
		/* ...and the engine still gives a usable seed. */
		assert_int_equal(kto_draw_stream_seed(wave, stream), 1);
	}
}

/* ---------------------------------------------------------------------- */
/* Simple random sampling without replacement                              */

static void
test_srswor_known(void **state)
{
	static const int64_t want_42[10] = {
		1035, 1042, 1056, 1084, 1189, 1196, 1217, 1224, 1259, 1308
	};
	static const int64_t want_1[10] = {
		1028, 1035, 1056, 1070, 1168, 1196, 1252, 1266, 1308, 1315
	};
	static const int64_t want_123456789[10] = {
		1021, 1049, 1077, 1098, 1182, 1196, 1217, 1224, 1308, 1343
	};
	static const int64_t want_2024[5] = { 448, 1219, 2047, 2092, 2953 };
	int64_t *frame = make_frame(50, 1000, 7), *big = make_frame(1000, 1, 3);
	int64_t out[10];

	(void)state;
	assert_int_equal(kto_draw_srswor(kto_draw_stream_seed(42, 0), frame, 50, 10,
	    out), KTO_OK);
	assert_ids_equal(out, want_42, 10);
	assert_int_equal(kto_draw_srswor(1, frame, 50, 10, out), KTO_OK);
	assert_ids_equal(out, want_1, 10);
	assert_int_equal(kto_draw_srswor(123456789, frame, 50, 10, out), KTO_OK);
	assert_ids_equal(out, want_123456789, 10);
	assert_int_equal(kto_draw_srswor(2024, big, 1000, 5, out), KTO_OK);
	assert_ids_equal(out, want_2024, 5);
	free(frame);
	free(big);
}

static void
test_srswor_properties(void **state)
{
	enum { N = 500, n = 60 };
	int64_t *frame = make_frame(N, 17, 11);
	int64_t a[n], b[n];
	static int64_t seen[100][n];

	(void)state;
	for (uint32_t s = 1; s <= 100; s++) {
		uint32_t seed = kto_draw_stream_seed(s, 0);

		memset(a, 0, sizeof a);
		assert_int_equal(kto_draw_srswor(seed, frame, N, n, a), KTO_OK);
		/* Distinct, in the frame, in frame order (strictly increasing here). */
		assert_in_frame_order(frame, N, a, n);
		for (size_t i = 1; i < n; i++)
			assert_true(a[i] > a[i - 1]);
		/* The same seed: the same sample. */
		assert_int_equal(kto_draw_srswor(seed, frame, N, n, b), KTO_OK);
		assert_memory_equal(a, b, sizeof a);
		memcpy(seen[s - 1], a, sizeof a);
	}
	/* Different stream seeds: different samples (C(500,60) is huge). */
	for (size_t i = 0; i < 100; i++)
		for (size_t j = i + 1; j < 100; j++)
			assert_memory_not_equal(seen[i], seen[j], sizeof seen[i]);
	/* The channels of one wave draw differently from the same frame. */
	assert_int_equal(kto_draw_srswor(kto_draw_stream_seed(9, 0), frame, N, n, a),
	    KTO_OK);
	assert_int_equal(kto_draw_srswor(kto_draw_stream_seed(9, 1), frame, N, n, b),
	    KTO_OK);
	assert_memory_not_equal(a, b, sizeof a);
	free(frame);
}

static void
test_srswor_edges(void **state)
{
	int64_t *frame = make_frame(25, 100, 3);
	int64_t out[26];

	(void)state;
	/* n == N: the whole frame, in order. */
	assert_int_equal(kto_draw_srswor(77, frame, 25, 25, out), KTO_OK);
	assert_ids_equal(out, frame, 25);
	/* n == 0: nothing written. */
	for (size_t i = 0; i < 26; i++)
		out[i] = -5;
	assert_int_equal(kto_draw_srswor(77, frame, 25, 0, out), KTO_OK);
	for (size_t i = 0; i < 26; i++)
		assert_int_equal(out[i], -5);
	/* An empty frame and nothing to draw. */
	assert_int_equal(kto_draw_srswor(77, frame, 0, 0, out), KTO_OK);
	assert_int_equal(out[0], -5);
	/* n == 1 of 1. */
	assert_int_equal(kto_draw_srswor(77, frame, 1, 1, out), KTO_OK);
	assert_int_equal(out[0], 100);
	/* More than the frame is a caller's bug, not a short sample. */
	assert_int_equal(kto_draw_srswor(77, frame, 25, 26, out), KTO_EINTERNAL);
	assert_int_equal(out[1], -5);
	free(frame);
}

/*
** The statistical test of the issue.  For a stratum of N with sample size
** n, drawn with R stream seeds: every element's inclusion count c_i is
** Binomial(R, pi) with pi = n/N, so each must lie within 5 standard
** errors.  Together the counts have covariance R pi (1 - pi) N/(N-1) times
** the projection orthogonal to (1, ..., 1) (SRSWOR's pi_ij makes the
** covariance of two inclusions -pi(1-pi)/(N-1)), so
**     X = (N-1)/N * sum_i (c_i - R pi)^2 / (R pi (1 - pi))
** is chi-square with N-1 degrees of freedom.  Its p-value must not be
** tiny (a biased draw) nor close to 1 (a draw that is too even to be
** random, such as systematic sampling).  Joint inclusions of pairs must
** match pi_ij = n(n-1)/(N(N-1)), which first-order uniformity alone does
** not guarantee.
*/
struct pair { size_t a, b; };

static void
check_stratum(size_t N, size_t n, unsigned R, uint64_t wave_base,
              const struct pair *pairs, size_t n_pairs, bool all_pairs)
{
	int64_t *frame = make_frame(N, 5000, 13);
	int64_t *out = malloc((n ? n : 1) * sizeof *out);
	uint32_t *count = calloc(N, sizeof *count);
	uint32_t *joint = calloc(all_pairs ? N * N : (n_pairs ? n_pairs : 1),
	    sizeof *joint);
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);
	unsigned char *in = calloc(N, 1);
	double pi = (double)n / (double)N, e = R * pi, x2 = 0;

	assert_non_null(out);
	assert_non_null(count);
	assert_non_null(joint);
	assert_non_null(idx);
	assert_non_null(in);
	for (unsigned r = 0; r < R; r++) {
		uint32_t seed = kto_draw_stream_seed(wave_base + r, 2);

		assert_int_equal(kto_draw_srswor(seed, frame, N, n, out), KTO_OK);
		for (size_t i = 0; i < n; i++) {
			int64_t off = out[i] - 5000;

			assert_true(off >= 0 && off % 13 == 0 && (size_t)(off / 13) < N);
			idx[i] = (size_t)(off / 13);
			assert_true(i == 0 || idx[i] > idx[i - 1]);
			count[idx[i]]++;
		}
		if (all_pairs) {
			for (size_t i = 0; i < n; i++)
				for (size_t j = i + 1; j < n; j++)
					joint[idx[i] * N + idx[j]]++;
		} else {
			for (size_t i = 0; i < n; i++)
				in[idx[i]] = 1;
			for (size_t k = 0; k < n_pairs; k++)
				joint[k] += in[pairs[k].a] && in[pairs[k].b];
			for (size_t i = 0; i < n; i++)
				in[idx[i]] = 0;
		}
	}

	if (n == N) {
		/* Certainty: every element every time. */
		for (size_t i = 0; i < N; i++)
			assert_int_equal(count[i], R);
	} else {
		double se = sqrt(R * pi * (1 - pi)), p;

		for (size_t i = 0; i < N; i++) {
			double d = (double)count[i] - e;

			if (fabs(d) > 5 * se) {
				print_error("N=%zu n=%zu: element %zu included %u times in "
				    "%u draws; expected %.1f +- %.1f\n", N, n, i, count[i], R,
				    e, 5 * se);
				fail();
			}
			x2 += d * d / (R * pi * (1 - pi));
		}
		x2 *= (double)(N - 1) / (double)N;
		p = gsl_cdf_chisq_Q(x2, (double)(N - 1));
		if (!(p > 0.001 && p < 0.9999)) {
			print_error("N=%zu n=%zu R=%u: chi-square %.2f on %zu df, p = %g\n",
			    N, n, R, x2, N - 1, p);
			fail();
		}
	}

	if (n >= 2 && n < N) {
		double pij = (double)n * (n - 1) / ((double)N * (N - 1));
		double ej = R * pij, sej = sqrt(R * pij * (1 - pij));

		for (size_t k = 0; k < n_pairs; k++) {
			uint32_t c = all_pairs ? joint[pairs[k].a * N + pairs[k].b] : joint[k];

			if (fabs((double)c - ej) > 5 * sej) {
				print_error("N=%zu n=%zu: pair (%zu,%zu) together %u times; "
				    "expected %.1f +- %.1f\n", N, n, pairs[k].a, pairs[k].b, c,
				    ej, 5 * sej);
				fail();
			}
		}
		if (all_pairs)
			for (size_t a = 0; a < N; a++)
				for (size_t b = a + 1; b < N; b++)
					if (fabs((double)joint[a * N + b] - ej) > 5 * sej) {
						print_error("N=%zu n=%zu: pair (%zu,%zu) together %u "
						    "times; expected %.1f +- %.1f\n", N, n, a, b,
						    joint[a * N + b], ej, 5 * sej);
						fail();
					}
	}
	free(frame);
	free(out);
	free(count);
	free(joint);
	free(idx);
	free(in);
}

static void
test_inclusion_n10_of_50(void **state)
{
	static const struct pair pairs[] = { { 0, 1 }, { 0, 49 }, { 24, 25 }, { 48, 49 } };

	(void)state;
	/* Every one of the 1225 pairs is checked as well. */
	check_stratum(50, 10, 20000, 1000000, pairs, 4, true);
}

static void
test_inclusion_n37_of_200(void **state)
{
	static const struct pair pairs[] = {
		{ 0, 1 }, { 0, 199 }, { 99, 100 }, { 198, 199 }, { 17, 123 }, { 5, 10 }
	};

	(void)state;
	check_stratum(200, 37, 10000, 2000000, pairs, 6, false);
}

static void
test_inclusion_all_of_7(void **state)
{
	(void)state;
	check_stratum(7, 7, 4000, 3000000, NULL, 0, false);
}

static void
test_inclusion_n3_of_1000(void **state)
{
	(void)state;
	check_stratum(1000, 3, 20000, 4000000, NULL, 0, false);
}

static void
test_inclusion_n1_of_2(void **state)
{
	(void)state;
	check_stratum(2, 1, 10000, 5000000, NULL, 0, false);
}

/*
** Every subset of size n equally likely: for N = 6, n = 3 the 20 subsets
** are counted over R draws, a multinomial with 19 degrees of freedom.
*/
static void
test_subsets_equally_likely(void **state)
{
	enum { N = 6, n = 3, R = 20000 };
	int64_t frame[N], out[n];
	unsigned count[1 << N];
	double x2 = 0, e = R / 20.0, p;
	int subsets = 0;

	(void)state;
	memset(count, 0, sizeof count);
	for (int i = 0; i < N; i++)
		frame[i] = i;
	for (unsigned r = 0; r < R; r++) {
		unsigned mask = 0;

		assert_int_equal(kto_draw_srswor(kto_draw_stream_seed(r, 0), frame, N, n,
		    out), KTO_OK);
		for (int i = 0; i < n; i++)
			mask |= 1u << out[i];
		assert_int_equal(__builtin_popcount(mask), n);
		count[mask]++;
	}
	for (unsigned m = 0; m < (1u << N); m++) {
		if (__builtin_popcount(m) != n) {
			assert_int_equal(count[m], 0);
			continue;
		}
		subsets++;
		x2 += (count[m] - e) * (count[m] - e) / e;
	}
	assert_int_equal(subsets, 20);
	p = gsl_cdf_chisq_Q(x2, 19);
	if (!(p > 0.001 && p < 0.9999)) {
		print_error("subsets: chi-square %.2f on 19 df, p = %g\n", x2, p);
		fail();
	}
}

/* ---------------------------------------------------------------------- */
/* Bernoulli sampling                                                      */

static void
test_bernoulli_known(void **state)
{
	static const int64_t want[] = { 2, 6, 7, 9, 17, 24, 34, 37 };
	int64_t *frame = make_frame(40, 1, 1), out[40];
	size_t n = 99;

	(void)state;
	assert_int_equal(kto_draw_bernoulli(77, 0.25, frame, 40, out, &n), KTO_OK);
	assert_int_equal(n, 8);
	assert_ids_equal(out, want, 8);
	free(frame);
}

static void
test_bernoulli_edges(void **state)
{
	int64_t *frame = make_frame(30, 9, 2), out[30];
	size_t n = 99;

	(void)state;
	assert_int_equal(kto_draw_bernoulli(5, 1.0, frame, 30, out, &n), KTO_OK);
	assert_int_equal(n, 30);
	assert_ids_equal(out, frame, 30);
	n = 99;
	assert_int_equal(kto_draw_bernoulli(5, 0.5, frame, 0, out, &n), KTO_OK);
	assert_int_equal(n, 0);
	n = 99;
	assert_int_equal(kto_draw_bernoulli(5, 0.0, frame, 30, out, &n), KTO_EINTERNAL);
	assert_int_equal(n, 0);
	n = 99;
	assert_int_equal(kto_draw_bernoulli(5, -0.1, frame, 30, out, &n), KTO_EINTERNAL);
	assert_int_equal(n, 0);
	assert_int_equal(kto_draw_bernoulli(5, 1.5, frame, 30, out, &n), KTO_EINTERNAL);
	assert_int_equal(kto_draw_bernoulli(5, NAN, frame, 30, out, &n), KTO_EINTERNAL);
	/* Same seed, same sample; in frame order. */
	{
		int64_t a[30], b[30];
		size_t na, nb;

		assert_int_equal(kto_draw_bernoulli(11, 0.4, frame, 30, a, &na), KTO_OK);
		assert_int_equal(kto_draw_bernoulli(11, 0.4, frame, 30, b, &nb), KTO_OK);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na * sizeof *a);
		assert_in_frame_order(frame, 30, a, na);
	}
	free(frame);
}

/*
** Bernoulli sampling with p over R seeds: the mean sample size is pN with
** variance Np(1-p) (not a fixed size), and each element's inclusion count
** is Binomial(R, p), independently: chi-square with N degrees of freedom.
*/
static void
test_bernoulli_statistics(void **state)
{
	enum { N = 300, R = 5000 };
	const double p = 0.2;
	int64_t *frame = make_frame(N, 1, 1), out[N];
	unsigned count[N];
	double sum = 0, sumsq = 0, mean, var, x2 = 0, pv;
	double se_elem = sqrt(p * (1 - p) / R);

	(void)state;
	memset(count, 0, sizeof count);
	for (unsigned r = 0; r < R; r++) {
		size_t n;

		assert_int_equal(kto_draw_bernoulli(kto_draw_stream_seed(r, 1000), p,
		    frame, N, out, &n), KTO_OK);
		assert_in_frame_order(frame, N, out, n);
		for (size_t i = 0; i < n; i++)
			count[out[i] - 1]++;
		sum += (double)n;
		sumsq += (double)n * (double)n;
	}
	mean = sum / R;
	var = (sumsq - sum * sum / R) / (R - 1);
	/* Mean: pN = 60, standard error sqrt(Np(1-p)/R). */
	assert_close(mean, p * N, 5 * sqrt(N * p * (1 - p) / R));
	/* Variance: Np(1-p) = 48, standard error about var * sqrt(2/(R-1)). */
	assert_close(var, N * p * (1 - p), 5 * N * p * (1 - p) * sqrt(2.0 / (R - 1)));
	for (size_t i = 0; i < N; i++) {
		double f = (double)count[i] / R;

		if (fabs(f - p) > 5 * se_elem) {
			print_error("element %zu included with frequency %.4f, wanted "
			    "%.2f +- %.4f\n", i, f, p, 5 * se_elem);
			fail();
		}
		x2 += (count[i] - R * p) * (count[i] - R * p) / (R * p * (1 - p));
	}
	pv = gsl_cdf_chisq_Q(x2, N);
	if (!(pv > 0.001 && pv < 0.9999)) {
		print_error("bernoulli: chi-square %.2f on %d df, p = %g\n", x2, N, pv);
		fail();
	}
	free(frame);
}

/* ---------------------------------------------------------------------- */
/* Frames as blobs                                                         */

static void
roundtrip(const int64_t *ids, size_t n)
{
	struct kto_buf b = KTO_BUF_INIT((size_t)1 << 30);
	int64_t *back = NULL;
	size_t m = 12345;

	assert_int_equal(kto_ids_encode(ids, n, &b), KTO_OK);
	assert_int_equal(kto_ids_decode(b.ptr ? (const void *)b.ptr : "", b.len, &back,
	    &m), KTO_OK);
	assert_int_equal(m, n);
	assert_non_null(back);
	if (n > 0)
		assert_memory_equal(back, ids, n * sizeof *ids);
	free(back);
	kto_buf_release(&b);
}

static void
test_ids_encoding(void **state)
{
	static const int64_t ids[] = { 1, 2, 130, 130 + 16384 };
	static const unsigned char want[] = { 0x01, 0x01, 0x80, 0x01, 0x80, 0x80, 0x01 };
	struct kto_buf b = KTO_BUF_INIT(1024);

	(void)state;
	/* Varint deltas, 7 bits a byte, low first. */
	assert_int_equal(kto_ids_encode(ids, 4, &b), KTO_OK);
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.ptr, want, sizeof want);
	kto_buf_release(&b);
	/* A frame that is not ascending is a bug of the caller. */
	{
		static const int64_t down[] = { 5, 4 };
		static const int64_t neg[] = { -1 };

		assert_int_equal(kto_ids_encode(down, 2, &b), KTO_EINTERNAL);
		kto_buf_release(&b);
		assert_int_equal(kto_ids_encode(neg, 1, &b), KTO_EINTERNAL);
		kto_buf_release(&b);
	}
}

static void
test_ids_roundtrip(void **state)
{
	static const int64_t one[] = { 42 };
	static const int64_t gaps[] = {
		1, 2, 127, 128, 129, 16383, 16384, 16385, (int64_t)1 << 31,
		((int64_t)1 << 31) + 1, (int64_t)1 << 40, ((int64_t)1 << 56) + 3,
		INT64_MAX - 1, INT64_MAX
	};
	static const int64_t dups[] = { 7, 7, 7, 8 };
	int64_t *big = malloc(1000000 * sizeof *big);
	uint64_t x = 88172645463325252u;
	int64_t v = 0;

	(void)state;
	roundtrip(NULL, 0);
	roundtrip(one, 1);
	roundtrip(gaps, sizeof gaps / sizeof gaps[0]);
	roundtrip(dups, 4);
	assert_non_null(big);
	/* 10^6 ids with gaps from 1 to about 2^20 (xorshift64). */
	for (size_t i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v += 1 + (int64_t)(x % (i % 3 == 0 ? 1000000u : 5u));
		big[i] = v;
	}
	roundtrip(big, 1000000);
	free(big);
}

static void
test_ids_decode_damaged(void **state)
{
	static const unsigned char truncated[] = { 0x01, 0x80, 0x80 };
	static const unsigned char overlong[] = {
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01
	};
	int64_t *ids = (int64_t *)(uintptr_t)1;
	size_t n = 99;

	(void)state;
	assert_int_equal(kto_ids_decode(truncated, sizeof truncated, &ids, &n),
	    KTO_EINPUT);
	assert_null(ids);
	assert_int_equal(n, 0);
	assert_int_equal(kto_ids_decode(truncated, 1, &ids, &n), KTO_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 1);
	free(ids);
	assert_int_equal(kto_ids_decode(overlong, sizeof overlong, &ids, &n), KTO_EINPUT);
	assert_int_equal(n, 0);
	/* A real frame's blob cut short by one byte. */
	{
		static const int64_t f[] = { 3, 300, 70000 };
		struct kto_buf b = KTO_BUF_INIT(1024);

		assert_int_equal(kto_ids_encode(f, 3, &b), KTO_OK);
		assert_int_equal(kto_ids_decode(b.ptr, b.len - 1, &ids, &n), KTO_EINPUT);
		kto_buf_release(&b);
	}
}

/*
** Regression (was a bug in engine/draw.c, kto_ids_decode): deltas above INT64_MAX are cast to
** negative numbers and added unchecked, so a damaged blob that no frame
** could produce (kto_ids_encode refuses descending or negative ids) is
** decoded as KTO_OK.  The 10-byte varint 2^64-1 decodes to the id -1; two
** deltas of 2^62 overflow prev (signed overflow: undefined behaviour, an
** abort under UBSan).  The header promises KTO_EINPUT for a damaged blob.
*/
static void
test_ids_decode_rejects_impossible(void **state)
{
	static const unsigned char minus_one[] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01
	};
	int64_t *ids = NULL;
	size_t n = 0;
	enum kto_rc rc;

	(void)state;
	rc = kto_ids_decode(minus_one, sizeof minus_one, &ids, &n);
	assert_int_equal(rc, KTO_EINPUT);
	assert_int_equal(rc, KTO_EINPUT);
}

static void
test_ids_hash(void **state)
{
	static const int64_t three[] = { 1, 2, 3 };
	static const int64_t four[] = { 5, 300, 70000, (int64_t)1 << 40 };
	static const int64_t other[] = { 1, 2, 4 };
	char h[65], again[65];

	(void)state;
	/* SHA-256 of the 8-byte little-endian ids (Python hashlib). */
	kto_ids_hash(NULL, 0, h);
	assert_string_equal(h,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	kto_ids_hash(three, 3, h);
	assert_string_equal(h,
	    "e2e2033ae7e19d680599d4eb0a1359a2b48ec5baac75066c317fbf85159c54ef");
	kto_ids_hash(four, 4, h);
	assert_string_equal(h,
	    "80dc795ae40bb49b1a6630247a37e344da6210fcb6cb1ebbc6b55851b89b9f00");
	kto_ids_hash(four, 4, again);
	assert_string_equal(h, again);
	kto_ids_hash(other, 3, again);
	assert_string_not_equal(again,
	    "e2e2033ae7e19d680599d4eb0a1359a2b48ec5baac75066c317fbf85159c54ef");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_seed_known),
		cmocka_unit_test(test_stream_seed_distinct),
		cmocka_unit_test(test_stream_seed_never_zero),
		cmocka_unit_test(test_srswor_known),
		cmocka_unit_test(test_srswor_properties),
		cmocka_unit_test(test_srswor_edges),
		cmocka_unit_test(test_inclusion_n10_of_50),
		cmocka_unit_test(test_inclusion_n37_of_200),
		cmocka_unit_test(test_inclusion_all_of_7),
		cmocka_unit_test(test_inclusion_n3_of_1000),
		cmocka_unit_test(test_inclusion_n1_of_2),
		cmocka_unit_test(test_subsets_equally_likely),
		cmocka_unit_test(test_bernoulli_known),
		cmocka_unit_test(test_bernoulli_edges),
		cmocka_unit_test(test_bernoulli_statistics),
		cmocka_unit_test(test_ids_encoding),
		cmocka_unit_test(test_ids_roundtrip),
		cmocka_unit_test(test_ids_decode_damaged),
		cmocka_unit_test(test_ids_decode_rejects_impossible),
		cmocka_unit_test(test_ids_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
