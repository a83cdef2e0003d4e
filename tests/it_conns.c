/* it_conns.c - nginx keeps its FastCGI connections open: they are reused, bounded per
 * worker, and more of them than the workers can hold still get every request answered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

#define WORKER_CONNS 16 /* CONN_MAX of fcgi/main.c: connections one worker holds */
#define WORKERS_MAX 64
#define EXTRA_CLIENTS 40 /* clients beyond what the workers can hold */
#define ROUNDS 3         /* requests per client */
#define LINE_MAX 512

TestSuite(conns, .init = it_restore_demo, .timeout = 120);

/* Connections the workers hold now: the accepted (connected, St 03) sockets that carry
 * a pool's socket path ($PC_VAR/run/pc.sock, pc-2.sock, ...) in /proc/net/unix. */
static int held(void)
{
	char sock[LINE_MAX], line[LINE_MAX];
	size_t plen;
	int n = 0;
	FILE *f;

	snprintf(sock, sizeof(sock), "%s/run/pc", it_env("PC_VAR"));
	plen = strlen(sock);
	f = fopen("/proc/net/unix", "r");
	cr_assert(f != NULL, "cannot read /proc/net/unix");
	while (fgets(line, sizeof(line), f) != NULL) {
		char st[8], path[LINE_MAX];
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %*s %*s %7s %*s %511s", st, path) == 2 &&
		    strcmp(st, "03") == 0 && strncmp(path, sock, plen) == 0 && strlen(path) > 5 &&
		    strcmp(path + strlen(path) - 5, ".sock") == 0)
			n++;
	}
	fclose(f);
	return n;
}

Test(conns, kept_connections_are_reused)
{
	struct http_resp r;
	int first, then;

	for (int i = 0; i < 40; i++) {
		it_get(&r, TOK_U12, P_LIST210);
		it_assert_status(&r, 200, "list");
		http_free(&r);
	}
	first = held();
	cr_assert(first >= 1, "no connection to the workers is kept open after 40 requests");
	for (int i = 0; i < 40; i++) {
		it_get(&r, TOK_U12, P_LIST210);
		it_assert_status(&r, 200, "list");
		http_free(&r);
	}
	then = held();
	cr_expect(then <= first, "40 requests one after another opened %d new connections",
	          then - first);
}

struct client {
	pthread_barrier_t *go;
	int status[ROUNDS]; /* -1: no answer */
};

/* One client: wait for the others, then StopRecording ROUNDS times. No asserts here. */
static void *client_run(void *arg)
{
	static const char body[] = "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}";
	struct client *c = arg;
	struct http_resp r;

	pthread_barrier_wait(c->go);
	for (int i = 0; i < ROUNDS; i++) {
		c->status[i] = -1;
		if (http_send(&r, "PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, body,
		              sizeof(body) - 1) == 0) {
			c->status[i] = r.status;
			http_free(&r);
		}
	}
	return NULL;
}

/* More requests at once than all workers together keep connections for: the workers
 * close their least recently used ones to take new ones, and nginx sends again what it
 * had sent on a connection closed under it. Every request is answered, once. */
Test(conns, more_connections_than_workers_hold)
{
	long before[WORKERS_MAX], after[WORKERS_MAX];
	size_t nw = it_worker_pids(before, WORKERS_MAX);
	int clients = (int)nw * WORKER_CONNS + EXTRA_CLIENTS, started = 0, answered = 0;
	pthread_t *t = calloc((size_t)clients, sizeof(*t));
	struct client *c = calloc((size_t)clients, sizeof(*c));
	pthread_barrier_t go;
	long long mark = it_event_mark();
	char *rec;

	cr_assert(nw > 0 && t != NULL && c != NULL);
	cr_assert(pthread_barrier_init(&go, NULL, (unsigned)clients) == 0);
	for (int i = 0; i < clients; i++) {
		c[i].go = &go;
		if (pthread_create(&t[i], NULL, client_run, &c[i]) != 0)
			break;
		started++;
	}
	cr_assert_eq(started, clients, "could not start %d threads", clients);
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < clients; i++)
		for (int k = 0; k < ROUNDS; k++)
			if (c[i].status[k] == 202)
				answered++;
			else
				cr_expect_fail("client %d, request %d: status %d, expected 202", i,
				               k, c[i].status[k]);
	cr_expect_eq(answered, clients * ROUNDS);
	/* one stop changed the view; the others (and any request sent twice) found it
	 * stopped */
	cr_expect_eq(it_events_since(mark, "444444", "01"), 1);
	rec = it_view_recording("444444", "01");
	cr_expect(rec == NULL, "view 01 is still recording");
	free(rec);
	cr_expect(held() <= (int)nw * WORKER_CONNS, "the workers hold %d connections, more than %d",
	          held(), (int)nw * WORKER_CONNS);
	cr_expect_eq(it_worker_pids(after, WORKERS_MAX), nw, "a worker exited");
	cr_expect(memcmp(before, after, nw * sizeof(*before)) == 0, "a worker was replaced");
	free(t);
	free(c);
}
