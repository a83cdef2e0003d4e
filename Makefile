# Makefile - the PhoneCalls service.
#
#   make            build the worker (build/pc-worker), the event consumer
#                   (build/pc-events), the media adapter (build/pc-media), the SIP user
#                   agent (build/pc-ua) and the recordings tool (build/pc-wav); write
#                   nginx's own error answers (nginx/uapi-errors.conf) from src/render/err.c
#   make run        install what is missing, start PostgreSQL, the pool and nginx on
#                   127.0.0.1:8080 with demo data, print a curl of the seed's example;
#                   INSTANCES=N: N worker pools behind one nginx upstream;
#                   PGBOUNCER=all (or instance numbers): those pools through a PgBouncer
#                   in transaction pooling
#   make stop       stop what `make run` started
#   make call       a real SIP call through kamailio and rtpengine between demo
#                   extensions (FROM=0003*210, TO=5550100: the external agent), playing
#                   AUDIO (a tone per second) for SECONDS (30); prints the call's ids,
#                   the curls to stop and start its recording, then its WAVs
#   make lint       lint docs/openapi.yaml (@redocly/cli, pinned in docs/package.json)
#   make reference  the API reference nginx serves at /uapi/docs/ (build/docs)
#   make nginx-check  fail when nginx/uapi-errors.conf is not what src/render/err.c makes
#   make check      everything below that CI runs: nginx-check, the OpenAPI lint, unit
#                   tests, the integration suite on its own cluster, pool and nginx
#                   (quick fault runs and the reference page in Chromium included; every
#                   answer held to docs/openapi.yaml), the same suite with ASan/UBSan
#                   workers, valgrind, fuzz corpus replay and short runs
#   make check SAN=1  only the suite with workers and tests built with ASan and UBSan
#   make valgrind   a worker under valgrind memcheck, driven by 1,000 mixed requests,
#                   connected directly and then through PgBouncer
#   make faults     the fault runs under load, FAULT_ROUNDS (10) times each
#   make failover   two pools and a PostgreSQL that fails over (pg_auto_failover): a pool
#                   killed, the primary stopped, under load (FAULT_ROUNDS_FAILOVER, 1)
#   make fuzz       each libFuzzer target for FUZZ_TIME seconds (300)
#   make bench      the service against the database's limit (wrk, pgbench; BENCHMARKS.md);
#                   PC_BENCH_ORGS="1 10": the same with the users in 1, then 10 organizations
#   make bench-events  how long a committed change takes to reach a waiting event
#                   consumer (build/bench-events; BENCHMARKS.md)
#   make bench-media  the time from a StopRecording's 202 to the last packet recorded
#                   before the cut, on real calls, and the API's throughput with the media
#                   plane on and off (tools/bench-media; BENCHMARKS.md)
#   make bench-list the plan and time of every List filter form at 100,000 calls of one
#                   organization (BENCHMARKS.md)
#   make fresh      the two commands in a freshly debootstrapped Debian 12 (root, mirror)
#   make install    binaries, schema, nginx files, reference page, systemd units
#                   (PREFIX=/usr/local, DESTDIR; DEPLOYMENT.md)

CC      ?= cc
SAN     ?= 0
FAULT_ROUNDS ?= 10
FAULT_ROUNDS_FAILOVER ?= 1
FUZZ_TIME ?= 300
INSTANCES ?= 1
PGBOUNCER ?=
PKGS    := fcgi yajl libpq libcrypto
NPROC   := $(shell nproc 2>/dev/null || echo 1)
# CFLAGS/LDFLAGS are the user's (optimization, debug); the project's own flags are
# kept apart so that `make CFLAGS=...` cannot drop the standard or -Werror.
CFLAGS  ?= -O2 -g
# The library's layers (ARCHITECTURE.md), each a folder of src/; a header is named by
# its file name alone, so no two layers share one.
SRC_DIRS := $(sort $(dir $(wildcard src/*/*.c src/*/*.h)))
PCFLAGS := -std=c17 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           $(patsubst %/,-I%,$(SRC_DIRS)) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRITERION := $(shell pkg-config --libs criterion 2>/dev/null)

ifeq ($(SAN),1)
BUILD   := build/san
# the pass through PgBouncer, shortened: the pooled code paths, not every suite again;
# and left out of the first pass, for time, what the plain build's pass runs for its
# counts, its timing or a process killed outright, and which no code path of its own:
# the faults under load (the faults without load stay), two adapters at once, the
# adapter and rtpengine killed and restarted, a call never captured, pc-events killed,
# a pool passed over by nginx, the reference page in chromium
SAN_TESTS := PC_POOLED_TESTS='seed/*|recording/*|idem/*|oauth/*|tokens/*|pooler/*' \
	PC_ITEST_SKIP='faults/@(load_*|failover_*)|media/@(two_adapters_*|the_adapter_restarted_*|an_extension_without_*)|events/consumer_killed_*|instances/a_pool_down_*|docs/*_chromium'
PCFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
PCLDFLAGS := -fsanitize=address,undefined
else
BUILD   := build
PCLDFLAGS :=
endif
CCALL   = $(CC) $(PCFLAGS) $(CFLAGS)
LDALL   = $(PCLDFLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard src/*/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT    := $(wildcard tests/unit_*.c)
ITEST   := $(wildcard tests/it_*.c)
NGINX_ERRORS := nginx/uapi-errors.conf
# Each program's objects (the unit tests #include the .c files they test, so static
# functions stay testable).
WORKER_OBJ := $(BUILD)/obj/fcgi/main.o
# (src/common/consumer.c: the wait the two consumers of the event stream share)
EVENTS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,tools/pc-events.c src/common/consumer.c)
MEDIA_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,media/adapter.c media/rtpengine.c media/bencode.c \
	media/rec.c media/pcap.c media/wav49.c src/common/consumer.c)
WAV_OBJ    := $(patsubst %.c,$(BUILD)/obj/%.o,media/pc-wav.c media/rec.c media/pcap.c)
UA_OBJ     := $(patsubst %.c,$(BUILD)/obj/%.o,sip/ua.c sip/sipmsg.c sip/media.c)
BENCH_EVENTS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,tools/bench-events.c tools/bench-http.c)
BENCH_MEDIA_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,tools/bench-media.c tools/bench-http.c \
	media/pcap.c)
UNIT_OBJ   := $(UNIT:%.c=$(BUILD)/obj/%.o)
# (the error table too: tests/it_nginx.c holds nginx's own answers to it)
ITEST_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(ITEST) tests/http.c src/render/err.c \
	src/db/status.c)
NGINX_ERRORS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,tools/nginx-errors.c src/render/err.c)
ALL_OBJ    := $(sort $(LIB_OBJ) $(WORKER_OBJ) $(EVENTS_OBJ) $(MEDIA_OBJ) $(WAV_OBJ) $(UA_OBJ) \
	$(BENCH_EVENTS_OBJ) $(BENCH_MEDIA_OBJ) $(UNIT_OBJ) $(ITEST_OBJ) $(NGINX_ERRORS_OBJ))

.PHONY: all run stop call check suite unit itest valgrind faults fuzz bench bench-list bench-events \
	bench-media fresh \
	deps deps-check \
	clean format reference lint failover install nginx-check

all: $(BUILD)/pc-worker $(BUILD)/pc-events $(BUILD)/pc-media $(BUILD)/pc-ua $(BUILD)/pc-wav \
	$(NGINX_ERRORS)

# Every object, under $(BUILD)/obj/ by its source's path. -MMD -MP: the compiler also
# writes the files it included into a .d file beside the object, which make reads (below):
# an object is rebuilt when a header it includes changes, not when any does; -MP adds an
# empty rule per header, so that a header removed does not stop the build.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CCALL) -MMD -MP -c $< -o $@

-include $(ALL_OBJ:.o=.d)

# (made anew: an archive updated in place would keep the objects of removed sources)
$(BUILD)/libpc.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/pc-worker: $(WORKER_OBJ) $(BUILD)/libpc.a
	$(CCALL) $(LDALL) $^ $(LDLIBS) -o $@

# nginx's own error answers, from src/render/err.c (tools/nginx-errors.c). The file is
# committed: tools/stack, tools/tls and `make install` take nginx/uapi*.conf from the
# tree as they are, and a change of err.c shows what nginx will answer in the same diff.
# `make` writes it again when err.c or the pages change; nginx-check, run first by `make
# check`, fails when the committed file is not what they make.
$(BUILD)/nginx-errors: $(NGINX_ERRORS_OBJ)
	$(CCALL) $(LDALL) $^ -o $@

$(NGINX_ERRORS): $(BUILD)/nginx-errors
	$(BUILD)/nginx-errors >$@.new
	mv $@.new $@

nginx-check: $(BUILD)/nginx-errors
	@$(BUILD)/nginx-errors | diff -u $(NGINX_ERRORS) - || { \
		echo "$(NGINX_ERRORS) is not what src/render/err.c makes: run make, and commit it" >&2; \
		exit 1; }
	@echo "$(NGINX_ERRORS): as src/render/err.c makes it"

$(BUILD)/pc-events: $(EVENTS_OBJ)
	$(CCALL) $(LDALL) $^ $(LDLIBS) -o $@

# The event stream's load and clock (tools/bench-events): libc alone.
$(BUILD)/bench-events: $(BENCH_EVENTS_OBJ)
	$(CCALL) $(LDALL) $^ -o $@

# The recording cut's load and capture reader (tools/bench-media): libc and the pcap reader.
$(BUILD)/bench-media: $(BENCH_MEDIA_OBJ)
	$(CCALL) $(LDALL) $^ -o $@

# The SIP user agent of the tests, the benchmark and `make call` (sip/ua.c): libc alone.
$(BUILD)/pc-ua: $(UA_OBJ)
	$(CCALL) $(LDALL) $^ -o $@

# The media adapter (media/adapter.c): libpq, the engine behind media/engine.h
# (rtpengine's NG protocol), the recordings into WAVs.
$(BUILD)/pc-media: $(MEDIA_OBJ)
	$(CCALL) $(LDALL) $^ $(LDLIBS) -lgsm -o $@

# One view's WAV from rtpengine's pcap recordings (media/rec.h): libc alone.
$(BUILD)/pc-wav: $(WAV_OBJ)
	$(CCALL) $(LDALL) $^ -o $@

$(BUILD)/unit: $(UNIT_OBJ) $(BUILD)/libpc.a
	$(CCALL) $(LDALL) $^ $(LDLIBS) -lgsm -lm $(CRITERION) -o $@

$(BUILD)/itest: $(ITEST_OBJ)
	$(CCALL) $(LDALL) $^ $(LDLIBS) $(CRITERION) -o $@

deps:
	PC_PGBOUNCER='$(PGBOUNCER)' tools/stack deps

deps-check:
	tools/stack deps check

# The npm tools of docs/package.json (the OpenAPI lint, the response validation and
# Swagger UI), exactly as docs/package-lock.json pins them; no install script runs.
NPM_STAMP := docs/node_modules/.package-lock.json
$(NPM_STAMP): docs/package.json docs/package-lock.json
	cd docs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# The API reference nginx serves at /uapi/docs/: Swagger UI and docs/openapi.yaml.
REF_UI  := swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE
build/docs/index.html: docs/openapi.yaml $(wildcard docs/reference/*) $(NPM_STAMP)
	rm -rf build/docs
	mkdir -p build/docs
	cp $(REF_UI:%=docs/node_modules/swagger-ui-dist/%) docs/openapi.yaml build/docs/
	cp docs/reference/* build/docs/

reference: build/docs/index.html

# docs/openapi.yaml against OpenAPI 3.1 and the rules of docs/redocly.yaml.
lint: $(NPM_STAMP)
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		docs/node_modules/.bin/redocly lint --config docs/redocly.yaml docs/openapi.yaml

run: deps
	$(MAKE) all reference
	PC_INSTANCES=$(INSTANCES) PC_PGBOUNCER='$(PGBOUNCER)' tools/stack up
	@tools/demo-curl

stop:
	tools/stack down

# A real SIP call through the media plane `make run` started (tools/call).
FROM    ?= 0003*210
TO      ?= 5550100
SECONDS ?= 30
AUDIO   ?=
call: build/pc-ua
	@PC_CALL_FROM='$(FROM)' PC_CALL_TO='$(TO)' PC_CALL_SECONDS='$(SECONDS)' \
		PC_CALL_AUDIO='$(AUDIO)' tools/call

unit: $(BUILD)/unit
	$(BUILD)/unit

# The unit tests and the integration suite, with this build (SAN=1: sanitizers).
suite: deps-check nginx-check
	$(MAKE) -j$(NPROC) $(BUILD)/pc-worker $(BUILD)/pc-events $(BUILD)/pc-media $(BUILD)/pc-ua \
		$(BUILD)/pc-wav $(BUILD)/unit $(BUILD)/itest reference
	$(BUILD)/unit
	PC_WORKER=$(CURDIR)/$(BUILD)/pc-worker PC_EVENTS=$(CURDIR)/$(BUILD)/pc-events \
		PC_MEDIA_ADAPTER=$(CURDIR)/$(BUILD)/pc-media PC_UA=$(CURDIR)/$(BUILD)/pc-ua \
		PC_WAV=$(CURDIR)/$(BUILD)/pc-wav \
		PC_ITEST=$(CURDIR)/$(BUILD)/itest $(SAN_TESTS) tools/check

ifeq ($(SAN),1)
check: suite
else
check: deps-check
	@date -u +'== %T nginx answers'
	$(MAKE) nginx-check
	@date -u +'== %T lint'
	$(MAKE) lint
	@date -u +'== %T suite'
	$(MAKE) suite
	@date -u +'== %T suite with sanitizers'
	$(MAKE) suite SAN=1
	@date -u +'== %T valgrind'
	$(MAKE) valgrind
	@date -u +'== %T fuzz corpora'
	tools/fuzz check
	@date -u +'== %T done'
endif

# Direct, then behind a PgBouncer in transaction pooling (the worker's two ways to the
# database).
valgrind: deps
	PC_PGBOUNCER=all tools/stack deps
	$(MAKE) all
	PC_WORKER=$(CURDIR)/build/pc-worker tools/valgrind
	PC_WORKER=$(CURDIR)/build/pc-worker PC_PGBOUNCER=all tools/valgrind

faults: deps
	$(MAKE) $(BUILD)/pc-worker $(BUILD)/itest
	PC_WORKER=$(CURDIR)/$(BUILD)/pc-worker PC_ITEST=$(CURDIR)/$(BUILD)/itest \
	PC_FAULT_ROUNDS=$(FAULT_ROUNDS) PC_ITEST_ARGS='--filter faults/*' PC_OPENAPI_CHECK=0 \
	PC_POOLED_PASS=0 \
	tools/check

# Two pools and a PostgreSQL that fails over (pg_auto_failover): a pool killed, then
# the primary stopped, under load; counts and times printed (tools/failover).
failover: deps
	$(MAKE) $(BUILD)/pc-worker $(BUILD)/itest
	PC_WORKER=$(CURDIR)/$(BUILD)/pc-worker PC_ITEST=$(CURDIR)/$(BUILD)/itest \
	PC_FAULT_ROUNDS=$(FAULT_ROUNDS_FAILOVER) tools/failover

fuzz:
	tools/fuzz run $(FUZZ_TIME)

bench: deps
	$(MAKE) all
	PC_WORKER=$(CURDIR)/build/pc-worker tools/bench

bench-list: deps
	$(MAKE) all
	PC_WORKER=$(CURDIR)/build/pc-worker tools/bench-list

bench-events: deps
	$(MAKE) all build/bench-events
	PC_WORKER=$(CURDIR)/build/pc-worker PC_EVENTS=$(CURDIR)/build/pc-events \
		PC_BENCH_EVENTS=$(CURDIR)/build/bench-events tools/bench-events

bench-media: deps
	$(MAKE) all build/bench-media
	PC_WORKER=$(CURDIR)/build/pc-worker PC_MEDIA_ADAPTER=$(CURDIR)/build/pc-media \
		PC_UA=$(CURDIR)/build/pc-ua PC_BENCH_MEDIA=$(CURDIR)/build/bench-media tools/bench-media

fresh:
	tools/fresh

# What a host needs (DEPLOYMENT.md): the binaries, the schema and its migration tool,
# the nginx files, the reference page, the systemd units. DESTDIR for packaging.
PREFIX  ?= /usr/local
SHARE   := $(DESTDIR)$(PREFIX)/share/phonecalls
install: all reference
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/schema $(SHARE)/tools $(SHARE)/nginx \
		$(SHARE)/docs $(SHARE)/systemd $(DESTDIR)/usr/share/doc/phonecalls
	install -m 755 build/pc-worker build/pc-events build/pc-media build/pc-wav \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 644 schema/*.sql $(SHARE)/schema/
	install -d $(SHARE)/schema/functions
	install -m 644 schema/functions/*.sql $(SHARE)/schema/functions/
	install -d $(SHARE)/media
	install -m 644 sip/kamailio.cfg.in media/rtpengine.conf.in $(SHARE)/media/
	install -m 755 tools/migrate tools/apps $(SHARE)/tools/
	install -m 644 nginx/uapi*.conf nginx/production*.conf $(SHARE)/nginx/
	install -m 644 build/docs/* $(SHARE)/docs/
	install -m 644 tools/systemd/* $(SHARE)/systemd/
	install -m 644 DEPLOYMENT.md README.md docs/api.md $(DESTDIR)/usr/share/doc/phonecalls/

format:
	clang-format -i src/*/*.c src/*/*.h fcgi/*.c sip/*.c sip/*.h media/*.c media/*.h tests/*.c tests/*.h $(wildcard fuzz/*.c)

# (the objects' dependency files with them)
clean:
	rm -rf build
