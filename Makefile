# SPDX-License-Identifier: GPL-2.0
#
# vDSA: VFIO mediated devices for Intel DSA work queues.
#
#   make run      boot the emulated SIOV machine and run the demo
#   make run-l2   the same machine gives a DSA to a nested guest (QEMU's
#                 vfio-pci), where the upstream idxd runs dmatest
#   make run-migrate  a nested guest runs dmatest on a vDSA and moves live
#                 to a second QEMU on another vDSA, where dmatest finishes
#   make check    run every test (rustfmt, clippy build, KUnit, VM tests)
#   make bench    run the benchmarks: each figure, its reference, the goal
#   make fuzz     the vDSA VFIO fuzzer, OPS=1000000 operations (SEED= repeats,
#                 DEBUG=1 on the debug kernel)
#   make soak     the vDSA lifecycle soak, 10^4 cycles (CYCLES=, SEED=,
#                 DEBUG=1 on the debug kernel)
#   make          set up the host and build the kernel, QEMU and modules
#   make modules KDIR=/path/to/prepared/kernel
#                 build only the driver against your own kernel tree
#   make series   the kernel changes as a patch series, in build/series
#
# Everything expensive is cached under $(VDSA_CACHE) (default ~/.cache/vdsa).

ifneq ($(KDIR),)
.DEFAULT_GOAL := modules
else
.DEFAULT_GOAL := all
endif

LLVM ?= -22
DRIVER_DIR := drivers/vfio/mdev/idxd
GUEST := build/guest

.PHONY: all setup kernel qemu series modules modules_install guest run run-l2 run-migrate check bench fuzz soak rustfmt clean help

all: kernel qemu guest

setup:
	@tools/setup/setup.sh

kernel: setup
	@tools/kernel/build.sh >/dev/null

qemu: setup
	@tools/qemu/build.sh >/dev/null

# The driver alone, against a prepared kernel tree given as KDIR.
modules:
	@test -n "$(KDIR)" || { echo "usage: make modules KDIR=<kernel tree>"; exit 2; }
	$(MAKE) -C $(KDIR) LLVM=$(LLVM) M=$(CURDIR) CONFIG_VFIO_MDEV_IDXD=m modules

modules_install:
	@test -n "$(KDIR)" || { echo "usage: make modules_install KDIR=<kernel tree>"; exit 2; }
	$(MAKE) -C $(KDIR) LLVM=$(LLVM) M=$(CURDIR) CONFIG_VFIO_MDEV_IDXD=m modules_install

# What the emulated machine finds under /opt/vdsa. The C tests are static
# binaries built against the uapi headers of the project's kernel tree.
# tools/kernel/vfio-selftests.sh installs the headers there, and the vDSA
# selftests (programs and scripts) in tests/ through their kselftest
# Makefile in the prepared kernel tree. l2/ holds our QEMU, its libraries
# and firmware and the kernel, for vdsa-l2 (a nested guest); so this needs
# the kernel and QEMU built.
UAPI := build/kernel-headers

guest:
	@rm -rf $(GUEST)
	@mkdir -p $(GUEST)/bin $(GUEST)/tests
	@cp tools/vm/demo.sh $(GUEST)/bin/vdsa-demo
	@cp tools/vm/vdsa-l2 $(GUEST)/bin/vdsa-l2
	@cp tools/vm/l2-demo.sh $(GUEST)/bin/vdsa-l2-demo
	@$(CC) -static -O2 -Wall -Wextra -Werror -o $(GUEST)/bin/fifo-exec tools/vm/fifo-exec.c
	@tools/vm/l2-payload.sh $(GUEST)/l2
	@ln -s ../l2/bin/qemu-system-x86_64 ../l2/bin/mdevctl $(GUEST)/bin/
	@$(CC) -static -O2 -Wall -Wextra -Werror -o $(GUEST)/tests/isa_test tools/qemu/tests/isa_test.c
	@$(CC) -static -O2 -Wall -Wextra -Werror -pthread -o $(GUEST)/tests/mmio_remap_test \
		tools/qemu/tests/mmio_remap_test.c
	@tools/qemu/tests/store64b/build.sh $(GUEST)/tests/store64b && rm $(GUEST)/tests/store64b.elf
	@tools/kernel/vfio-selftests.sh $(GUEST)/tests
	@gcc -static -O2 -Wall -Wextra -Werror -I$(UAPI)/include \
		-o $(GUEST)/bin/vdsa_copy samples/vfio-mdev/vdsa_copy.c

run: kernel qemu guest
	@tools/vm/run -- vdsa-demo

# The nested-guest demo. L2_DEVICE selects what the nested guest gets
# through QEMU's vfio-pci: "vdsa", a vDSA created through sysfs (the
# default), or "pci", the emulated DSA itself. L2_BACKEND: "container" or
# "iommufd". L2_ACCEL: the nested guest's accelerator, "kvm" (kvm_amd in
# the emulated machine, the path production uses) or "tcg".
L2_DEVICE ?= vdsa
L2_BACKEND ?= container
L2_ACCEL ?= kvm
run-l2: kernel qemu guest
	@tools/vm/run --l2 --timeout 1800 -- vdsa-l2-demo $(L2_DEVICE) $(L2_BACKEND) $(L2_ACCEL)

# Migration of a nested guest between two vDSAs of one DSA, during its
# dmatest (tools/testing/selftests/vdsa/l2_migrate.sh): L2_MIGRATE "live"
# (from vDSA A to B and back) or "snapshot" (saved to a file on A, restored
# on B); each step, the migration's times and the vDSAs' counters printed.
L2_MIGRATE ?= live
run-migrate: kernel qemu guest
	@tools/vm/run --l2 --timeout 2400 -- /opt/vdsa/tests/l2_migrate.sh $(L2_BACKEND) \
		$(L2_ACCEL) $(if $(filter tcg,$(L2_ACCEL)),1000,20000) $(L2_MIGRATE)

check:
	tools/check.sh

# Benchmarks: ratios against a reference measured in the same boot.
bench:
	@tools/bench.sh

# The vDSA VFIO fuzzer at length (make check runs 10^4 operations):
# make fuzz [OPS=1000000] [SEED=0x...] [DEBUG=1] repeats a run from its
# printed seed, DEBUG=1 on the debug kernel.
OPS ?= 1000000
fuzz: kernel qemu guest
	@$(if $(DEBUG),tools/kernel/build.sh --debug >/dev/null &&) \
	tools/vm/run --kmemleak --timeout $$(( $(OPS) / 200 + 600 )) $(if $(DEBUG),--debug) \
		--qemu-arg -global --qemu-arg intel-dsa.max-xfer-shift=12 \
		-- /opt/vdsa/tests/run_tests.sh "vdsa_fuzz.sh 0b25 $(OPS) $(SEED)"

# The vDSA lifecycle soak (make check runs 10^3 cycles).
CYCLES ?= 10000
soak: kernel qemu guest
	@$(if $(DEBUG),tools/kernel/build.sh --debug >/dev/null &&) \
	tools/vm/run --kmemleak --timeout 7200 $(if $(DEBUG),--debug) -- \
		/opt/vdsa/tests/run_tests.sh "lifecycle_soak.sh 0b25 $(CYCLES) $(SEED)"

# The project's kernel changes as a git format-patch series against the base
# kernel, in build/series.
series:
	@tools/kernel/series.sh build/series

# Format the project's Rust code in place.
rustfmt: setup
	@tools/kernel/rustfmt.sh

clean:
	rm -rf build
	find $(DRIVER_DIR) \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name 'Module.symvers' -o -name 'modules.order' \) -delete

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'
