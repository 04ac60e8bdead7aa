/* QEMU's firmware configuration device (QEMU docs/specs/fw_cfg.rst). */
#ifndef DRIVERS_FW_CFG_H
#define DRIVERS_FW_CFG_H

#include <seqos/types.h>

bool fw_cfg_present(void);
/* Reads the named file into buf (at most cap bytes); returns its size, or -1. */
long fw_cfg_read_file(const char *name, void *buf, size_t cap);

#endif
