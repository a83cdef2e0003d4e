/*
 * status.h - what the database's request functions found (the SQL type pc_status,
 * schema/016_status.sql), in the database's own terms, and the answer each one gets.
 * The one place that ties the two lists together: an integration test holds this table
 * to the type's labels.
 */
#ifndef PC_STATUS_H
#define PC_STATUS_H

#include <stddef.h>

#include "err.h"

struct status {
	const char *label; /* as pc_status spells it */
	enum err err;      /* the answer: ERR_NONE for 'ok' */
};

/* Every status, 'ok' first. */
extern const struct status status_table[];
extern const size_t status_count;

/* The answer to the status labelled label (len bytes), or ERR_INTERNAL for a label this
 * worker does not know. */
enum err status_err(const char *label, size_t len);

#endif
