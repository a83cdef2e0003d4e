/*
 * handlers.h - the handlers the route table (route.c) names, one operation each. A
 * handler gets the request, the captures of its path and the worker's services, and
 * builds the whole answer in rs.
 */
#ifndef PC_HANDLERS_H
#define PC_HANDLERS_H

#include "route.h"

route_handler h_health;     /* GET /uapi/health[/N] (h_health.c) */
route_handler h_metrics;    /* GET /uapi/metrics[/N] (h_metrics.c) */
route_handler h_token;      /* POST /oauth/token.php (h_token.c) */
route_handler h_calls_list; /* GET /uapi/phoneCalls/{userId}/{extension} (h_phonecalls.c) */
route_handler h_call_get;   /* GET .../{phoneCallId} (h_phonecalls.c) */
route_handler h_call_put;   /* PUT .../{phoneCallId}: Stop/StartRecording (h_phonecalls.c) */

#endif
