/*
 * rng.h - the bench generators' PRNG (bench/gen_events.c, gen_geonames.c):
 * xoshiro256** seeded through splitmix64, one stream in rng_s that a
 * generator may swap out and back.  Fixed seeds give the same bytes on every
 * machine.  Header-only: each generator is one C file built on its own.
 */
#ifndef EVENTMAP_BENCH_RNG_H
#define EVENTMAP_BENCH_RNG_H

#include <stdint.h>

static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next64(void) /* xoshiro256** */
{
    uint64_t result = rotl(rng_s[1] * 5, 7) * 9;
    uint64_t t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return result;
}

static void seed_rng(uint64_t seed)
{
    for (int i = 0; i < 4; i++) rng_s[i] = splitmix64(&seed);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift on 32 bits). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((uint64_t)(uint32_t)(next64() >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static int between(int lo, int hi)
{
    return lo + (int)below((uint32_t)(hi - lo + 1));
}

#endif
