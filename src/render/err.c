/*
 * err.c - the table of every error: HTTP status, contract code, message.
 * Messages never carry request data, SQL or internals; they are the same for every
 * client, so an answer cannot tell one tenant's ids from unknown ones.
 */

#include "err.h"

static const struct err_info table[ERR__MAX] = {
    [ERR_NONE] = {200, "OK", "", ""},
    [ERR_PHONECALL_INVALID] = {400, "Bad Request", "pc_phonecall_invalid",
                               "The phoneCallId in the URI fragment is invalid or does not "
                               "reference an existing phone call."},
    [ERR_PHONECALLVIEW_INVALID] = {400, "Bad Request", "pc_phonecallview_invalid",
                                   "The phoneCallViewId is missing or invalid, or does not "
                                   "reference a view of the phone call."},
    [ERR_ACTION_INVALID] = {400, "Bad Request", "pc_action_invalid",
                            "The action is missing, not a string, or unknown."},
    [ERR_FORMAT_INVALID] = {400, "Bad Request", "pc_format_invalid",
                            "The recording format must be wav or wav49."},
    [ERR_RECORDING_DISABLED] = {400, "Bad Request", "pc_recording_disabled",
                                "Call recording on demand (*1) is not enabled for the "
                                "extension of this phone call view."},
    [ERR_USER_INVALID] = {400, "Bad Request", "user_invalid",
                          "The userId in the URI fragment is invalid or unknown."},
    [ERR_EXTENSION_INVALID] = {400, "Bad Request", "extension_invalid",
                               "The extension in the URI fragment is invalid, unknown, or "
                               "does not belong to the user."},
    [ERR_JSON_INVALID] = {400, "Bad Request", "json_invalid",
                          "The request body is not one well-formed JSON object."},
    [ERR_STARTINDEX_INVALID] = {400, "Bad Request", "startindex_invalid",
                                "startIndex must be a whole number from 0 to 5000."},
    [ERR_COUNT_INVALID] = {400, "Bad Request", "count_invalid",
                           "count must be a whole number from 1 to 5000."},
    [ERR_SORTORDER_INVALID] = {400, "Bad Request", "sortorder_invalid",
                               "sortOrder must be ascending or descending."},
    [ERR_FILTERBY_INVALID] = {400, "Bad Request", "filterby_invalid",
                              "filterBy must be id or published, and is required with "
                              "filterOp or filterValue."},
    [ERR_FILTEROP_INVALID] = {400, "Bad Request", "filterop_invalid",
                              "filterOp must be equals, contains, startsWith, greaterThan, "
                              "lessThan, present or inArray; published takes neither "
                              "contains nor startsWith."},
    [ERR_FILTERVALUE_INVALID] = {400, "Bad Request", "filtervalue_invalid",
                                 "filterValue is missing or invalid: a phoneCallId for id "
                                 "(at least 3 characters for contains), an RFC 3339 "
                                 "date-time with an offset for published, or a "
                                 "comma-separated list of 1 to 100 of them for inArray."},
    [ERR_FIELDS_INVALID] = {400, "Bad Request", "fields_invalid",
                            "fields must be a comma-separated list of PhoneCall field "
                            "names: id, extension, ownerId, ownerName, answered, published, "
                            "phoneCallView, link."},
    [ERR_REQUEST_INVALID] = {400, "Bad Request", "request_invalid",
                             "The HTTP request is malformed."},
    [ERR_UNAUTHORIZED] = {401, "Unauthorized", "access_denied",
                          "A valid access token is required."},
    [ERR_FORBIDDEN] = {403, "Forbidden", "access_denied",
                       "The App's account may not use PhoneCalls."},
    [ERR_NOT_FOUND] = {404, "Not Found", "resource_not_found", "No resource matches the request."},
    [ERR_METHOD] = {405, "Method Not Allowed", "method_not_allowed",
                    "The method is not allowed on this resource."},
    [ERR_TOO_LARGE] = {413, "Payload Too Large", "request_too_large",
                       "The request body exceeds 16 KiB."},
    [ERR_CONTENT_TYPE] = {415, "Unsupported Media Type", "content_type_invalid",
                          "The request body must be application/json in UTF-8."},
    [ERR_INTERNAL] = {500, "Internal Server Error", "internal_server_error",
                      "An internal error occurred."},
    [ERR_NOT_IMPLEMENTED] = {501, "Not Implemented", "request_not_implemented",
                             "This action is not implemented."},
    [ERR_UNAVAILABLE] = {503, "Service Unavailable", "service_unavailable",
                         "The service is temporarily unavailable; retry later."},
    [ERR_OAUTH_REQUEST] = {400, "Bad Request", "invalid_request",
                           "The request must be a POST of an "
                           "application/x-www-form-urlencoded body with grant_type, once "
                           "each parameter, and one way of client authentication."},
    [ERR_OAUTH_CLIENT] = {401, "Unauthorized", "invalid_client",
                          "Client authentication failed: unknown or revoked client, or "
                          "wrong secret."},
    [ERR_OAUTH_GRANT] = {400, "Bad Request", "unsupported_grant_type",
                         "Only grant_type=client_credentials (type=unifiedapi) is "
                         "supported."},
    [ERR_OAUTH_SCOPE] = {400, "Bad Request", "invalid_scope",
                         "This server defines no scopes: a token acts in its App's whole "
                         "context. Omit scope."},
    [ERR_IDEM_CONFLICT] = {409, "Conflict", "idempotency_key_conflict",
                           "The Idempotency-Key was already used with another request."},
    [ERR_TOO_MANY] = {429, "Too Many Requests", "too_many_requests",
                      "Too many requests; retry later."},
};

const struct err_info *err_info(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		e = ERR_INTERNAL;
	return &table[e];
}

const char *err_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	}
	for (int e = ERR_NONE + 1; e < ERR__MAX; e++)
		if (table[e].status == status)
			return table[e].reason;
	return "Unknown";
}
