/*
 * mtype.h - the media type of a Content-Type header (RFC 9110, 8.3.1): its type/subtype
 * and its charset parameter, the one parser of the JSON and the form endpoints.
 */
#ifndef PC_MTYPE_H
#define PC_MTYPE_H

#include <stdbool.h>
#include <stddef.h>

struct mtype {
	const char *type; /* type/subtype as sent (compare case-insensitively) */
	size_t type_len;
	bool params_ok;     /* the parameters, if any, are well-formed */
	bool charset_other; /* a charset parameter names other than UTF-8 */
};

/* Parses the header value ct (NUL-terminated; NULL: no header). 0 and out, or -1 when
 * it is no media type: none, or anything but parameters after it. */
int mtype_parse(const char *ct, struct mtype *out);

/* Whether m's type/subtype is want (lower case), ignoring case. */
bool mtype_is(const struct mtype *m, const char *want);

/* The two bodies the service reads. JSON in UTF-8: application/json, well-formed
 * parameters, no charset but UTF-8 (the PhoneCalls PUT). A form: the form type, whatever
 * its parameters (the token endpoint: the values it reads are ASCII). */
bool mtype_json(const char *ct);
bool mtype_form(const char *ct);

#endif
