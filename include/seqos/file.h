/* Open files and descriptor tables. An app's descriptors name struct files; today every
 * file is a socket (net/socket.c), but the layer does not care. */
#ifndef SEQOS_FILE_H
#define SEQOS_FILE_H

#include <seqos/types.h>

#define MAX_FDS 256
#define O_NONBLOCK 04000

/* poll events, POSIX values as Linux defines them */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

struct file;
struct wait_queue_head;

struct file_operations {
	ssize_t (*read)(struct file *f, void *buf, size_t len);
	ssize_t (*write)(struct file *f, const void *buf, size_t len);
	/* Current readiness; *wq is where a poller sleeps until it may have changed. */
	unsigned (*poll)(struct file *f, struct wait_queue_head **wq);
	void (*release)(struct file *f); /* last reference gone */
};

struct file {
	const struct file_operations *ops;
	void *private_data; /* struct socket * for sockets */
	u32 flags;          /* O_NONBLOCK */
	volatile int refs;
};

struct files_struct {
	struct file *fd[MAX_FDS];
	int refs;
};

struct file *file_alloc(const struct file_operations *ops, void *priv);
void fget_ref(struct file *f);
void fput(struct file *f);
/* In the calling thread's process: */
int fd_install(struct file *f);            /* lowest free descriptor, or -EMFILE */
struct file *fd_get(int fd);               /* a new reference, or NULL (EBADF) */
int fd_close(int fd);
struct files_struct *files_alloc(void);
struct files_struct *files_dup(struct files_struct *src);
void files_put(struct files_struct *fs);

#endif
