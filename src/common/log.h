/*
 * log.h - one-line diagnostics on standard error. Callers never pass tokens, request
 * bodies, SQL text or database messages: only ids, codes and SQLSTATEs.
 */
#ifndef PC_LOG_H
#define PC_LOG_H

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
