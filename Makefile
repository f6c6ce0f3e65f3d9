# SPDX-License-Identifier: GPL-2.0
#
# vDSA: VFIO mediated devices for Intel DSA work queues.
#
#   make run      boot the emulated SIOV machine and run the demo
#   make check    run every test (rustfmt, clippy build, KUnit, VM tests)
#   make bench    run the benchmarks: each figure, its reference, the goal
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

.PHONY: all setup kernel qemu series modules modules_install guest run check bench soak rustfmt clean help

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
# tools/kernel/vfio-selftests.sh installs the headers there.
UAPI := build/kernel-headers
SELFTESTS_C := mdev_test idxd_user_test vdsa_test lifecycle_soak

guest:
	@rm -rf $(GUEST)
	@mkdir -p $(GUEST)/bin $(GUEST)/tests
	@cp tools/testing/selftests/vdsa/*.sh $(GUEST)/tests/
	@cp tools/vm/demo.sh $(GUEST)/bin/vdsa-demo
	@$(CC) -static -O2 -Wall -Wextra -Werror -o $(GUEST)/tests/isa_test tools/qemu/tests/isa_test.c
	@tools/kernel/vfio-selftests.sh $(GUEST)/tests
	@for t in $(SELFTESTS_C); do \
		gcc -static -O2 -Wall -Werror -I$(UAPI)/include \
			-o $(GUEST)/tests/$$t tools/testing/selftests/vdsa/$$t.c || exit 1; \
	done
	@gcc -static -O2 -Wall -Wextra -Werror -I$(UAPI)/include \
		-o $(GUEST)/bin/vdsa_copy samples/vfio-mdev/vdsa_copy.c

run: kernel qemu guest
	@tools/vm/run -- vdsa-demo

check:
	tools/check.sh

# Benchmarks: ratios against a reference measured in the same boot.
bench:
	@tools/bench.sh

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
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'
