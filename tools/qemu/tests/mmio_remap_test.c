// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of our QEMU's memory map under TCG, run as root inside a VM
 * with two enqueue-testdevs and at least two CPUs (static binary:
 * gcc -static -O2 -pthread -o mmio_remap_test mmio_remap_test.c).
 *
 * CPU 1 reads the ID register of the enqueue-testdev with the higher BAR,
 * 16 reads in a row, again and again; meanwhile CPU 0 turns the memory
 * decoding of the other one off and on through its command register, so
 * that QEMU's flat view of memory changes under CPU 1's TLB. Every read
 * must return the ID. Without tools/qemu/patches/0009, a read that CPU 1
 * makes through a TLB entry filled before a change looks its section up in
 * the new view and reaches another region, or QEMU aborts in
 * iotlb_to_section().
 *
 * usage: mmio_remap_test [SECONDS]   (default 15)
 * Prints KTAP; exits 1 if a test failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "testdev.h"

#define TESTDEV_ID	0x4454534554514e45ULL	/* "ENQTESTD", register 0 */

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2

static volatile uint64_t *id_reg;
static volatile int stop;
static unsigned long long reads, wrong, first_wrong;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

#define READ1(i)	v[i] = *id_reg;
#define READ4(i)	READ1(i) READ1(i + 1) READ1(i + 2) READ1(i + 3)

static void *reader(void *arg)
{
	uint64_t v[16];

	(void)arg;
	if (pin(1))
		return NULL;
	while (!stop) {
		/* One basic block: a TB of 16 MMIO reads. */
		READ4(0) READ4(4) READ4(8) READ4(12)
		for (int i = 0; i < 16; i++) {
			if (v[i] != TESTDEV_ID && !wrong++)
				first_wrong = v[i];
		}
		reads += 16;
	}
	return NULL;
}

static void ktap_skip(const char *why)
{
	printf("TAP version 13\n1..1\nok 1 mmio_remap # SKIP %s\n", why);
	exit(0);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 15;
	unsigned long toggles = 0, toggle_errors = 0;
	struct testdev dev[2], *low, *high;
	uint16_t cmd, off, on;
	char path[400];
	pthread_t thread;
	time_t end;
	void *bar;
	int fd, cfg;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ktap_skip("needs two CPUs");
	if (find_testdevs(dev, 2) < 2)
		ktap_skip("needs two enqueue-testdevs (-device enqueue-testdev, twice)");
	low = dev[0].bar < dev[1].bar ? &dev[0] : &dev[1];
	high = low == &dev[0] ? &dev[1] : &dev[0];

	printf("TAP version 13\n1..3\n");
	snprintf(path, sizeof(path), "%s/resource0", high->dir);
	fd = open(path, O_RDONLY | O_SYNC);
	bar = fd < 0 ? MAP_FAILED :
		mmap(NULL, TESTDEV_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		printf("not ok 1 mmio_remap: map the register page of %s\n", high->dir);
		printf("ok 2 mmio_remap # SKIP no register page\nok 3 mmio_remap # SKIP no register page\n");
		return 1;
	}
	id_reg = bar;
	printf("%sok 1 mmio_remap: the register page of the testdev at %#llx reads its ID\n",
	       *id_reg == TESTDEV_ID ? "" : "not ", high->bar);

	snprintf(path, sizeof(path), "%s/config", low->dir);
	cfg = open(path, O_RDWR);
	if (cfg < 0 || pread(cfg, &cmd, 2, PCI_COMMAND) != 2) {
		printf("not ok 2 mmio_remap: read the command register of %s\n", low->dir);
		printf("ok 3 mmio_remap # SKIP no command register\n");
		return 1;
	}
	off = cmd & ~PCI_COMMAND_MEMORY;
	on = cmd | PCI_COMMAND_MEMORY;

	if (pthread_create(&thread, NULL, reader, NULL) || pin(0)) {
		printf("not ok 2 mmio_remap: start the reader on CPU 1\n");
		printf("ok 3 mmio_remap # SKIP no reader\n");
		return 1;
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		if (pwrite(cfg, &off, 2, PCI_COMMAND) != 2 ||
		    pwrite(cfg, &on, 2, PCI_COMMAND) != 2)
			toggle_errors++;
		toggles++;
	}
	stop = 1;
	pthread_join(thread, NULL);
	if (pwrite(cfg, &cmd, 2, PCI_COMMAND) != 2)
		toggle_errors++;

	printf("%sok 2 mmio_remap: the testdev at %#llx turned its memory decoding off and on %lu times (%lu failed writes)\n",
	       toggles && !toggle_errors ? "" : "not ", low->bar, toggles, toggle_errors);
	printf("# %llu reads on CPU 1, %llu wrong", reads, wrong);
	if (wrong)
		printf(" (the first: %#llx)", first_wrong);
	printf("\n%sok 3 mmio_remap: every read of the ID register while the memory map changed returned the ID\n",
	       reads && !wrong ? "" : "not ");
	return toggles && !toggle_errors && reads && !wrong ? 0 : 1;
}
