# seqos build. `make` builds build/seqos.efi and build/seqos.img; `make help` lists the rest.
#
# Three kinds of objects are built from the same tree:
#   build/k/     the kernel: freestanding, -mcmodel=kernel, no SSE, linked by linker.ld
#   build/efi/   the GNU-EFI loader (boot/), which carries the kernel ELF inside
#   build/host/  portable code (net/, kernel/timer.c, ...) for host unit tests (ASan+UBSan)
#   build/fuzz/  the same portable code for libFuzzer targets (clang)

V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

BUILD := build
CC := gcc
HOSTCC := gcc
CLANG := clang
NASM := nasm
LD := ld
OBJCOPY := objcopy
PYTHON := /usr/bin/python3
FUZZ_SECONDS ?= 3
DEBUG ?= 1

# ---------------------------------------------------------------- kernel
KERNEL_DIRS := arch/x86_64 kernel kernel/lib drivers net net/core net/ipv4 net/ethernet apps apps/libc
KERNEL_C := $(sort $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c)))
KERNEL_ASM := $(sort $(wildcard arch/x86_64/*.asm))
KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.asm.o) \
	$(BUILD)/k/font.o

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls \
	-fno-strict-aliasing -fno-common -fno-tree-loop-distribute-patterns \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Iinclude -Iarch/x86_64/include -MMD -MP
ifeq ($(DEBUG),1)
KCFLAGS += -DCONFIG_DEBUG=1
endif
# Apps compile against the libc headers in apps/include, as a user program would.
APP_CFLAGS := -Iapps/include

# ---------------------------------------------------------------- loader (GNU-EFI)
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 -ffreestanding -fpic -fshort-wchar -mno-red-zone \
	-fno-stack-protector -mgeneral-regs-only -DGNU_EFI_USE_MS_ABI -DEFI_FUNCTION_WRAPPER= \
	-Wall -Wextra -Werror -Wno-unused-parameter -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iinclude
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
	-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o

# ---------------------------------------------------------------- host (tests)
HOST_PORTABLE := kernel/timer.c kernel/trace.c kernel/trace_events.c kernel/cmdline.c \
	kernel/tasklet.c kernel/page_alloc.c \
	kernel/kmalloc_core.c
HOST_NET := $(sort $(wildcard net/*.c net/core/*.c net/ipv4/*.c net/ethernet/*.c))
HOST_SHIM := $(sort $(wildcard tests/unit/shim/*.c))
HOST_SRCS := $(filter $(wildcard $(HOST_PORTABLE)),$(HOST_PORTABLE)) $(HOST_NET) $(HOST_SHIM)
HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/host/%.o)
HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-DSEQOS_HOST=1 -DCONFIG_DEBUG=1 -Itests/unit/shim/include -Iinclude -MMD -MP
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/host/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
# The kernel's own libc pieces collide with the host libc: they are tested renamed (k_*).
KLIB_RENAME := memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strcasecmp \
	strncasecmp strchr strrchr strstr strcpy strncpy strcat strlcpy strspn strcspn strtoul \
	strtoull strtol strtoll vsnprintf snprintf

FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -MMD -MP \
	-DSEQOS_HOST=1 -DSEQOS_FUZZ=1 -DCONFIG_DEBUG=1 -Itests/unit/shim/include -Iinclude -Wno-unused-parameter
FUZZ_SRCS := $(HOST_SRCS)
FUZZ_OBJS := $(FUZZ_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))



.PHONY: FORCE all deps run analysis shell debug test unit tools-test fuzz fuzz-smoke integration clean help bench compile_commands.json
.PHONY: bench-linux bench-selftest test-long
all: $(BUILD)/seqos.efi $(BUILD)/seqos.img

help:
	@echo "make            build build/seqos.efi and build/seqos.img"
	@echo "make deps       install the Debian packages the project needs"
	@echo "make run        the seed exchange between two seqos VMs, traced; results in build/run/"
	@echo "make shell      boot one seqos VM with its console on this terminal"
	@echo "make debug      boot halted and attach gdb with the kernel's symbols"
	@echo "make test       unit tests, fuzz smoke runs and QEMU integration tests"
	@echo "make unit       host unit tests only"
	@echo "make test-long  the Linux interop tests at the issue's full sizes (~4 min)"
	@echo "make analysis   make run, then regenerate docs/analysis.md from its traces"
	@echo "make tools-test tests of the host tools (tools/seqtrace)"
	@echo "make fuzz       run every fuzzer for FUZZ_SECONDS (default $(FUZZ_SECONDS))"
	@echo "make bench      seqos vs a Linux guest in the same QEMU (BENCH_ARGS=...; not a test)"
	@echo "make bench-linux      build only the benchmark's Linux peer"
	@echo "make bench-selftest   test the benchmark's statistics and report code"
	@echo "make V=1        show the commands"

deps:
	$(Q)tools/deps

# ---------------------------------------------------------------- kernel rules
# Objects are rebuilt when the flags change (a file holding them is their prerequisite).
$(BUILD)/k/.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(KCFLAGS) $(APP_CFLAGS)' | cmp -s - $@ || echo '$(KCFLAGS) $(APP_CFLAGS)' > $@
$(BUILD)/host/.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(HOST_CFLAGS)' | cmp -s - $@ || echo '$(HOST_CFLAGS)' > $@
FORCE:

# An app's main() becomes app_<file>_main, so several apps link into one image.
$(BUILD)/k/apps/libc/%.o: apps/libc/%.c $(BUILD)/k/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) $(APP_CFLAGS) -fno-builtin -c $< -o $@

$(BUILD)/k/apps/%.o: apps/%.c $(BUILD)/k/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) $(APP_CFLAGS) $(SEED_CFLAGS) -Dmain=app_$(notdir $(basename $<))_main -c $< -o $@

# The seed article's programs are kept as written: `int main()` is not a prototype.
$(BUILD)/k/apps/server.o $(BUILD)/k/apps/client.o: SEED_CFLAGS := -Wno-strict-prototypes

$(BUILD)/k/%.o: %.c $(BUILD)/k/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf64 -g -F dwarf -MD $(@:.o=.d) -MP $< -o $@

# The console font comes from Debian's kbd package (a PSF2 file), converted at build time.
FONT_PSF := /usr/share/consolefonts/Lat15-Fixed16.psf.gz
$(BUILD)/k/font.o: tools/psf2c.py $(FONT_PSF)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FONT    $(FONT_PSF)")
	$(Q)$(PYTHON) tools/psf2c.py $(FONT_PSF) > $(BUILD)/k/font.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/k/font.c -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -n -nostdlib -z max-page-size=4096 -z noexecstack -T linker.ld -o $@ $(KERNEL_OBJS)

# The copy carried in seqos.efi keeps the symbol table (backtraces) but not DWARF.
$(BUILD)/kernel.strip.elf: $(BUILD)/kernel.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

# ---------------------------------------------------------------- loader and image
$(BUILD)/efi/loader.o: boot/loader.c include/seqos/boot_info.h include/seqos/elf64.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFICC   $<")
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

# ... and it is carried LZ4-compressed (the loader unpacks it).
$(BUILD)/kernel.lz4: $(BUILD)/kernel.strip.elf tools/lz4pack.py
	$(Q)$(PYTHON) tools/lz4pack.py $< $@

$(BUILD)/efi/blob.o: boot/blob.asm $(BUILD)/kernel.lz4
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f elf64 -DKERNEL_ELF='"$(BUILD)/kernel.lz4"' $< -o $@

$(BUILD)/efi/seqos.so: $(BUILD)/efi/loader.o $(BUILD)/efi/blob.o
	$(Q)$(LD) $(EFI_LDFLAGS) $^ -lgnuefi -o $@

$(BUILD)/seqos.efi: $(BUILD)/efi/seqos.so
	@$(if $(Q),echo "  EFI     $@")
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .reloc --target=efi-app-x86_64 --subsystem=10 $< $@
	@echo "  seqos.efi: $$(stat -c %s $@) bytes"

$(BUILD)/seqos.img: $(BUILD)/seqos.efi tools/mkimg.py
	@$(if $(Q),echo "  IMG     $@")
	$(Q)$(PYTHON) tools/mkimg.py $(BUILD)/seqos.efi $@

# ---------------------------------------------------------------- running
# The main job: the seed article's exchange between two seqos machines, traced, with the
# diagrams and timelines written to build/run/ (tools/run-seed).
run: deps all
	tools/run-seed $(RUN_ARGS)

# docs/analysis.md from a fresh traced run of the seed exchange: the prose is
# docs/analysis.md.in, the figures and diagrams come from build/run/. The tool writes
# nothing (and make fails) when a step the document relies on is missing from the trace.
analysis: deps all
	tools/run-seed $(RUN_ARGS)
	tools/seqtrace analysis $(BUILD)/run/server.trace $(BUILD)/run/client.trace \
		-t docs/analysis.md.in -o docs/analysis.md \
		--set run_date="$$(date -u '+%Y-%m-%d %H:%M UTC')" \
		--set commit="$$(git rev-parse --short HEAD)$$(git diff --quiet HEAD -- . ':!docs/analysis.md' || echo +changes)" \
		--set nic="$(or $(filter e1000 e1000e virtio,$(subst --nic ,,$(RUN_ARGS))),e1000)"

# One machine, interactive: the serial console on this terminal (Ctrl-A X quits).
shell: deps all
	tools/qemu-run $(RUN_ARGS)

debug: deps all
	tools/qemu-run --gdb --debugger $(RUN_ARGS)

# ---------------------------------------------------------------- host tests
$(BUILD)/host/%.o: %.c $(BUILD)/host/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/libhost.a: $(HOST_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/host/klib.o: kernel/lib/string.c kernel/lib/vsnprintf.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -c kernel/lib/string.c -o $(BUILD)/host/klib_string.o
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -c kernel/lib/vsnprintf.c -o $(BUILD)/host/klib_vsnprintf.o
	$(Q)$(LD) -r $(BUILD)/host/klib_string.o $(BUILD)/host/klib_vsnprintf.o -o $@.tmp
	$(Q)$(OBJCOPY) $(foreach s,$(KLIB_RENAME),--redefine-sym $(s)=k_$(s)) $@.tmp $@
	$(Q)rm -f $@.tmp

$(BUILD)/host/tests/%: tests/unit/%.c $(BUILD)/host/libhost.a $(BUILD)/host/klib.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $< $(BUILD)/host/klib.o $(BUILD)/host/libhost.a -lcmocka -o $@

unit: $(UNIT_TESTS)
	$(Q)$(PYTHON) tools/run-unit $(UNIT_TESTS)

# ---------------------------------------------------------------- fuzzing
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/libfuzz.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libfuzz.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(BUILD)/fuzz/libfuzz.a -o $@

fuzz: $(FUZZ_TARGETS)
	$(Q)$(if $(FUZZ_TARGETS),tools/run-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS),echo "fuzz: no targets")

fuzz-smoke: $(FUZZ_TARGETS)
	$(Q)$(if $(FUZZ_TARGETS),tools/run-fuzz 2 $(FUZZ_TARGETS),echo "fuzz: no targets")

# ---------------------------------------------------------------- integration
integration: all
	$(Q)$(PYTHON) tests/integration/run.py $(TESTS)

# Host tools (tools/seqtrace): decoder and converters on streams built byte by byte.
tools-test:
	$(Q)$(PYTHON) tests/tools/run.py

test: deps
	$(Q)$(MAKE) --no-print-directory all unit tools-test fuzz-smoke
	$(Q)$(PYTHON) tests/integration/run.py $(TESTS)

# The Linux interop tests at the issue's full sizes (tests/integration/test_tcp_interop.py).
test-long: all
	$(Q)SEQOS_LONG=1 SEQOS_TEST_TIMEOUT=1800 $(PYTHON) tests/integration/run.py interop

compile_commands.json:
	bear -- $(MAKE) -B all unit

# ---------------------------------------------------------------- benchmarks (not tests)
# make bench: seqos against a Linux guest in the same QEMU (tools/bench/bench, BENCH_ARGS
# passes options, e.g. BENCH_ARGS="--nic e1000,virtio --backend user,tap"); make
# bench-linux builds only the Linux peer (cached in build/bench/linux/); make
# bench-selftest tests the benchmark's own code. None of them is part of make test.
BENCH_ARGS ?=
bench: deps all
	$(Q)$(PYTHON) tools/bench/bench --image $(BUILD)/seqos.img --efi $(BUILD)/seqos.efi \
		--out $(BUILD)/bench $(BENCH_ARGS)

bench-linux: deps
	$(Q)$(PYTHON) tools/bench/mklinux --out $(BUILD)/bench/linux

bench-selftest:
	$(Q)$(PYTHON) tools/bench/test_benchstats.py

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
