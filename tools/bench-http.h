/*
 * bench-http.h - the HTTP client parts the benchmark drivers share (build/bench-events,
 * build/bench-media): a keep-alive connection to nginx on the loopback, and the framing
 * of its answers. libc alone.
 */
#ifndef BENCH_HTTP_H
#define BENCH_HTTP_H

#include <stddef.h>

/* A non-blocking TCP connection to 127.0.0.1:port (no Nagle), or -1. */
int bh_dial(int port);

/* The value of header name in the head [p, p + len), or NULL; its length in *vlen. */
const char *bh_header(const char *p, size_t len, const char *name, size_t *vlen);

/* Whether buf holds a whole answer, framed by Content-Length or chunked: its length with
 * *hlen the head's (without the blank line), 0 while incomplete, -1 when malformed. */
long bh_framed(const char *buf, size_t len, size_t *hlen);

#endif
