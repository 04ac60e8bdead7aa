/* Open files and descriptor tables (include/seqos/file.h). A descriptor table belongs
 * to an app process; fork() copies it, taking a reference on every file, so a parent's
 * close() does not close the child's descriptor — as POSIX requires. */
#include <seqos/errno.h>
#include <seqos/file.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/proc.h>
#include <seqos/spinlock.h>

static DEFINE_SPINLOCK(fd_lock);

struct file *file_alloc(const struct file_operations *ops, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));
	if (f) {
		f->ops = ops;
		f->private_data = priv;
		f->refs = 1;
	}
	return f;
}

void fget_ref(struct file *f) { __atomic_fetch_add(&f->refs, 1, __ATOMIC_ACQ_REL); }

void fput(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		if (f->ops->release)
			f->ops->release(f);
		kfree(f);
	}
}

static struct files_struct *cur_files(void)
{
	struct proc *p = current_proc();
	return p ? p->files : NULL;
}

int fd_install(struct file *f)
{
	struct files_struct *fs = cur_files();
	unsigned long flags;

	if (!fs)
		return -EBADF;
	spin_lock_irqsave(&fd_lock, flags);
	for (int fd = 0; fd < MAX_FDS; fd++)
		if (!fs->fd[fd]) {
			fs->fd[fd] = f;
			spin_unlock_irqrestore(&fd_lock, flags);
			return fd;
		}
	spin_unlock_irqrestore(&fd_lock, flags);
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	struct files_struct *fs = cur_files();
	unsigned long flags;
	struct file *f = NULL;

	if (!fs || fd < 0 || fd >= MAX_FDS)
		return NULL;
	spin_lock_irqsave(&fd_lock, flags);
	f = fs->fd[fd];
	if (f)
		fget_ref(f);
	spin_unlock_irqrestore(&fd_lock, flags);
	return f;
}

int fd_close(int fd)
{
	struct files_struct *fs = cur_files();
	unsigned long flags;
	struct file *f;

	if (!fs || fd < 0 || fd >= MAX_FDS)
		return -EBADF;
	spin_lock_irqsave(&fd_lock, flags);
	f = fs->fd[fd];
	fs->fd[fd] = NULL;
	spin_unlock_irqrestore(&fd_lock, flags);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

struct files_struct *files_alloc(void)
{
	struct files_struct *fs = kzalloc(sizeof(*fs));
	if (fs)
		fs->refs = 1;
	return fs;
}

struct files_struct *files_dup(struct files_struct *src)
{
	struct files_struct *fs = files_alloc();
	unsigned long flags;

	if (!fs)
		return NULL;
	spin_lock_irqsave(&fd_lock, flags);
	for (int fd = 0; fd < MAX_FDS; fd++)
		if ((fs->fd[fd] = src->fd[fd]))
			fget_ref(fs->fd[fd]);
	spin_unlock_irqrestore(&fd_lock, flags);
	return fs;
}

void files_put(struct files_struct *fs)
{
	if (--fs->refs)
		return;
	for (int fd = 0; fd < MAX_FDS; fd++)
		if (fs->fd[fd])
			fput(fs->fd[fd]);
	kfree(fs);
}
