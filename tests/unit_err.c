/* unit_err.c - tests of src/render/err.c: the error table against the contract, codes, reasons. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/render/err.c"

/* The contract's error table (api.md section 2), and the token endpoint's, written out. */
static const struct {
	enum err e;
	int status;
	const char *code;
	const char *reason;
} contract[] = {
    {ERR_PHONECALL_INVALID, 400, "pc_phonecall_invalid", "Bad Request"},
    {ERR_PHONECALLVIEW_INVALID, 400, "pc_phonecallview_invalid", "Bad Request"},
    {ERR_ACTION_INVALID, 400, "pc_action_invalid", "Bad Request"},
    {ERR_FORMAT_INVALID, 400, "pc_format_invalid", "Bad Request"},
    {ERR_RECORDING_DISABLED, 400, "pc_recording_disabled", "Bad Request"},
    {ERR_USER_INVALID, 400, "user_invalid", "Bad Request"},
    {ERR_EXTENSION_INVALID, 400, "extension_invalid", "Bad Request"},
    {ERR_JSON_INVALID, 400, "json_invalid", "Bad Request"},
    {ERR_STARTINDEX_INVALID, 400, "startindex_invalid", "Bad Request"},
    {ERR_COUNT_INVALID, 400, "count_invalid", "Bad Request"},
    {ERR_SORTORDER_INVALID, 400, "sortorder_invalid", "Bad Request"},
    {ERR_FILTERBY_INVALID, 400, "filterby_invalid", "Bad Request"},
    {ERR_FILTEROP_INVALID, 400, "filterop_invalid", "Bad Request"},
    {ERR_FILTERVALUE_INVALID, 400, "filtervalue_invalid", "Bad Request"},
    {ERR_FIELDS_INVALID, 400, "fields_invalid", "Bad Request"},
    {ERR_REQUEST_INVALID, 400, "request_invalid", "Bad Request"},
    {ERR_UNAUTHORIZED, 401, "access_denied", "Unauthorized"},
    {ERR_FORBIDDEN, 403, "access_denied", "Forbidden"},
    {ERR_NOT_FOUND, 404, "resource_not_found", "Not Found"},
    {ERR_METHOD, 405, "method_not_allowed", "Method Not Allowed"},
    {ERR_TOO_LARGE, 413, "request_too_large", "Payload Too Large"},
    {ERR_CONTENT_TYPE, 415, "content_type_invalid", "Unsupported Media Type"},
    {ERR_INTERNAL, 500, "internal_server_error", "Internal Server Error"},
    {ERR_NOT_IMPLEMENTED, 501, "request_not_implemented", "Not Implemented"},
    {ERR_UNAVAILABLE, 503, "service_unavailable", "Service Unavailable"},
    /* the token endpoint's, RFC 6749 section 5.2 */
    {ERR_OAUTH_REQUEST, 400, "invalid_request", "Bad Request"},
    {ERR_OAUTH_CLIENT, 401, "invalid_client", "Unauthorized"},
    {ERR_OAUTH_GRANT, 400, "unsupported_grant_type", "Bad Request"},
    {ERR_OAUTH_SCOPE, 400, "invalid_scope", "Bad Request"},
    /* Idempotency-Key (api.md section 6) */
    {ERR_IDEM_CONFLICT, 409, "idempotency_key_conflict", "Conflict"},
    {ERR_TOO_MANY, 429, "too_many_requests", "Too Many Requests"},
};

#define NCONTRACT (sizeof(contract) / sizeof(*contract))

Test(err, table_matches_contract)
{
	cr_assert_eq(NCONTRACT, (size_t)ERR__MAX - 1, "every error but ERR_NONE is listed here");
	for (size_t i = 0; i < NCONTRACT; i++) {
		const struct err_info *ei = err_info(contract[i].e);
		cr_assert_eq((int)contract[i].e, (int)i + 1, "enum order at %s", contract[i].code);
		cr_assert_eq(ei->status, contract[i].status, "%s: status %d, want %d",
		             contract[i].code, ei->status, contract[i].status);
		cr_assert_str_eq(ei->code, contract[i].code, "error %d: code", (int)contract[i].e);
		cr_assert_str_eq(ei->reason, contract[i].reason, "%s: reason", contract[i].code);
	}
}

Test(err, every_error_complete)
{
	for (int e = ERR_NONE + 1; e < ERR__MAX; e++) {
		const struct err_info *ei = err_info((enum err)e);
		cr_assert_not_null(ei, "error %d: info", e);
		cr_assert(ei->status >= 400 && ei->status <= 599, "error %d: status %d", e,
		          ei->status);
		cr_assert_not_null(ei->code, "error %d: code", e);
		cr_assert_gt(strlen(ei->code), (size_t)0, "error %d: empty code", e);
		cr_assert_not_null(ei->message, "error %d: message", e);
		cr_assert_gt(strlen(ei->message), (size_t)0, "error %d: empty message", e);
		cr_assert_not_null(ei->reason, "error %d: reason", e);
		cr_assert_gt(strlen(ei->reason), (size_t)0, "error %d: empty reason", e);
		/* Codes are snake_case; messages are plain text that needs no JSON escaping. */
		for (const char *c = ei->code; *c; c++)
			cr_assert((*c >= 'a' && *c <= 'z') || *c == '_', "error %d: code \"%s\"", e,
			          ei->code);
		for (const char *c = ei->message; *c; c++)
			cr_assert(*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\',
			          "error %d: message character %d", e, *c);
	}
}

Test(err, none)
{
	const struct err_info *ei = err_info(ERR_NONE);

	cr_assert_eq(ei->status, 200, "ERR_NONE is 200");
	cr_assert_str_eq(ei->reason, "OK", "ERR_NONE reason");
	cr_assert_not_null(ei->code, "ERR_NONE code");
	cr_assert_not_null(ei->message, "ERR_NONE message");
}

Test(err, out_of_range_is_internal)
{
	const struct err_info *in = err_info(ERR_INTERNAL);

	cr_assert_eq(in->status, 500, "internal");
	cr_assert_eq(err_info(ERR__MAX), in, "ERR__MAX");
	cr_assert_eq(err_info((enum err)(ERR__MAX + 1)), in, "ERR__MAX + 1");
	cr_assert_eq(err_info((enum err)1000), in, "1000");
	cr_assert_eq(err_info((enum err) - 1), in, "-1");
	cr_assert_eq(err_info((enum err)0x7fffffff), in, "INT_MAX");
}

Test(err, reason)
{
	static const struct {
		int status;
		const char *reason;
	} v[] = {
	    {200, "OK"},
	    {202, "Accepted"},
	    {204, "No Content"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {413, "Payload Too Large"},
	    {415, "Unsupported Media Type"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {503, "Service Unavailable"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		cr_assert_str_eq(err_reason(v[i].status), v[i].reason, "reason of %d", v[i].status);
	for (int e = ERR_NONE + 1; e < ERR__MAX; e++)
		cr_assert_str_eq(err_reason(err_info((enum err)e)->status),
		                 err_info((enum err)e)->reason, "reason of error %d", e);
	cr_assert_str_eq(err_reason(0), "Unknown", "0");
	cr_assert_str_eq(err_reason(201), "Unknown", "201 is never emitted");
	cr_assert_str_eq(err_reason(999), "Unknown", "999");
	cr_assert_str_eq(err_reason(-1), "Unknown", "-1");
}
