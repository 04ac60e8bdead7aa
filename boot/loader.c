/* UEFI loader: the first code of seqos that runs (DESIGN.md "Boot", docs/boot.md).
 *
 * efi_main() gathers what the kernel needs from the firmware while boot services exist
 * (command line, ACPI RSDP, framebuffer, wall clock), unpacks the kernel ELF that this
 * image carries LZ4-compressed, places it at its link address through temporary page tables, reads
 * the memory map, calls ExitBootServices and jumps to the kernel's _start with a
 * struct boot_info. This is the only file that includes efi.h. */
#include <efi.h>
#include <seqos/boot_info.h>

#include <seqos/elf64.h>

extern const unsigned char kernel_elf_blob[];
extern const unsigned char kernel_elf_blob_end[];

static EFI_SYSTEM_TABLE *ST;
static EFI_BOOT_SERVICES *BS;

/* The compiler may emit calls to these for struct copies; the firmware has no libc. */
void *memcpy(void *d, const void *s, UINTN n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, UINTN n)
{
	unsigned char *dp = d;
	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}

static void say(const CHAR16 *s)
{
	uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, (CHAR16 *)s);
}

static void fail(const CHAR16 *what, EFI_STATUS st)
{
	CHAR16 hex[20];
	int i;

	say(L"seqos loader: ");
	say(what);
	say(L" failed, status 0x");
	for (i = 0; i < 16; i++)
		hex[i] = L"0123456789abcdef"[(st >> (60 - 4 * i)) & 15];
	hex[16] = L'\r';
	hex[17] = L'\n';
	hex[18] = 0;
	say(hex);
	for (;;)
		__asm__ __volatile__("hlt");
}

static UINT64 rdtsc(void)
{
	UINT32 lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
}

static void *alloc_pages(UINTN pages)
{
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
					  pages, &a);
	if (EFI_ERROR(st))
		fail(L"AllocatePages", st);
	memset((void *)a, 0, pages * 4096);
	return (void *)a;
}

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;
	for (int i = 0; i < 16; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* Load options are UCS-2 text when a boot entry or the UEFI shell passes arguments; the
 * boot manager may also pass binary data, which is ignored. The shell puts the image's
 * own name first: that word is skipped. */
static void take_load_options(EFI_LOADED_IMAGE *li, struct boot_info *bi)
{
	const CHAR16 *s = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / 2, i, o = 0, start = 0;

	if (!s || n == 0)
		return;
	for (i = 0; i < n && s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return;
	n = i;
	while (start < n && s[start] == ' ')
		start++;
	i = start;
	while (i < n && s[i] != ' ')
		i++;
	if (i - start >= 4) {
		CHAR16 e1 = s[i - 4], e2 = s[i - 3] | 0x20, e3 = s[i - 2] | 0x20, e4 = s[i - 1] | 0x20;
		if (e1 == '.' && e2 == 'e' && e3 == 'f' && e4 == 'i')
			start = i;
	}
	for (i = start; i < n && o < BOOT_CMDLINE_MAX - 1; i++)
		bi->cmdline[o++] = (char)s[i];
	bi->cmdline[o] = 0;
	for (i = 0; i < o; i++)
		if (bi->cmdline[i] != ' ') {
			bi->cmdline_source = BOOT_CMDLINE_LOAD_OPTIONS;
			return;
		}
	bi->cmdline[0] = 0;
}

static void read_cmdline_file(EFI_LOADED_IMAGE *li, struct boot_info *bi)
{
	EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE *root, *f;
	UINTN size = BOOT_CMDLINE_MAX - 1;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &fs_guid,
					(void **)&fs)))
		return;
	if (EFI_ERROR(uefi_call_wrapper(fs->OpenVolume, 2, fs, &root)))
		return;
	if (!EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &f, L"\\EFI\\seqos\\cmdline.txt",
					 EFI_FILE_MODE_READ, 0))) {
		if (!EFI_ERROR(uefi_call_wrapper(f->Read, 3, f, &size, bi->cmdline_file))) {
			bi->cmdline_file[size] = 0;
			if (size)
				bi->cmdline_source = bi->cmdline_source ?: BOOT_CMDLINE_FILE;
		}
		uefi_call_wrapper(f->Close, 1, f);
	}
	uefi_call_wrapper(root->Close, 1, root);
}

static void find_framebuffer(struct boot_info *bi)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &gop_guid, NULL, (void **)&gop)))
		return;
	info = gop->Mode->Info;
	if (info->PixelFormat != PixelRedGreenBlueReserved8BitPerColor &&
	    info->PixelFormat != PixelBlueGreenRedReserved8BitPerColor)
		return; /* BltOnly or bit masks: no linear framebuffer we can draw on */
	bi->fb.base = gop->Mode->FrameBufferBase;
	bi->fb.width = info->HorizontalResolution;
	bi->fb.height = info->VerticalResolution;
	bi->fb.pitch = info->PixelsPerScanLine * 4;
	bi->fb.bpp = 32;
	if (info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor) {
		bi->fb.red_shift = 0, bi->fb.green_shift = 8, bi->fb.blue_shift = 16;
	} else {
		bi->fb.red_shift = 16, bi->fb.green_shift = 8, bi->fb.blue_shift = 0;
	}
}

static UINT64 days_from_civil(UINT64 y, UINT64 m, UINT64 d)
{
	/* Days since 1970-01-01 for a Gregorian date (y >= 1970). */
	y -= m <= 2;
	UINT64 era = y / 400, yoe = y - era * 400;
	UINT64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	UINT64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void read_clock(struct boot_info *bi)
{
	EFI_TIME t;
	if (EFI_ERROR(uefi_call_wrapper(ST->RuntimeServices->GetTime, 2, &t, NULL)) ||
	    t.Year < 1970)
		return;
	bi->rtc_unix = days_from_civil(t.Year, t.Month, t.Day) * 86400 + t.Hour * 3600 +
		       t.Minute * 60 + t.Second;
}

/* The kernel ELF is carried LZ4-compressed (tools/lz4pack.py: "SQLZ", size, one LZ4
 * block). Decoding checks every length against both buffers. */
static UINT8 *unpack_kernel(UINTN *size_out)
{
	const UINT8 *in = kernel_elf_blob, *end = kernel_elf_blob_end;
	UINT32 size;
	UINT8 *out;
	UINTN o = 0;

	if (end - in < 8 || in[0] != 'S' || in[1] != 'Q' || in[2] != 'L' || in[3] != 'Z') {
		*size_out = (UINTN)(end - in); /* not compressed */
		return (UINT8 *)in;
	}
	size = in[4] | (UINT32)in[5] << 8 | (UINT32)in[6] << 16 | (UINT32)in[7] << 24;
	out = alloc_pages((size + 4095) / 4096);
	in += 8;
	while (in < end) {
		UINTN lit = *in >> 4, ml = *in & 15, off;
		in++;
		if (lit == 15)
			do {
				if (in >= end)
					fail(L"kernel image (literal length)", EFI_LOAD_ERROR);
				lit += *in;
			} while (*in++ == 255);
		if (lit > (UINTN)(end - in) || lit > size - o)
			fail(L"kernel image (literals)", EFI_LOAD_ERROR);
		memcpy(out + o, in, lit);
		o += lit;
		in += lit;
		if (in == end)
			break;
		if (end - in < 2)
			fail(L"kernel image (offset)", EFI_LOAD_ERROR);
		off = in[0] | (UINTN)in[1] << 8;
		in += 2;
		if (ml == 15)
			do {
				if (in >= end)
					fail(L"kernel image (match length)", EFI_LOAD_ERROR);
				ml += *in;
			} while (*in++ == 255);
		ml += 4;
		if (off == 0 || off > o || ml > size - o)
			fail(L"kernel image (match)", EFI_LOAD_ERROR);
		for (UINTN k = 0; k < ml; k++, o++) /* byte by byte: matches may overlap */
			out[o] = out[o - off];
	}
	if (o != size)
		fail(L"kernel image (size)", EFI_LOAD_ERROR);
	*size_out = size;
	return out;
}

/* Places every PT_LOAD segment of the kernel ELF in one physically contiguous block,
 * so that virtual = KERNEL_VMA + (physical - base). Returns the entry point. */
static UINT64 load_kernel(struct boot_info *bi)
{
	UINTN elf_size;
	const unsigned char *elf = unpack_kernel(&elf_size);
	const Elf64_Ehdr *eh = (const void *)elf;
	UINT64 lo = ~0ULL, hi = 0;
	unsigned char *base;

	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
	    eh->e_ident[3] != 'F' || eh->e_machine != EM_X86_64)
		fail(L"kernel ELF check", EFI_LOAD_ERROR);
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(elf + eh->e_phoff + i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
	}
	if (lo != KERNEL_VMA || hi <= lo)
		fail(L"kernel layout", EFI_LOAD_ERROR);
	bi->kernel_size = (hi - lo + 4095) & ~4095ULL;
	base = alloc_pages(bi->kernel_size / 4096);
	bi->kernel_phys = (UINT64)base;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(elf + eh->e_phoff + i * eh->e_phentsize);
		if (ph->p_type == PT_LOAD)
			memcpy(base + (ph->p_vaddr - lo), elf + ph->p_offset, ph->p_filesz);
	}
	/* The symbol table stays in the ELF copy for the kernel's backtraces. */
	bi->kernel_elf_size = elf_size;
	bi->kernel_elf = (UINT64)elf;
	return eh->e_entry;
}

/* Temporary page tables: the first max(4 GiB, top of RAM) identity mapped and mapped
 * again at DIRECT_MAP with 2 MiB pages, and the kernel at KERNEL_VMA with 4 KiB pages.
 * The kernel replaces them with its own (W^X, NX, guard pages) early in boot. */
static UINT64 build_page_tables(struct boot_info *bi, UINT64 top)
{
	UINT64 *pml4 = alloc_pages(1), *pdpt = alloc_pages(1);
	UINT64 gib = (top + (1ULL << 30) - 1) >> 30, kpages = bi->kernel_size / 4096;
	const UINT64 P = 1, W = 2, PS = 0x80;

	if (gib < 4)
		gib = 4;
	if (gib > 512)
		gib = 512;
	for (UINT64 g = 0; g < gib; g++) {
		UINT64 *pd = alloc_pages(1);
		for (UINT64 i = 0; i < 512; i++)
			pd[i] = (g << 30) + (i << 21) + (P | W | PS);
		pdpt[g] = (UINT64)pd | P | W;
	}
	pml4[0] = (UINT64)pdpt | P | W;
	pml4[256] = (UINT64)pdpt | P | W; /* DIRECT_MAP */

	UINT64 *kpdpt = alloc_pages(1), *kpd = alloc_pages(1);
	UINT64 npt = (kpages + 511) / 512;
	if (npt > 512)
		fail(L"kernel too large", EFI_LOAD_ERROR);
	for (UINT64 t = 0; t < npt; t++) {
		UINT64 *pt = alloc_pages(1);
		for (UINT64 i = 0; i < 512 && t * 512 + i < kpages; i++)
			pt[i] = bi->kernel_phys + (t * 512 + i) * 4096 + (P | W);
		kpd[t] = (UINT64)pt | P | W;
	}
	kpdpt[510] = (UINT64)kpd | P | W;
	pml4[511] = (UINT64)kpdpt | P | W;
	return (UINT64)pml4;
}

static UINT32 mem_type(UINT32 efi)
{
	switch (efi) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_KERNEL;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BOOT_MEM_MMIO;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BOOT_MEM_RUNTIME;
	default:
		return BOOT_MEM_RESERVED;
	}
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL, acpi20 = ACPI_20_TABLE_GUID,
		 acpi10 = ACPI_TABLE_GUID;
	EFI_LOADED_IMAGE *li;
	struct boot_info *bi;
	EFI_MEMORY_DESCRIPTOR *map;
	UINTN map_size = 0, key, desc_size, map_cap;
	UINT32 desc_ver;
	UINT64 entry, cr3, top = 0, tsc0 = rdtsc();
	EFI_STATUS st;

	ST = systab;
	BS = systab->BootServices;

	bi = alloc_pages((sizeof(*bi) + 4095) / 4096);
	bi->magic = BOOT_INFO_MAGIC;
	bi->tsc_loader_entry = tsc0;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &li_guid, (void **)&li);
	if (EFI_ERROR(st))
		fail(L"LoadedImage", st);
	take_load_options(li, bi);
	read_cmdline_file(li, bi);

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (guid_eq(&t->VendorGuid, &acpi20))
			bi->rsdp = (UINT64)t->VendorTable;
		else if (guid_eq(&t->VendorGuid, &acpi10) && !bi->rsdp)
			bi->rsdp = (UINT64)t->VendorTable;
	}
	find_framebuffer(bi);
	read_clock(bi);
	entry = load_kernel(bi);

	/* Size the memory map, with room for the allocations still to come. */
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &desc_size, &desc_ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		fail(L"GetMemoryMap size", st);
	map_cap = map_size + 64 * desc_size;
	map = alloc_pages((map_cap + 4095) / 4096);
	struct boot_mem_region *regions =
		alloc_pages((map_cap / desc_size * sizeof(*regions) + 4095) / 4096);

	/* The top of RAM bounds the temporary identity map. */
	map_size = map_cap;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, map, &key, &desc_size, &desc_ver);
	if (EFI_ERROR(st))
		fail(L"GetMemoryMap", st);
	for (UINTN off = 0; off < map_size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)map + off);
		UINT64 end = d->PhysicalStart + d->NumberOfPages * 4096;
		if (mem_type(d->Type) != BOOT_MEM_MMIO && mem_type(d->Type) != BOOT_MEM_RESERVED &&
		    end > top)
			top = end;
	}
	cr3 = build_page_tables(bi, top);

	/* The final map: nothing may allocate between GetMemoryMap and ExitBootServices. */
	for (int tries = 0;; tries++) {
		map_size = map_cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, map, &key, &desc_size,
				       &desc_ver);
		if (EFI_ERROR(st))
			fail(L"GetMemoryMap", st);
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st))
			break;
		if (tries > 8)
			fail(L"ExitBootServices", st);
	}

	/* Boot services are gone: only plain code from here on. */
	UINT32 n = 0;
	for (UINTN off = 0; off < map_size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)map + off);
		UINT32 t = mem_type(d->Type);
		if (n && regions[n - 1].type == t &&
		    regions[n - 1].base + regions[n - 1].pages * 4096 == d->PhysicalStart) {
			regions[n - 1].pages += d->NumberOfPages;
			continue;
		}
		regions[n].base = d->PhysicalStart;
		regions[n].pages = d->NumberOfPages;
		regions[n].type = t;
		regions[n].pad = 0;
		n++;
	}
	bi->mem_map = (UINT64)regions;
	bi->mem_map_count = n;
	bi->tsc_handoff = rdtsc();

	__asm__ __volatile__("cli\n\t"
			     "mov %0, %%cr3\n\t"
			     "mov %1, %%rdi\n\t"
			     "xor %%ebp, %%ebp\n\t"
			     "jmp *%2"
			     :
			     : "r"(cr3), "r"((UINT64)bi), "r"(entry)
			     : "rdi", "memory");
	return EFI_SUCCESS;
}
