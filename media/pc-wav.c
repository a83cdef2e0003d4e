/*
 * pc-wav.c - one view's WAV from rtpengine's pcap recordings of a call (rec.h), for
 * operators and tests:
 *
 *   pc-wav -o out.wav [-j out.json] [-i FROM_US-TO_US ...] file.pcap...
 *
 * Each -i is a recorded interval of the view, capture times in microseconds since the
 * epoch, FROM_US included, TO_US not; without any, every packet counts. The counts go
 * to standard error. Exit status: 0 done, 1 failed, 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rec.h"

#define USAGE "usage: pc-wav -o out.wav [-j out.json] [-i FROM_US-TO_US ...] file.pcap...\n"

int main(int argc, char **argv)
{
	static const struct rec_interval all = {INT64_MIN, INT64_MAX};
	struct rec_interval *iv = NULL;
	const char *wav = NULL, *json = NULL;
	struct rec_stats st;
	size_t niv = 0;
	int c, rc = 1;

	if (!(iv = calloc((size_t)argc, sizeof(*iv)))) {
		fprintf(stderr, "pc-wav: out of memory\n");
		return 1;
	}
	while ((c = getopt(argc, argv, "o:j:i:")) != -1) {
		switch (c) {
		case 'o':
			wav = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'i':
			if (rec_interval_parse(optarg, &iv[niv]) < 0) {
				fprintf(stderr,
				        "pc-wav: -i %s: want FROM_US-TO_US, FROM_US < TO_US\n",
				        optarg);
				rc = 2;
				goto err;
			}
			niv++;
			break;
		default:
			fputs(USAGE, stderr);
			rc = 2;
			goto err;
		}
	}
	if (!wav || optind == argc) {
		fputs(USAGE, stderr);
		rc = 2;
		goto err;
	}
	if (rec_view_wav((const char *const *)argv + optind, (size_t)(argc - optind),
	                 niv ? iv : &all, niv ? niv : 1, wav, json, &st) < 0) {
		fprintf(stderr, "pc-wav: %s\n", st.error);
		goto err;
	}
	fprintf(stderr,
	        "pc-wav: %s: %" PRIu64 " samples, %zu streams; records %" PRIu64 ": mixed %" PRIu64
	        ", outside %" PRIu64 ", other payload type %" PRIu64 ", rtcp %" PRIu64
	        ", not rtp %" PRIu64 ", not udp %" PRIu64 ", truncated %" PRIu64
	        ", duplicate %" PRIu64 ", late %" PRIu64 ", dropped %" PRIu64
	        "; corrupt files %" PRIu64 ", re-anchored %" PRIu64 "\n",
	        wav, st.samples, st.streams, st.records, st.mixed, st.outside, st.other_pt, st.rtcp,
	        st.not_rtp, st.not_udp, st.truncated, st.duplicate, st.late, st.dropped, st.corrupt,
	        st.reanchors);
	rc = 0;
err:
	free(iv);
	return rc;
}
