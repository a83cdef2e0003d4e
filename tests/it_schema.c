/*
 * it_schema.c - tools/migrate on a database it migrated before: a run that changes no
 * trigger takes no lock on recording_event (live writes go on during a deploy), and a
 * trigger whose statement changed is still made again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "it_util.h"

#define CMD_MAX 2048
#define OUT_MAX 4096
#define LOCK_WAIT_MS "2000" /* migrate's lock_timeout: a lock it waits for fails it */

TestSuite(schema, .timeout = 120);

/* tools/migrate of the tree at top (this suite's, or a copy), failing on any lock it
 * would wait for; its exit status, its output in out. */
static int migrate(const char *top, char *out, size_t cap)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd),
	         "PGOPTIONS='-c lock_timeout=" LOCK_WAIT_MS "' '%s/tools/migrate' 2>&1", top);
	return it_shell(cmd, out, cap);
}

static char *mark_trigger(void)
{
	return DB_TEXT(
	    "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
	    "WHERE tgname = 'recording_event_mark' AND tgrelid = 'recording_event'::regclass");
}

Test(schema, a_second_migration_locks_nothing_on_recording_event)
{
	char out[OUT_MAX];
	PGconn *c;
	PGresult *r;

	/* the first run (in case the stack's left anything to make) */
	cr_assert_eq(migrate(it_env("PC_TOP"), out, sizeof(out)), 0, "migrate: %s", out);
	/* a lock that conflicts with every other: any lock migrate asked for would wait */
	c = PQconnectdb("");
	cr_assert(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, "BEGIN; LOCK TABLE recording_event IN ACCESS EXCLUSIVE MODE");
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	cr_expect_eq(migrate(it_env("PC_TOP"), out, sizeof(out)), 0,
	             "a second run waited for a lock on recording_event: %s", out);
	PQfinish(c);
}

Test(schema, a_changed_trigger_is_made_again)
{
	char dir[] = "/tmp/pc-schema-XXXXXX", cmd[CMD_MAX], out[OUT_MAX];
	char *def;
	int rc;

	cr_assert(mkdtemp(dir) != NULL);
	/* a copy of the tree whose mark trigger fires on a condition (always true) */
	snprintf(
	    cmd, sizeof(cmd),
	    "mkdir '%s/tools' && cp -r '%s/schema' '%s/' && cp '%s/tools/migrate' '%s/tools/' && "
	    "sed -i 's/^ *FOR EACH ROW EXECUTE FUNCTION recording_event_mark/"
	    "FOR EACH ROW WHEN (true) EXECUTE FUNCTION recording_event_mark/' "
	    "'%s/schema/functions/recording_event_mark.sql' 2>&1",
	    dir, it_env("PC_TOP"), dir, it_env("PC_TOP"), dir, dir);
	cr_assert_eq(it_shell(cmd, out, sizeof(out)), 0, "%s", out);
	rc = migrate(dir, out, sizeof(out));
	cr_expect_eq(rc, 0, "migrate of the changed tree: %s", out);
	def = mark_trigger();
	cr_expect(def != NULL && strstr(def, "WHEN (true)") != NULL,
	          "the changed trigger was not made: %s", def ? def : "(none)");
	free(def);
	/* back to the tree's: its statement was recorded before, but the trigger in the
	 * database is not what it made */
	rc = migrate(it_env("PC_TOP"), out, sizeof(out));
	cr_expect_eq(rc, 0, "migrate: %s", out);
	def = mark_trigger();
	cr_expect(def != NULL && strstr(def, "WHEN") == NULL,
	          "the tree's trigger was not made again: %s", def ? def : "(none)");
	free(def);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
