/*
 * shm.c - a file several worker processes map shared (shm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "shm.h"

void *shm_map(const char *path, size_t size, shm_adopt_fn adopt, void *arg, const char *who,
              const char *fallback)
{
	void *mem = NULL;
	const char *why = NULL;
	struct stat st;
	int fd, err = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_msg("%s: cannot open %s: errno=%d; %s", who, path, errno, fallback);
		return NULL;
	}
	/* Workers that start together: one sizes and initializes, the others wait here. */
	if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
		why = "cannot lock it";
		err = errno;
	} else if (!S_ISREG(st.st_mode)) {
		why = "not a regular file";
	} else if (st.st_size != 0 && st.st_size != (off_t)size) {
		why = "a file of another layout (size)";
	} else if (st.st_size == 0 && ftruncate(fd, (off_t)size) != 0) {
		why = "cannot size it";
		err = errno;
	} else if ((mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
	           MAP_FAILED) {
		mem = NULL;
		why = "cannot map it";
		err = errno;
	} else if (adopt(mem, arg) != 0) {
		munmap(mem, size);
		mem = NULL;
		why = "a file of another layout (header), or one that cannot be set up";
	}
	/* Unlocked explicitly: the mapping holds the open file description, and with it
	 * the lock, after close. */
	flock(fd, LOCK_UN);
	close(fd);
	if (why != NULL && err != 0)
		log_msg("%s: %s: %s: errno=%d; %s", who, path, why, err, fallback);
	else if (why != NULL)
		log_msg("%s: %s: %s; %s", who, path, why, fallback);
	return mem;
}
