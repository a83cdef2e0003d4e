/*
 * err.h - every error the service can answer, with its HTTP status, contract code and
 * human-readable message. One enum, one table (err.c): nothing else invents an error.
 */
#ifndef PC_ERR_H
#define PC_ERR_H

enum err {
	ERR_NONE = 0,
	ERR_PHONECALL_INVALID,     /* 400 pc_phonecall_invalid */
	ERR_PHONECALLVIEW_INVALID, /* 400 pc_phonecallview_invalid */
	ERR_ACTION_INVALID,        /* 400 pc_action_invalid */
	ERR_FORMAT_INVALID,        /* 400 pc_format_invalid */
	ERR_RECORDING_DISABLED,    /* 400 pc_recording_disabled */
	ERR_USER_INVALID,          /* 400 user_invalid */
	ERR_EXTENSION_INVALID,     /* 400 extension_invalid */
	ERR_JSON_INVALID,          /* 400 json_invalid */
	ERR_STARTINDEX_INVALID,    /* 400 startindex_invalid */
	ERR_COUNT_INVALID,         /* 400 count_invalid */
	ERR_SORTORDER_INVALID,     /* 400 sortorder_invalid */
	ERR_FILTERBY_INVALID,      /* 400 filterby_invalid */
	ERR_FILTEROP_INVALID,      /* 400 filterop_invalid */
	ERR_FILTERVALUE_INVALID,   /* 400 filtervalue_invalid */
	ERR_FIELDS_INVALID,        /* 400 fields_invalid */
	ERR_REQUEST_INVALID,       /* 400 request_invalid */
	ERR_UNAUTHORIZED,          /* 401 access_denied */
	ERR_FORBIDDEN,             /* 403 access_denied */
	ERR_NOT_FOUND,             /* 404 resource_not_found */
	ERR_METHOD,                /* 405 method_not_allowed */
	ERR_TOO_LARGE,             /* 413 request_too_large */
	ERR_CONTENT_TYPE,          /* 415 content_type_invalid */
	ERR_INTERNAL,              /* 500 internal_server_error */
	ERR_NOT_IMPLEMENTED,       /* 501 request_not_implemented */
	ERR_UNAVAILABLE,           /* 503 service_unavailable */
	/* The token endpoint's own errors (RFC 6749 section 5.2), in OAuth's form. */
	ERR_OAUTH_REQUEST, /* 400 invalid_request */
	ERR_OAUTH_CLIENT,  /* 401 invalid_client */
	ERR_OAUTH_GRANT,   /* 400 unsupported_grant_type */
	ERR_OAUTH_SCOPE,   /* 400 invalid_scope */
	ERR_IDEM_CONFLICT, /* 409 idempotency_key_conflict */
	ERR_TOO_MANY,      /* 429 too_many_requests: repeated authentication failures */
	ERR__MAX
};

struct err_info {
	int status;          /* HTTP status */
	const char *reason;  /* HTTP reason phrase */
	const char *code;    /* contract error code */
	const char *message; /* human-readable message, safe to show to any client */
};

/* Never NULL: an out-of-range value maps to ERR_INTERNAL. */
const struct err_info *err_info(enum err e);

/* The reason phrase of a success or error status the service emits. */
const char *err_reason(int status);

#endif
