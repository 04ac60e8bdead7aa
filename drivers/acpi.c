/* ACPI table discovery (ACPI 6.5 §5.2): RSDP -> XSDT (or RSDT) -> MADT, FADT, MCFG, HPET.
 * Every table's length and checksum are checked before it is read; a table that fails
 * is reported and skipped, and seqos falls back to defaults (legacy PC addresses). */
#include <drivers/acpi.h>
#include <seqos/printk.h>
#include <seqos/string.h>
#include <seqos/vm.h>

struct acpi_info acpi;

struct sdt_hdr {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __packed;

struct rsdp {
	char sig[8];
	u8 checksum;
	char oem[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 xchecksum, reserved[3];
} __packed;

struct gas { /* Generic Address Structure, §5.2.3.2 */
	u8 space, bit_width, bit_offset, access_size;
	u64 address;
} __packed;

/* ACPI tables normally sit in RAM the direct map covers; anything else is mapped. */
static const void *acpi_map(u64 phys, size_t len)
{
	if (vm_is_mapped(DIRECT_MAP + phys) && vm_is_mapped(DIRECT_MAP + phys + len - 1))
		return phys_to_virt(phys);
	return ioremap(phys, len);
}

static bool checksum_ok(const void *p, size_t len)
{
	u8 s = 0;
	for (size_t i = 0; i < len; i++)
		s += ((const u8 *)p)[i];
	return s == 0;
}

static const struct sdt_hdr *map_table(u64 phys)
{
	const struct sdt_hdr *h = acpi_map(phys, sizeof(*h));
	if (h->length < sizeof(*h) || h->length > (1u << 24))
		return NULL;
	h = acpi_map(phys, h->length);
	if (!checksum_ok(h, h->length)) {
		pr_warn("acpi: table %.4s at %#lx: bad checksum, ignored\n", h->sig, (unsigned long)phys);
		return NULL;
	}
	return h;
}

static void parse_madt(const struct sdt_hdr *h)
{
	const u8 *p = (const u8 *)h + 44, *end = (const u8 *)h + h->length;

	acpi.lapic_phys = *(const u32 *)((const u8 *)h + 36);
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		switch (p[0]) {
		case 0: /* Processor Local APIC */
			if (p[1] >= 8 && (p[4] & 1))
				acpi.nr_cpus++;
			break;
		case 1: /* I/O APIC */
			if (p[1] >= 12 && acpi.nr_ioapics < MAX_IOAPICS) {
				acpi.ioapic[acpi.nr_ioapics].id = p[2];
				memcpy(&acpi.ioapic[acpi.nr_ioapics].phys, p + 4, 4);
				memcpy(&acpi.ioapic[acpi.nr_ioapics].gsi_base, p + 8, 4);
				acpi.nr_ioapics++;
			}
			break;
		case 2: /* Interrupt Source Override */
			if (p[1] >= 10 && acpi.nr_iso < MAX_ISO) {
				acpi.iso[acpi.nr_iso].bus_irq = p[3];
				memcpy(&acpi.iso[acpi.nr_iso].gsi, p + 4, 4);
				memcpy(&acpi.iso[acpi.nr_iso].flags, p + 8, 2);
				acpi.nr_iso++;
			}
			break;
		case 5: /* Local APIC Address Override */
			if (p[1] >= 12)
				memcpy(&acpi.lapic_phys, p + 4, 8);
			break;
		case 9: /* Processor Local x2APIC */
			if (p[1] >= 16 && (p[8] & 1))
				acpi.nr_cpus++;
			break;
		}
		p += p[1];
	}
}

/* \_S5 in the DSDT: NameOp "_S5_" PackageOp PkgLength NumElements SLP_TYPa SLP_TYPb.
 * A full AML interpreter is not needed for this one well-known pattern (ACPI §7.4.2). */
static void find_s5(const struct sdt_hdr *dsdt)
{
	const u8 *p = (const u8 *)dsdt + sizeof(*dsdt), *end = (const u8 *)dsdt + dsdt->length;

	for (; p + 12 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)
			continue;
		if (!(p[-1] == 0x08 || (p[-2] == 0x08 && p[-1] == '\\')))
			continue;
		const u8 *q = p + 5;
		q += ((q[0] >> 6) & 3) + 1; /* PkgLength: lead byte + 0-3 more */
		q++;                        /* NumElements */
		u8 v[2];
		for (int i = 0; i < 2; i++) {
			if (q >= end)
				return;
			if (*q == 0x0a) { /* BytePrefix */
				v[i] = q[1];
				q += 2;
			} else if (*q == 0x00 || *q == 0x01) { /* ZeroOp, OneOp */
				v[i] = *q++;
			} else if (*q == 0xff) { /* OnesOp */
				v[i] = 0xff;
				q++;
			} else {
				return;
			}
		}
		acpi.slp_typa = v[0];
		acpi.slp_typb = v[1];
		acpi.s5_found = true;
		return;
	}
}

static void parse_fadt(const struct sdt_hdr *h)
{
	const u8 *f = (const u8 *)h;
	u32 len = h->length, dsdt32 = 0, pm_tmr = 0, pm1a = 0, pm1b = 0, flags = 0;
	u64 dsdt = 0;

	if (len >= 44)
		memcpy(&dsdt32, f + 40, 4);
	if (len >= 48)
		memcpy(&acpi.sci_irq, f + 46, 2);
	if (len >= 68) {
		memcpy(&pm1a, f + 64, 4);
		memcpy(&pm1b, f + 68, 4);
	}
	if (len >= 80)
		memcpy(&pm_tmr, f + 76, 4);
	if (len >= 116)
		memcpy(&flags, f + 112, 4);
	acpi.pm_tmr_port = (u16)pm_tmr;
	acpi.pm_tmr_32bit = flags & (1u << 8); /* TMR_VAL_EXT */
	acpi.pm1a_cnt = (u16)pm1a;
	acpi.pm1b_cnt = (u16)pm1b;
	if (len >= 129) {
		struct gas reset;
		memcpy(&reset, f + 116, sizeof(reset));
		acpi.reset_supported = flags & (1u << 10); /* RESET_REG_SUP */
		acpi.reset_space = reset.space;
		acpi.reset_addr = reset.address;
		acpi.reset_value = f[128];
	}
	if (len >= 148)
		memcpy(&dsdt, f + 140, 8); /* X_DSDT */
	if (len >= 220) { /* X_PM_TMR_BLK, preferred when it is an I/O address */
		struct gas xt;
		memcpy(&xt, f + 208, sizeof(xt));
		if (xt.space == 1 && xt.address)
			acpi.pm_tmr_port = (u16)xt.address;
	}
	if (!dsdt)
		dsdt = dsdt32;
	if (dsdt) {
		const struct sdt_hdr *d = map_table(dsdt);
		if (d)
			find_s5(d);
	}
}

static void parse_mcfg(const struct sdt_hdr *h)
{
	const u8 *p = (const u8 *)h + 44;
	if (h->length >= 44 + 16) {
		memcpy(&acpi.ecam_base, p, 8);
		memcpy(&acpi.ecam_segment, p + 8, 2);
		acpi.ecam_bus_start = p[10];
		acpi.ecam_bus_end = p[11];
	}
}

static void parse_table(u64 phys)
{
	const struct sdt_hdr *h = map_table(phys);
	if (!h)
		return;
	if (!memcmp(h->sig, "APIC", 4))
		parse_madt(h);
	else if (!memcmp(h->sig, "FACP", 4))
		parse_fadt(h);
	else if (!memcmp(h->sig, "MCFG", 4))
		parse_mcfg(h);
	else if (!memcmp(h->sig, "HPET", 4) && h->length >= 56)
		memcpy(&acpi.hpet_phys, (const u8 *)h + 44, 8);
}

void acpi_init(u64 rsdp_phys)
{
	const struct rsdp *r;
	const struct sdt_hdr *root;
	bool x;

	acpi.lapic_phys = 0xfee00000;
	if (!rsdp_phys) {
		pr_warn("acpi: no RSDP from firmware; using legacy defaults\n");
		return;
	}
	r = acpi_map(rsdp_phys, sizeof(*r));
	if (memcmp(r->sig, "RSD PTR ", 8) || !checksum_ok(r, 20)) {
		pr_warn("acpi: bad RSDP\n");
		return;
	}
	x = r->revision >= 2 && r->xsdt && checksum_ok(r, r->length);
	root = map_table(x ? r->xsdt : r->rsdt);
	if (!root)
		return;
	acpi.present = true;
	u32 n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	const u8 *e = (const u8 *)root + sizeof(*root);
	for (u32 i = 0; i < n; i++) {
		u64 phys = 0;
		memcpy(&phys, e + i * (x ? 8 : 4), x ? 8 : 4);
		parse_table(phys);
	}
	pr_info("acpi: %u CPU(s), %u IOAPIC(s), %u overrides, PM timer %#x, S5 %s, ECAM %#lx, HPET %#lx\n",
		acpi.nr_cpus, acpi.nr_ioapics, acpi.nr_iso, acpi.pm_tmr_port,
		acpi.s5_found ? "found" : "missing", (unsigned long)acpi.ecam_base,
		(unsigned long)acpi.hpet_phys);
}

u32 acpi_isa_irq_to_gsi(u8 irq, bool *level, bool *active_low)
{
	*level = false;
	*active_low = false;
	for (u32 i = 0; i < acpi.nr_iso; i++) {
		if (acpi.iso[i].bus_irq != irq)
			continue;
		u16 pol = acpi.iso[i].flags & 3, trig = (acpi.iso[i].flags >> 2) & 3;
		*active_low = pol == 3;
		*level = trig == 3;
		return acpi.iso[i].gsi;
	}
	return irq;
}
