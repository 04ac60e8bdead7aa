#ifndef SEQOS_VERSION_H
#define SEQOS_VERSION_H
#define SEQOS_VERSION "0.1"
#ifndef SEQOS_BUILD
#define SEQOS_BUILD "dev"
#endif
#endif
