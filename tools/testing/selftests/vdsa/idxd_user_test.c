// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated DSA through the upstream idxd's user character device, with
 * shared virtual memory: WQ 0 of the given idxd device is configured as a
 * dedicated user WQ and WQ 1 as a shared one, with plain writes to idxd's
 * sysfs; the test opens /dev/dsa/wqN.0 and /dev/dsa/wqN.1, maps their
 * portals and submits MEMMOVE, FILL and COMPARE descriptors with MOVDIR64B
 * to the dedicated WQ and with ENQCMD to the shared one. The descriptors
 * carry the process's virtual addresses: the device reaches them through
 * the PASID that idxd bound to this process when it opened the WQ. Results
 * are checked byte for byte; a destination the process does not map must
 * fault at its address. At the end the WQs and the device are disabled.
 *
 * The platform must allow SVA (see tools/qemu/README.md): idxd built with
 * CONFIG_INTEL_IDXD_SVM, an IOMMU with first-stage tables, ATS and no PRI
 * on the DSA (faults are final: the buffers are touched first).
 *
 * usage: idxd_user_test DSA (e.g. dsa0, an idxd device with its engines
 * and WQs disabled)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dsa_desc.h"
#include "ktap.h"

#define BUF_SIZE	4096
#define PORTAL_SIZE	4096
#define NR_TESTS	16

static char dsa_dir[128];

/* Write @val to the file @path (a sysfs attribute) */
static int put_file(const char *path, const char *val)
{
	ssize_t len = strlen(val);
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, val, len) != len) {
		printf("# %s <- %s: %s\n", path, val, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Read the first line of the idxd attribute @attr of @obj into @val */
static int get(const char *obj, const char *attr, char *val, int size)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s%s%s", dsa_dir, obj, *obj ? "/" : "",
		 attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ret = fgets(val, size, f) ? 0 : -1;
	fclose(f);
	val[strcspn(val, "\n")] = 0;
	return ret;
}

/* Write @val to the idxd attribute @attr of @obj (dsaN: "", wqN.M...) */
static int put(const char *obj, const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s%s%s", dsa_dir, obj, *obj ? "/" : "",
		 attr);
	return put_file(path, val);
}

/* Bind (@op "bind") or unbind @obj (dsaN, wqN.M) to the dsa bus driver @drv */
static int dsa_driver(const char *drv, const char *op, const char *obj)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/dsa/drivers/%s/%s", drv, op);
	return put_file(path, obj);
}

/* Does the idxd attribute @attr of @obj read @want? */
static int reads(const char *obj, const char *attr, const char *want)
{
	char val[64];

	if (get(obj, attr, val, sizeof(val)))
		return 0;
	if (strcmp(val, want))
		printf("# %s %s: %s, want %s\n", *obj ? obj : "device", attr,
		       val, want);
	return !strcmp(val, want);
}

/* WQ 0 dedicated, WQ 1 shared, both user WQs in group 0 with engine 0 */
static int configure(const char *dsa, const char wq[2][32], int id)
{
	char eng[32];
	int i;

	snprintf(eng, sizeof(eng), "engine%d.0", id);
	if (put(eng, "group_id", "0"))
		return -1;
	for (i = 0; i < 2; i++) {
		if (put(wq[i], "group_id", "0") ||
		    put(wq[i], "mode", i ? "shared" : "dedicated") ||
		    put(wq[i], "size", "16") ||
		    (i && put(wq[i], "threshold", "15")) ||
		    put(wq[i], "priority", "10") ||
		    put(wq[i], "type", "user") ||
		    put(wq[i], "name", "idxd_user_test") ||
		    put(wq[i], "driver_name", "user"))
			return -1;
	}
	if (dsa_driver("idxd", "bind", dsa) || !reads("", "state", "enabled"))
		return -1;
	for (i = 0; i < 2; i++)
		if (dsa_driver("user", "bind", wq[i]) ||
		    !reads(wq[i], "state", "enabled"))
			return -1;
	return 0;
}

static int teardown(const char *dsa, const char wq[2][32])
{
	int i;

	for (i = 0; i < 2; i++)
		if (dsa_driver("user", "unbind", wq[i]) ||
		    !reads(wq[i], "state", "disabled"))
			return -1;
	if (dsa_driver("idxd", "unbind", dsa))
		return -1;
	return reads("", "state", "disabled") ? 0 : -1;
}

/*
 * The operations through one WQ: @d and @c are the descriptor and its
 * completion record, @src and @dst buffers of BUF_SIZE bytes, @hole an
 * address the process does not map.
 */
static void run(const char *wq, void *portal, bool shared,
		struct dsa_hw_desc *d, struct dsa_completion_record *c,
		uint8_t *src, uint8_t *dst, uint8_t *hole)
{
	char name[128];
	uint8_t st;
	int i, ok;

	for (i = 0; i < BUF_SIZE; i++)
		src[i] = (uint8_t)(i * 11 + shared);

	dsa_desc_init(d, DSA_OPCODE_MEMMOVE, (uintptr_t)c);
	d->src_addr = (uintptr_t)src;
	d->dst_addr = (uintptr_t)dst;
	d->xfer_size = BUF_SIZE;
	memset(dst, 0, BUF_SIZE);
	st = dsa_submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: MEMMOVE 4 KiB (status 0x%x)", wq, st);
	result(st == DSA_COMP_SUCCESS && c->bytes_completed == BUF_SIZE &&
	       !memcmp(src, dst, BUF_SIZE), "%s", name);

	dsa_desc_init(d, DSA_OPCODE_MEMFILL, (uintptr_t)c);
	d->pattern = 0x8877665544332211ull;
	d->dst_addr = (uintptr_t)dst;
	d->xfer_size = BUF_SIZE - 8;
	st = dsa_submit(portal, shared, d, c);
	for (ok = 1, i = 0; i < BUF_SIZE - 8; i++)
		ok &= dst[i] == (uint8_t)(0x11 * ((i & 7) + 1));
	snprintf(name, sizeof(name), "%s: FILL, nothing beyond (status 0x%x)",
		 wq, st);
	result(st == DSA_COMP_SUCCESS && ok &&
	       !memcmp(dst + BUF_SIZE - 8, src + BUF_SIZE - 8, 8), "%s", name);

	memcpy(dst, src, BUF_SIZE);
	dsa_desc_init(d, DSA_OPCODE_COMPARE, (uintptr_t)c);
	d->src_addr = (uintptr_t)src;
	d->src2_addr = (uintptr_t)dst;
	d->xfer_size = BUF_SIZE;
	st = dsa_submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: COMPARE equal (status 0x%x)", wq, st);
	result(st == DSA_COMP_SUCCESS && c->result == 0, "%s", name);
	dst[3000] ^= 0x40;
	st = dsa_submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: COMPARE different at 3000", wq);
	result(st == DSA_COMP_SUCCESS && c->result == 1 &&
	       c->bytes_completed == 3000, "%s", name);

	/* No page requests (PRI is off): the fault is the descriptor's */
	dsa_desc_init(d, DSA_OPCODE_MEMMOVE, (uintptr_t)c);
	d->src_addr = (uintptr_t)src;
	d->dst_addr = (uintptr_t)hole;
	d->xfer_size = BUF_SIZE;
	st = dsa_submit(portal, shared, d, c);
	snprintf(name, sizeof(name),
		 "%s: unmapped destination: page fault on write (status 0x%x)",
		 wq, st);
	result(st == (DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE) &&
	       c->fault_addr == (uintptr_t)hole && c->bytes_completed == 0,
	       "%s", name);
}

int main(int argc, char *argv[])
{
	struct dsa_completion_record *c;
	struct dsa_hw_desc *d;
	uint8_t *mem, *src, *dst, *hole;
	char wq[2][32];
	cpu_set_t cpus;
	int id, i;

	if (argc < 2 || sscanf(argv[1], "dsa%d", &id) != 1) {
		fprintf(stderr, "usage: %s dsaN\n", argv[0]);
		return 2;
	}
	printf("KTAP version 1\n1..%d\n", NR_TESTS);
	snprintf(dsa_dir, sizeof(dsa_dir), "/sys/bus/dsa/devices/%s", argv[1]);
	for (i = 0; i < 2; i++)
		snprintf(wq[i], sizeof(wq[i]), "wq%d.%d", id, i);

	/*
	 * Without XSAVES the kernel does not switch IA32_PASID with the task:
	 * stay on the CPU whose MSR the first ENQCMD's #GP fix-up sets.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	result(!sched_setaffinity(0, sizeof(cpus), &cpus),
	       "the test runs on CPU 0 only");

	result(reads("", "pasid_enabled", "1"),
	       "idxd gives user WQs a PASID (pasid_enabled is 1)");
	result(!configure(argv[1], wq, id),
	       "dedicated and shared user WQs configured and enabled");

	/*
	 * The descriptor, its record and two buffers, touched first (faults
	 * are final); the page after them a hole: reserved, so that nothing
	 * else lands there, and never present in the page tables.
	 */
	mem = mmap(NULL, 4 * BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		printf("# mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(mem, 0, 4 * BUF_SIZE);
	d = (struct dsa_hw_desc *)mem;
	c = (struct dsa_completion_record *)(mem + 256);
	src = mem + BUF_SIZE;
	dst = mem + 2 * BUF_SIZE;
	hole = mmap(mem + 3 * BUF_SIZE, BUF_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (hole == MAP_FAILED) {
		printf("# mmap: %s\n", strerror(errno));
		return 1;
	}

	for (i = 0; i < 2; i++) {
		const char *kind = i ? "shared WQ, ENQCMD" :
				       "dedicated WQ, MOVDIR64B";
		char path[64], name[128];
		void *portal = MAP_FAILED;
		int fd, k;

		snprintf(path, sizeof(path), "/dev/dsa/%s", wq[i]);
		fd = open(path, O_RDWR);
		if (fd < 0)
			printf("# open %s: %s\n", path, strerror(errno));
		else
			portal = mmap(NULL, PORTAL_SIZE, PROT_WRITE,
				      MAP_SHARED | MAP_POPULATE, fd, 0);
		snprintf(name, sizeof(name), "%s: open and map the portal",
			 kind);
		result(portal != MAP_FAILED, "%s", name);
		if (portal == MAP_FAILED) {
			for (k = 0; k < 5; k++)
				result(0, "no portal to submit to");
		} else {
			run(kind, portal, i, d, c, src, dst, hole);
			munmap(portal, PORTAL_SIZE);
		}
		if (fd >= 0)
			close(fd);
	}
	munmap(mem, 4 * BUF_SIZE);

	result(!teardown(argv[1], wq), "user WQs and the device disabled");
	printf("# Totals: pass:%d fail:%d\n", test_n - test_failed, test_failed);
	return test_failed ? 1 : 0;
}
