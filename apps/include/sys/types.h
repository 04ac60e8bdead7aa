/* seqos apps' libc: basic system types (POSIX <sys/types.h>). */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <stddef.h>
#include <stdint.h>
typedef long ssize_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef long off_t;
typedef long time_t;
typedef long suseconds_t;
typedef unsigned int socklen_t;
typedef unsigned short sa_family_t;
#endif
