/*
 * never_called.h - for a fuzz target that links the route table (src/routing/route.c) but not
 * every handler it names: a handler that aborts, so that one reached by mistake is a
 * finding, not a silent pass.
 */
#ifndef FUZZ_NEVER_CALLED_H
#define FUZZ_NEVER_CALLED_H

#include <stdlib.h>

#include "handlers.h"

#define NEVER_CALLED(name)                                                                         \
	void name(struct srv *sv, const struct req *rq, const struct route_args *a,                \
	          struct resp *rs)                                                                 \
	{                                                                                          \
		(void)sv, (void)rq, (void)a, (void)rs;                                             \
		abort();                                                                           \
	}

#endif
