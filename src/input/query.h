/*
 * query.h - the query string of a List PhoneCalls request, parsed into typed values:
 * paging (startIndex, count), order (sortOrder), a filter (filterBy, filterOp,
 * filterValue) and the fields to write (fields). Pure: no allocation, no database.
 *
 * The rules are docs/api.md's "List parameters": each parameter the service reads may
 * come once, names and values are form-decoded once, and the first parameter that fails,
 * in the order above, is the error answered.
 */
#ifndef PC_QUERY_H
#define PC_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "uri.h"

#define QUERY_COUNT_DEFAULT 20
#define QUERY_COUNT_MAX 5000
#define QUERY_START_MAX 5000
#define QUERY_NUM_MAX 32      /* a paging parameter longer than this is not a number */
#define QUERY_WORD_MAX 16     /* longest sortOrder, filterBy or filterOp worth reading */
#define QUERY_VALUE_MAX 8192  /* longest decoded filterValue */
#define QUERY_FIELDS_MAX 1024 /* longest decoded fields list */
#define QUERY_IN_MAX 100      /* values of one inArray filter */
#define QUERY_CONTAINS_MIN 3  /* shortest contains value: the trigram index needs 3 */
#define QUERY_DATE_MAX 64     /* longest RFC 3339 date-time read */

enum query_by {
	QUERY_BY_NONE, /* no filter */
	QUERY_BY_ID,
	QUERY_BY_PUBLISHED
};

enum query_op {
	QUERY_OP_CONTAINS, /* OpenSocial's default (equals for published) */
	QUERY_OP_EQUALS,
	QUERY_OP_STARTS, /* startsWith */
	QUERY_OP_GT,     /* greaterThan */
	QUERY_OP_LT,     /* lessThan */
	QUERY_OP_PRESENT,
	QUERY_OP_IN /* inArray */
};

/* The PhoneCall fields, as bits of query.fields, in the order they are written. */
enum query_field {
	QUERY_F_ID = 1 << 0,
	QUERY_F_EXTENSION = 1 << 1,
	QUERY_F_OWNER_ID = 1 << 2,
	QUERY_F_OWNER_NAME = 1 << 3,
	QUERY_F_ANSWERED = 1 << 4,
	QUERY_F_PUBLISHED = 1 << 5,
	QUERY_F_VIEWS = 1 << 6, /* phoneCallView */
	QUERY_F_LINK = 1 << 7
};
#define QUERY_F_ALWAYS (QUERY_F_ID | QUERY_F_LINK) /* a client addresses the call by them */
#define QUERY_F_ALL 0xffu

struct query {
	long long start, count;
	bool desc; /* sortOrder=descending */
	enum query_by by;
	enum query_op op;
	size_t nvals; /* values of the filter: 1, up to QUERY_IN_MAX (inArray), 0 (present) */
	char ids[QUERY_IN_MAX][URI_CALLID_MAX + 1]; /* by id */
	long long secs[QUERY_IN_MAX]; /* by published: whole seconds since 1970, UTC */
	unsigned fields;              /* QUERY_F_* to write; QUERY_F_ALWAYS always set */
};

/* The names of a filter's field and operation, as a client writes them (NULL for
 * QUERY_BY_NONE); the database layer passes them on as they are. */
const char *query_by_name(enum query_by by);
const char *query_op_name(enum query_op op);

/* Parses q[0..len) (no leading '?'). ERR_NONE and out, or the parameter's 400. */
enum err query_parse(const char *q, size_t len, struct query *out);

/*
 * An RFC 3339 date-time with an offset (Z or +hh:mm/-hh:mm; 'T', 't' or a blank between
 * date and time; a blank for the offset's '+', which a form-decoded '+' turns into) as
 * whole seconds since 1970-01-01T00:00:00Z, any fraction dropped. 0 or -1.
 */
int query_date(const char *s, size_t len, long long *secs);

#endif
