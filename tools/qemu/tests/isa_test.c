// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of the 64-byte store instructions of our QEMU, run as root
 * inside the VM (static binary: gcc -static -O2 -o isa_test isa_test.c):
 *   - CPUID and the flags Linux shows in /proc/cpuinfo (movdiri,
 *     movdir64b; enqcmd only if Linux accepted it);
 *   - MOVDIR64B and MOVDIRI results on ordinary memory, byte for byte;
 *   - MOVDIR64B to a destination not 64-byte aligned: #GP, a signal;
 *   - ENQCMDS from user mode: #GP (supervisor only), a signal;
 *   - ENQCMD from a process without a PASID: #GP, a signal;
 *   - if the VM has an enqueue-testdev (-device enqueue-testdev), MOVDIR64B
 *     to its portal mapped through sysfs resource0 arrives as one 64-byte
 *     store, and a faulting ENQCMD leaves the device untouched (else SKIP).
 * Prints KTAP; exits 1 if a test failed.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "testdev.h"

#define NTESTS 15

/* enqueue-testdev registers, if the VM has one */
#define TESTDEV_DIRECT	0x18
#define TESTDEV_ENQUEUED	0x20
#define TESTDEV_RETRIED	0x28
#define TESTDEV_PARTIAL	0x30
#define TESTDEV_LAST	0x40
#define TESTDEV_PORTAL	0x1000

static int test_number;
static int failures;
static int skipped;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signal;

static void result(bool ok, const char *name)
{
	test_number++;
	if (!ok)
		failures++;
	printf("%sok %d %s\n", ok ? "" : "not ", test_number, name);
}

static void skip(const char *name, const char *why)
{
	test_number++;
	skipped++;
	printf("ok %d %s # SKIP %s\n", test_number, name, why);
}

static void on_fault(int sig)
{
	fault_signal = sig;
	siglongjmp(fault_jmp, 1);
}

/* Runs fn(arg); returns the signal it raised (SIGSEGV, SIGBUS...) or 0. */
static int run_catching(void (*fn)(void *), void *arg)
{
	struct sigaction sa = { .sa_handler = on_fault };
	struct sigaction old_segv, old_bus, old_ill;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGILL, &sa, &old_ill);
	fault_signal = 0;
	if (!sigsetjmp(fault_jmp, 1))
		fn(arg);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGILL, &old_ill, NULL);
	return fault_signal;
}

/* Whether the "flags" line of the first CPU in /proc/cpuinfo has @flag. */
static bool cpuinfo_has(const char *flag)
{
	char line[8192];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5))
			continue;
		p = strchr(line, ':');
		for (p = p ? strtok(p + 1, " \n") : NULL; p; p = strtok(NULL, " \n"))
			if (!strcmp(p, flag))
				found = true;
		break;
	}
	fclose(f);
	return found;
}

static inline void movdir64b(void *dest, const void *src)
{
	asm volatile("movdir64b (%0), %1" : : "r"(src), "r"(dest) : "memory");
}

static inline void movdiri64(uint64_t *dest, uint64_t v)
{
	asm volatile("movdiri %1, %0" : "=m"(*dest) : "r"(v));
}

static inline void movdiri32(uint32_t *dest, uint32_t v)
{
	asm volatile("movdiri %1, %0" : "=m"(*dest) : "r"(v));
}

static uint8_t buf[256] __attribute__((aligned(64)));
static uint8_t src[128] __attribute__((aligned(64)));

static void do_movdir64b_misaligned(void *arg)
{
	(void)arg;
	movdir64b(buf + 8, src);
}

static void do_enqcmds(void *arg)
{
	(void)arg;
	asm volatile("enqcmds (%0), %1" : : "r"(src), "r"(buf) : "cc", "memory");
}

/* ENQCMD to @arg, or to ordinary memory if NULL. */
static void do_enqcmd(void *arg)
{
	void *dest = arg ? arg : buf;

	asm volatile("enqcmd (%0), %1" : : "r"(src), "r"(dest) : "cc", "memory");
}

/* Maps BAR 0 of the first enqueue-testdev, or returns NULL. */
static volatile uint8_t *map_testdev(void)
{
	char path[TESTDEV_DIR_MAX + 64];
	struct testdev dev[4];
	int n = find_testdevs(dev, 4);

	for (int i = 0; i < n; i++) {
		void *bar;
		int fd, len;

		len = snprintf(path, sizeof(path), "%s/resource0", dev[i].dir);
		if (len >= (int)sizeof(path))
			continue;
		fd = open(path, O_RDWR | O_SYNC);
		if (fd < 0)
			continue;
		bar = mmap(NULL, TESTDEV_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (bar != MAP_FAILED)
			return bar;
	}
	return NULL;
}

static uint64_t testdev_reg(volatile uint8_t *bar, unsigned int off)
{
	return *(volatile uint64_t *)(bar + off);
}

static bool all_bytes(const uint8_t *p, int n, uint8_t v)
{
	for (int i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

int main(void)
{
	unsigned int a, b, c, d;
	bool cpuid_enqcmd;
	int sig;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", NTESTS);

	__cpuid_count(7, 0, a, b, c, d);
	result((c >> 27) & 1 && (c >> 28) & 1,
	       "cpuid: movdiri and movdir64b (CPUID.7.0:ECX[27,28])");
	cpuid_enqcmd = (c >> 29) & 1;
	result(cpuid_enqcmd, "cpuid: enqcmd (CPUID.7.0:ECX[29])");
	result(cpuinfo_has("movdiri"), "/proc/cpuinfo: movdiri");
	result(cpuinfo_has("movdir64b"), "/proc/cpuinfo: movdir64b");
	if (cpuinfo_has("enqcmd"))
		result(true, "/proc/cpuinfo: enqcmd");
	else
		skip("/proc/cpuinfo: enqcmd",
		     "Linux clears enqcmd when the CPU has no XSAVES (PASID state)");

	/* MOVDIR64B: exactly 64 bytes, nothing around them. */
	for (int i = 0; i < 128; i++)
		src[i] = (uint8_t)(i * 13 + 1);
	memset(buf, 0xa5, sizeof(buf));
	movdir64b(buf + 64, src);
	result(!memcmp(buf + 64, src, 64) && all_bytes(buf, 64, 0xa5) &&
	       all_bytes(buf + 128, 128, 0xa5),
	       "movdir64b: ordinary memory gets exactly the 64 source bytes");

	memset(buf, 0xa5, sizeof(buf));
	movdir64b(buf + 128, src + 5);
	result(!memcmp(buf + 128, src + 5, 64) && all_bytes(buf, 128, 0xa5),
	       "movdir64b: an unaligned source is allowed");

	/* MOVDIRI: a 64-bit and a 32-bit store. */
	memset(buf, 0, sizeof(buf));
	movdiri64((uint64_t *)buf, 0x0123456789abcdefULL);
	movdiri32((uint32_t *)(buf + 8), 0xfeedf00du);
	result(*(uint64_t *)buf == 0x0123456789abcdefULL &&
	       *(uint32_t *)(buf + 8) == 0xfeedf00du && all_bytes(buf + 12, 20, 0),
	       "movdiri: ordinary memory gets the exact 64-bit and 32-bit values");

	/* Unaligned MOVDIRI is not an error. */
	memset(buf, 0, sizeof(buf));
	movdiri32((uint32_t *)(buf + 1), 0x11223344u);
	result(buf[1] == 0x44 && buf[4] == 0x11 && buf[0] == 0 && buf[5] == 0,
	       "movdiri: an unaligned destination is allowed");

	memset(buf, 0xa5, sizeof(buf));
	sig = run_catching(do_movdir64b_misaligned, NULL);
	result((sig == SIGSEGV || sig == SIGBUS) && all_bytes(buf, sizeof(buf), 0xa5),
	       "movdir64b: a destination not 64-byte aligned faults (#GP: SIGSEGV) and stores nothing");
	if (sig != SIGSEGV && sig != SIGBUS)
		printf("# signal %d\n", sig);

	sig = run_catching(do_enqcmds, NULL);
	result(sig == SIGSEGV, "enqcmds: faults in user mode (#GP: SIGSEGV)");
	if (sig != SIGSEGV)
		printf("# signal %d\n", sig);

	if (cpuid_enqcmd) {
		sig = run_catching(do_enqcmd, NULL);
		result(sig == SIGSEGV,
		       "enqcmd: faults without a PASID in IA32_PASID (#GP: SIGSEGV)");
		if (sig != SIGSEGV)
			printf("# signal %d\n", sig);
	} else {
		skip("enqcmd: faults without a PASID", "no ENQCMD in CPUID");
	}

	/* Sanity: the process survived the faults and memory is intact. */
	result(all_bytes(buf, sizeof(buf), 0xa5), "memory is unchanged by the faulting instructions");

	/* Through Linux's page tables to a device portal, as a DSA user portal. */
	volatile uint8_t *bar = map_testdev();

	if (bar) {
		uint64_t direct = testdev_reg(bar, TESTDEV_DIRECT);
		uint64_t partial = testdev_reg(bar, TESTDEV_PARTIAL);
		bool same = true;

		movdir64b((void *)(bar + TESTDEV_PORTAL), src);
		for (int i = 0; i < 64; i += 8)
			same &= testdev_reg(bar, TESTDEV_LAST + i) == *(uint64_t *)(src + i);
		result(testdev_reg(bar, TESTDEV_DIRECT) == direct + 1 &&
		       testdev_reg(bar, TESTDEV_PARTIAL) == partial && same,
		       "movdir64b: a mapped device portal receives one 64-byte store");

		direct = testdev_reg(bar, TESTDEV_DIRECT);
		sig = run_catching(do_enqcmd, (void *)(bar + TESTDEV_PORTAL));
		result(sig == SIGSEGV && testdev_reg(bar, TESTDEV_ENQUEUED) == 0 &&
		       testdev_reg(bar, TESTDEV_RETRIED) == 0 &&
		       testdev_reg(bar, TESTDEV_DIRECT) == direct,
		       "enqcmd: without a PASID nothing reaches the mapped portal (SIGSEGV)");
	} else {
		skip("movdir64b: a mapped device portal receives one 64-byte store",
		     "no enqueue-testdev (-device enqueue-testdev)");
		skip("enqcmd: without a PASID nothing reaches the mapped portal (SIGSEGV)",
		     "no enqueue-testdev");
	}

	printf("# %d passed, %d failed, %d skipped\n",
	       test_number - failures - skipped, failures, skipped);
	return failures ? 1 : 0;
}
