/* The one structure the UEFI loader (boot/) hands to the kernel (DESIGN.md "Boot").
 * Plain fixed-size types only: it is built by the loader and read by the kernel, two
 * separately compiled programs. All addresses are physical. */
#ifndef SEQOS_BOOT_INFO_H
#define SEQOS_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC 0x5345514f53424f4fULL /* "SEQOSBOO" */
#define BOOT_CMDLINE_MAX 1024

/* Memory types, simplified from the UEFI memory map (the loader translates). */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,     /* free conventional memory, also boot services memory */
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_MMIO = 5,
	BOOT_MEM_KERNEL = 6,     /* kernel image, boot page tables, this structure */
	BOOT_MEM_RUNTIME = 7,    /* UEFI runtime services code and data */
};

struct boot_mem_region {
	uint64_t base;
	uint64_t pages; /* 4 KiB pages */
	uint32_t type;  /* enum boot_mem_type */
	uint32_t pad;
};

struct boot_framebuffer {
	uint64_t base; /* 0 when the machine has no GOP framebuffer */
	uint32_t width, height, pitch; /* pitch in bytes */
	uint32_t bpp;                  /* 32 */
	uint32_t red_shift, green_shift, blue_shift, pad;
};

struct boot_info {
	uint64_t magic;
	uint64_t rsdp;            /* ACPI RSDP (2.0 preferred), 0 if none */
	uint64_t mem_map;         /* struct boot_mem_region[mem_map_count] */
	uint32_t mem_map_count;
	uint32_t cmdline_source;  /* enum boot_cmdline_source */
	uint64_t kernel_phys;     /* where the kernel image starts */
	uint64_t kernel_size;     /* bytes, page aligned, covering all PT_LOAD segments */
	uint64_t kernel_elf;      /* a copy of the kernel ELF file (for its symbol table) */
	uint64_t kernel_elf_size;
	uint64_t tsc_loader_entry; /* TSC when the loader started */
	uint64_t tsc_handoff;      /* TSC just before jumping to the kernel */
	uint64_t rtc_unix;         /* wall clock from UEFI GetTime at boot, 0 if unknown */
	struct boot_framebuffer fb;
	char cmdline[BOOT_CMDLINE_MAX]; /* from the UEFI load options, if any */
	char cmdline_file[BOOT_CMDLINE_MAX]; /* \EFI\seqos\cmdline.txt, if any */
};

enum boot_cmdline_source { BOOT_CMDLINE_NONE, BOOT_CMDLINE_LOAD_OPTIONS, BOOT_CMDLINE_FILE };

/* Virtual layout the loader sets up and the kernel keeps. */
#define KERNEL_VMA 0xffffffff80000000ULL  /* -2 GiB: kernel image, -mcmodel=kernel */
#define DIRECT_MAP 0xffff800000000000ULL  /* all physical memory, from 0 */

#endif
