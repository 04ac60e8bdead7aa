/* The kernel's own symbol table, read from the ELF copy the loader passes on, so that
 * exception reports and `ps` name functions without a debugger. */
#ifndef SEQOS_KSYMS_H
#define SEQOS_KSYMS_H

#include <seqos/types.h>

void ksyms_init(const void *elf, size_t size);
/* Name of the function containing addr and the offset into it; NULL when unknown. */
const char *ksym_lookup(u64 addr, u64 *offset);
u64 ksym_address(const char *name); /* 0 when unknown */
/* "name+0x12" into buf; "0x..." when unknown. */
int ksym_format(u64 addr, char *buf, size_t cap);

#endif
