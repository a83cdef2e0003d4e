/*
 * clock.h - the one clock of the service's timings: CLOCK_MONOTONIC, which no change of
 * the wall clock moves. (Log lines carry the wall clock: log.c.)
 */
#ifndef PC_CLOCK_H
#define PC_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary start, for durations. */
static inline uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds on the same clock. */
static inline long long clock_ms(void)
{
	return (long long)(clock_ns() / 1000000u);
}

#endif
