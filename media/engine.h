/*
 * engine.h - what the media adapter needs of a media engine: whether it is alive, and
 * to turn the capture of one call's audio on or off. One implementation per engine, each
 * in a file of its own (rtpengine.c: rtpengine's NG protocol); another engine (Asterisk's
 * ARI, FreeSWITCH's event socket) would be another file behind the same functions.
 *
 * A call is named by its SIP Call-ID. Capture is idempotent: turning on what captures, or
 * off what does not, changes nothing, so an event applied again after a crash leaves the
 * engine as it was.
 */
#ifndef PC_ENGINE_H
#define PC_ENGINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define ENGINE_ERR_MAX 200        /* longest error text kept (media_outcome.error) */
#define ENGINE_RECORDINGS_MAX 256 /* files of one call's recording handled */

enum engine_result {
	ENGINE_OK,      /* done, confirmed by the engine */
	ENGINE_NO_CALL, /* the engine does not carry the call (ended, or the engine restarted) */
	ENGINE_REFUSED, /* the engine answered with another error: retrying will not help */
	ENGINE_DOWN,    /* no answer in time, or no way to send: retry later */
};

struct engine;

/* An engine at addr (for rtpengine: its NG control address, "HOST:PORT"), whose
 * recordings are under dir (rtpengine's recording-dir). NULL with err set when addr is
 * unusable. Sends nothing yet. */
struct engine *engine_open(const char *addr, const char *dir, char *err, size_t errlen);
void engine_close(struct engine *e);

/* The engine's name for the heartbeat, e.g. "rtpengine 127.0.0.1:2223". */
const char *engine_name(const struct engine *e);

/* Whether the engine answers. ENGINE_OK or ENGINE_DOWN. */
enum engine_result engine_ping(struct engine *e, char *err, size_t errlen);

/* Captures the call's audio from now on (on) or no more (off). err gets the engine's
 * reason for anything but ENGINE_OK. */
enum engine_result engine_capture(struct engine *e, const char *call_id, bool on, char *err,
                                  size_t errlen);

/*
 * The files of the call's recording (one per time its capture was turned on), at most
 * max, into paths[0..*n). Returns 1 when the engine finished writing every one, 0 while
 * it still writes one, -1 (errno) when they cannot be listed.
 */
int engine_recording(struct engine *e, const char *call_id, char (*paths)[PATH_MAX], size_t max,
                     size_t *n);

/* Removes the call's recording (once everything made of it is made). */
void engine_recording_drop(struct engine *e, const char *call_id);

#endif
