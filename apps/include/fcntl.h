#ifndef _FCNTL_H
#define _FCNTL_H
#define F_GETFL 3
#define F_SETFL 4
#define O_NONBLOCK 04000
int fcntl(int fd, int cmd, ...);
#endif
