/*
 * status.c - the database's statuses and their answers (status.h).
 */
#include <string.h>

#include "status.h"

const struct status status_table[] = {
    {"ok", ERR_NONE},
    /* whatever else a request function finds, an invalid token is found first */
    {"token_invalid", ERR_UNAUTHORIZED},
    {"user_unknown", ERR_USER_INVALID},
    {"extension_unknown", ERR_EXTENSION_INVALID},
    {"call_unknown", ERR_PHONECALL_INVALID},
    {"view_unknown", ERR_PHONECALLVIEW_INVALID},
    {"format_missing", ERR_FORMAT_INVALID},
    {"not_on_demand", ERR_RECORDING_DISABLED},
    {"media_down", ERR_UNAVAILABLE},
    {"key_conflict", ERR_IDEM_CONFLICT},
    {"filter_op_unfit", ERR_FILTEROP_INVALID},
    {"filter_value_unfit", ERR_FILTERVALUE_INVALID},
    {"client_refused", ERR_OAUTH_CLIENT},
};
const size_t status_count = sizeof(status_table) / sizeof(*status_table);

enum err status_err(const char *label, size_t len)
{
	for (size_t i = 0; i < status_count; i++)
		if (strlen(status_table[i].label) == len &&
		    memcmp(status_table[i].label, label, len) == 0)
			return status_table[i].err;
	return ERR_INTERNAL;
}
