/* unit_status.c - the database's statuses and the answers they get (src/db/status.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "status.h"

Test(status, each_label_its_answer)
{
	static const struct {
		const char *label;
		enum err want;
	} v[] = {
	    {"ok", ERR_NONE},
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

	cr_assert_eq(status_count, sizeof(v) / sizeof(*v), "one row per status");
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		cr_assert_eq(status_err(v[i].label, strlen(v[i].label)), v[i].want, "%s",
		             v[i].label);
}

/* An invalid token is a 401, never the 403 that shares its contract code. */
Test(status, token_is_401)
{
	cr_assert_eq(err_info(status_err("token_invalid", 13))->status, 401);
}

Test(status, labels_are_distinct_and_ok_first)
{
	cr_assert_str_eq(status_table[0].label, "ok");
	for (size_t i = 0; i < status_count; i++) {
		cr_assert_neq(status_table[i].err, ERR_INTERNAL, "%s", status_table[i].label);
		for (size_t j = i + 1; j < status_count; j++)
			cr_assert_str_neq(status_table[i].label, status_table[j].label);
	}
}

/* The contract's codes are not statuses, and nothing near a label is one. */
Test(status, others_are_internal)
{
	static const char *const other[] = {
	    "",  "access_denied", "pc_phonecall_invalid", "invalid_client", "OK", "ok ", " ok",
	    "o", "okk",           "token_invalid\n",      "Token_invalid",
	};

	for (size_t i = 0; i < sizeof(other) / sizeof(*other); i++)
		cr_assert_eq(status_err(other[i], strlen(other[i])), ERR_INTERNAL, "\"%s\"",
		             other[i]);
	/* length bounds the comparison: a prefix of a label is not that label */
	cr_assert_eq(status_err("okay", 2), ERR_NONE);
	cr_assert_eq(status_err("token_invalid", 5), ERR_INTERNAL);
}
