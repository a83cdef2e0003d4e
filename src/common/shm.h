/*
 * shm.h - a file that several worker processes map shared (the pool's metrics, the
 * host's failed authentications): opened without following a link, sized by the first
 * worker under a file lock, never truncated once sized (a worker still mapping it would
 * die of SIGBUS), and used only when its header says it is of the caller's layout.
 */
#ifndef PC_SHM_H
#define PC_SHM_H

#include <stddef.h>

/* Called under the file's lock with the mapping: initializes a new region (all zero)
 * or accepts one of the caller's layout (0); refuses anything else (-1). */
typedef int (*shm_adopt_fn)(void *mem, void *arg);

/* The region of size bytes of path, mapped shared and adopted; NULL when it cannot be
 * used, logged as "<who>: <path>: <why>; <fallback>". */
void *shm_map(const char *path, size_t size, shm_adopt_fn adopt, void *arg, const char *who,
              const char *fallback);

#endif
