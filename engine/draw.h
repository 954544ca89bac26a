/*
** The random draws of sampling, as pure functions of a seed and a frame,
** so that the same frame and seed always give the same sample (the audit
** re-draw) and so that tests can check inclusion probabilities directly.
**
** The generator is GSL's MT19937.  It takes a 32-bit seed; the wave's
** 64-bit seed, the channel and the draw number are mixed (SplitMix64) into
** one per stream, so channels and continuous draws never share a stream.
*/
#ifndef KTO_ENGINE_DRAW_H
#define KTO_ENGINE_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

/* The 32-bit generator seed of stream `stream` of a wave with `seed`. */
uint32_t kto_draw_stream_seed(uint64_t seed, uint64_t stream);

/*
** Simple random sampling without replacement: n of frame[0..N) (n <= N),
** each subset of size n equally likely, written to out in frame order.
*/
enum kto_rc kto_draw_srswor(uint32_t stream_seed, const int64_t *frame, size_t N,
                            size_t n, int64_t *out);

/*
** Bernoulli sampling: each element of frame[0..N) independently with
** probability p; the chosen ones to out (room for N) in frame order.
*/
enum kto_rc kto_draw_bernoulli(uint32_t stream_seed, double p, const int64_t *frame,
                               size_t N, int64_t *out, size_t *n_out);

/*
** A frame's ids (ascending) as a compact blob: varint deltas.  And back:
** *ids is allocated (free(3)); KTO_EINPUT for a damaged blob.
*/
enum kto_rc kto_ids_encode(const int64_t *ids, size_t n, struct kto_buf *out);
enum kto_rc kto_ids_decode(const void *blob, size_t len, int64_t **ids, size_t *n);

/* SHA-256 (hex) of the ids as 8-byte little-endian integers. */
void kto_ids_hash(const int64_t *ids, size_t n, char hex[65]);

#endif
