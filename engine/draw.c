#include "engine/draw.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <sodium.h>

/* SplitMix64 (Steele, Lea, Flood 2014): a good mixer of nearby seeds. */
static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15u;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
	return x ^ (x >> 31);
}

uint32_t
kto_draw_stream_seed(uint64_t seed, uint64_t stream)
{
	uint64_t x = splitmix64(splitmix64(seed) ^ stream);
	uint32_t s = (uint32_t)(x >> 32);

	/* MT19937 in GSL maps seed 0 to its default 4357: avoid the alias. */
	return s != 0 ? s : 1;
}

static gsl_rng *
rng_new(uint32_t stream_seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (r != NULL)
		gsl_rng_set(r, stream_seed);
	return r;
}

enum kto_rc
kto_draw_srswor(uint32_t stream_seed, const int64_t *frame, size_t N, size_t n,
                int64_t *out)
{
	gsl_rng *r;

	if (n > N)
		return KTO_EINTERNAL;
	if (n == 0)
		return KTO_OK;
	if ((r = rng_new(stream_seed)) == NULL)
		return KTO_ENOMEM;
	/* gsl_ran_choose: selection sampling (Knuth's Algorithm S), O(N). */
	gsl_ran_choose(r, out, n, (void *)(uintptr_t)frame, N, sizeof *frame);
	gsl_rng_free(r);
	return KTO_OK;
}

enum kto_rc
kto_draw_bernoulli(uint32_t stream_seed, double p, const int64_t *frame, size_t N,
                   int64_t *out, size_t *n_out)
{
	gsl_rng *r;
	size_t n = 0;

	*n_out = 0;
	if (!(p > 0 && p <= 1))
		return KTO_EINTERNAL;
	if ((r = rng_new(stream_seed)) == NULL)
		return KTO_ENOMEM;
	for (size_t i = 0; i < N; i++)
		if (gsl_rng_uniform(r) < p)
			out[n++] = frame[i];
	gsl_rng_free(r);
	*n_out = n;
	return KTO_OK;
}

enum kto_rc
kto_ids_encode(const int64_t *ids, size_t n, struct kto_buf *out)
{
	int64_t prev = 0;
	enum kto_rc rc = KTO_OK;

	for (size_t i = 0; i < n && rc == KTO_OK; i++) {
		uint64_t d = (uint64_t)(ids[i] - prev);
		unsigned char v[10];
		size_t k = 0;

		if (ids[i] < prev)
			return KTO_EINTERNAL;   /* frames are ascending */
		do {
			v[k++] = (unsigned char)((d & 0x7F) | (d > 0x7F ? 0x80 : 0));
			d >>= 7;
		} while (d != 0);
		rc = kto_buf_add(out, v, k);
		prev = ids[i];
	}
	return rc;
}

enum kto_rc
kto_ids_decode(const void *blob, size_t len, int64_t **ids, size_t *n)
{
	const unsigned char *p = blob;
	size_t count = 0, k = 0;
	int64_t prev = 0;
	int64_t *v;

	*ids = NULL;
	*n = 0;
	for (size_t i = 0; i < len; i++)
		if (!(p[i] & 0x80))
			count++;
	if (len > 0 && (p[len - 1] & 0x80))
		return KTO_EINPUT;
	v = malloc((count ? count : 1) * sizeof *v);
	if (v == NULL)
		return KTO_ENOMEM;
	for (size_t i = 0; i < len;) {
		uint64_t d = 0;
		int shift = 0;

		do {
			if (shift > 63) {
				free(v);
				return KTO_EINPUT;
			}
			d |= (uint64_t)(p[i] & 0x7F) << shift;
			shift += 7;
		} while (p[i++] & 0x80);
		/* Ids are positive 64-bit integers: a gap past that is damage. */
		if (d > (uint64_t)INT64_MAX - (uint64_t)prev) {
			free(v);
			return KTO_EINPUT;
		}
		prev += (int64_t)d;
		v[k++] = prev;
	}
	*ids = v;
	*n = k;
	return KTO_OK;
}

void
kto_ids_hash(const int64_t *ids, size_t n, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		unsigned char le[8];
		uint64_t x = (uint64_t)ids[i];

		for (int b = 0; b < 8; b++)
			le[b] = (unsigned char)(x >> (8 * b));
		crypto_hash_sha256_update(&st, le, sizeof le);
	}
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
}
