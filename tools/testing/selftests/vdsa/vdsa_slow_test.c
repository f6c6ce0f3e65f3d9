// SPDX-License-Identifier: GPL-2.0
/*
 * The slow path and the interrupts of a vDSA, through VFIO as a VMM or a
 * guest's DSA driver reaches them: the configuration space and BAR0
 * regions, the virtual commands, MSI-X vectors 0 and 1 through eventfds
 * (vector 1 backed by the parent's IMS), software errors, reset, and bad
 * input everywhere, on two vDSAs at once so that one's mistakes are seen
 * not to reach the other.
 *
 * usage: vdsa_slow_test BDF [bench N | irq N]
 *
 * BDF: a DSA bound to idxd_vdcm with vDSAs; prints KTAP. With "bench N",
 * the register and lifecycle benchmarks against mtty (N accesses); with
 * "irq N", one round of the completion interrupt benchmark (N NOOPs).
 * Both print "# " lines for vdsa_slow_bench.sh.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include "vdsa_dev.h"

#define BAR0_SIZE	4096
#define CFG_SIZE	4096
#define CYCLES		100

static const char *mode;

/* Points MSI-X vectors [start, start + n) at the eventfds @fds. */
static int set_msix(int fd, unsigned int start, unsigned int n, const int *fds)
{
	return vfio_set_eventfds(fd, VFIO_PCI_MSIX_IRQ_INDEX, start, n, fds);
}

static int irq_action(int fd, unsigned int index, unsigned int start,
		      unsigned int count, uint32_t flags)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s), .flags = flags, .index = index,
		.start = start, .count = count,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &s) ? -errno : 0;
}

/* The number after "completions" on the debugfs line of IMS handle @h. */
static long long completions(unsigned int h)
{
	char buf[4096], key[64], *p;

	if (read_str(debugfs, buf, sizeof(buf)))
		return -1;
	snprintf(key, sizeof(key), "handle %u completions ", h);
	p = strstr(buf, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/*
 * The WQs the device has enabled, as debugfs lists them: the host's ("wq N
 * MODE size S enabled") and the vDSAs' ("vdsa_wq N enabled ..."), as a
 * bitmap by WQ index; -1 if unreadable.
 */
static long long wqs_enabled(void)
{
	char buf[8192], *line, *save = NULL;
	long long map = 0;
	int wq;

	if (read_str(debugfs, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if ((sscanf(line, "wq %d ", &wq) == 1 || sscanf(line, "vdsa_wq %d ", &wq) == 1) &&
		    wq >= 0 && wq < 64 && strstr(line, " enabled"))
			map |= 1ll << wq;
	}
	return map;
}

/* An open vDSA with eventfds on both vectors. */
struct guest {
	struct vdsa v;
	int ev[2];
	unsigned int handle;
};

static int guest_open(const char *uuid, struct guest *g, int container)
{
	int ret;

	g->ev[0] = eventfd(0, EFD_NONBLOCK);
	g->ev[1] = eventfd(0, EFD_NONBLOCK);
	ret = container ? group_open(uuid, &g->v) : cdev_open(uuid, &g->v, 1);
	if (!ret)
		ret = set_msix(g->v.fd, 0, 2, g->ev);
	return ret;
}

static void guest_close(struct guest *g)
{
	vdsa_close(&g->v);
	close(g->ev[0]);
	close(g->ev[1]);
}

/*
 * Submits @n MEMMOVEs of a page with completion interrupts on vector 1, one
 * at a time: each must be copied and raise vector 1 (interrupts of
 * descriptors in flight together may merge, as MSIs do).
 */
static int copies_with_interrupts(struct guest *g, int n, uint16_t handle)
{
	struct dsa_hw_desc d;
	int i, ok = 1;

	for (i = 0; i < n; i++) {
		pattern(page(&g->v, SRC_PAGE + i % 16), PAGE, i);
		memset(compl(&g->v, i), 0, 32);
		dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(i));
		d.flags |= IDXD_OP_FLAG_RCI;
		d.int_handle = handle;
		d.src_addr = IOVA(SRC_PAGE + i % 16);
		d.dst_addr = IOVA(DST_PAGE + i % 16);
		d.xfer_size = PAGE;
		dsa_movdir64b(g->v.portal, &d);
		ok &= dsa_wait(compl(&g->v, i), DSA_WAIT_MS) == DSA_COMP_SUCCESS &&
		      !memcmp(page(&g->v, SRC_PAGE + i % 16), page(&g->v, DST_PAGE + i % 16),
			      PAGE) &&
		      eventfd_wait(g->ev[1], 2000) == 1;
	}
	return ok;
}

static void test_info(int fd)
{
	struct vfio_device_info dev = { .argsz = sizeof(dev) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0),
					 .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_irq_info msix = { .argsz = sizeof(msix),
				      .index = VFIO_PCI_MSIX_IRQ_INDEX };
	struct vfio_irq_info intx = { .argsz = sizeof(intx),
				      .index = VFIO_PCI_INTX_IRQ_INDEX };
	struct vfio_irq_info err = { .argsz = sizeof(err),
				     .index = VFIO_PCI_ERR_IRQ_INDEX };
	int efd = eventfd(0, 0);

	int ok = !ioctl(fd, VFIO_DEVICE_GET_INFO, &dev);

	result(ok && (dev.flags & VFIO_DEVICE_FLAGS_PCI) && (dev.flags & VFIO_DEVICE_FLAGS_RESET),
	       "%s: a PCI device that can be reset (flags %#x)", mode, dev.flags);
	result(!ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) && cfg.size == CFG_SIZE &&
	       cfg.flags == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	       "config region: 4 KiB, read-write");
	result(!ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &bar0) && bar0.size == BAR0_SIZE &&
	       bar0.flags == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	       "BAR0 region: 4 KiB, read-write, not mappable (trapped)");
	result(!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &msix) && msix.count == 2 &&
	       (msix.flags & VFIO_IRQ_INFO_EVENTFD) &&
	       !ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &intx) && intx.count == 0,
	       "interrupts: MSI-X with 2 vectors through eventfds, no INTx");
	result(!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &err) && err.count == 1 &&
	       (err.flags & VFIO_IRQ_INFO_EVENTFD) &&
	       !vfio_set_eventfds(fd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &efd) &&
	       vfio_set_eventfds(fd, VFIO_PCI_ERR_IRQ_INDEX, 1, 1, &efd) == -EINVAL,
	       "the error interrupt (device halt) takes an eventfd, as QEMU's error recovery asks");
	close(efd);
}

static uint16_t sysfs_id(const char *attr)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	return read_str(path, buf, sizeof(buf)) ? 0 : strtoul(buf, NULL, 0);
}

static void test_config(int fd)
{
	static uint8_t before[CFG_SIZE], after[CFG_SIZE], reset[CFG_SIZE], zero[CFG_SIZE];
	uint32_t gensts = ~0u;
	uint32_t bar_lo, bar_hi, bar2_lo;
	uint16_t vendor = sysfs_id("vendor"), device = sysfs_id("device");
	int i, ok, cap_ok;
	uint8_t next;

	/* The state at the start, written back at the end. */
	ok = !ioctl(fd, VFIO_DEVICE_RESET) && !vdsa_rw(fd, 0, VDSA_CFG, 0, before, CFG_SIZE);
	result(cfg_read16(fd, PCI_VENDOR_ID) == vendor && cfg_read16(fd, PCI_DEVICE_ID) == device,
	       "config: the parent's IDs %04x:%04x", vendor, device);
	result((cfg_read32(fd, PCI_CLASS_REVISION) >> 8) == 0x088000,
	       "config: class 0880 (system peripheral)");
	/* The capability list: PCI Express, then MSI-X with 2 vectors in BAR0. */
	next = cfg_read16(fd, PCI_CAPABILITY_LIST) & 0xff;
	cap_ok = (cfg_read16(fd, PCI_STATUS) & PCI_STATUS_CAP_LIST) && next == 0x40 &&
		 (cfg_read16(fd, 0x40) & 0xff) == PCI_CAP_ID_EXP;
	next = cfg_read16(fd, 0x40) >> 8;
	cap_ok &= next == 0x80 && (cfg_read16(fd, 0x80) & 0xff) == PCI_CAP_ID_MSIX &&
		  (cfg_read16(fd, 0x80 + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) == 1 &&
		  cfg_read32(fd, 0x80 + PCI_MSIX_TABLE) == 0x800 &&
		  cfg_read32(fd, 0x80 + PCI_MSIX_PBA) == 0xc00 && (cfg_read16(fd, 0x80) >> 8) == 0;
	result(cap_ok, "config: capabilities PCI Express (0x40), MSI-X (0x80, 2 vectors, table 0x800, PBA 0xc00)");

	/* BAR sizing, as firmware and VMMs do it. */
	cfg_write32(fd, PCI_BASE_ADDRESS_0, ~0u);
	cfg_write32(fd, PCI_BASE_ADDRESS_1, ~0u);
	cfg_write32(fd, PCI_BASE_ADDRESS_2, ~0u);
	bar_lo = cfg_read32(fd, PCI_BASE_ADDRESS_0);
	bar_hi = cfg_read32(fd, PCI_BASE_ADDRESS_1);
	bar2_lo = cfg_read32(fd, PCI_BASE_ADDRESS_2);
	result((bar_lo & ~0xfu) == 0xfffff000 && (bar_lo & 0x6) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	       bar_hi == ~0u && (bar2_lo & ~0xfu) == 0xffffc000,
	       "config: BAR0 sizes to 4 KiB (64-bit), BAR2 to 16 KiB (%#x %#x %#x)",
	       bar_lo, bar_hi, bar2_lo);

	/* Writes everywhere: only the writable bits change, nothing breaks. */
	for (i = 0; i < CFG_SIZE; i += 4)
		ok &= !cfg_write32(fd, i, 0xffffffff);
	ok &= !vdsa_rw(fd, 0, VDSA_CFG, 0, after, CFG_SIZE);
	result(ok && cfg_read16(fd, PCI_VENDOR_ID) == vendor &&
	       cfg_read16(fd, PCI_DEVICE_ID) == device &&
	       !memcmp(before + 0x100, after + 0x100, CFG_SIZE - 0x100) &&
	       !memcmp(before + 0x100, zero, CFG_SIZE - 0x100),
	       "config: all-ones written to every dword: IDs kept, extended space still reads 0");
	result(vdsa_rw(fd, 0, VDSA_CFG, CFG_SIZE - 2, before, 4) == -EINVAL &&
	       vdsa_rw(fd, 1, VDSA_CFG, CFG_SIZE, before, 1) == -EINVAL,
	       "config: accesses past 4 KiB fail with EINVAL");
	/*
	 * VFIO_DEVICE_RESET is a function level reset, which the PCI core wraps
	 * in a save and restore of the configuration space: as on vfio-pci, the
	 * space is kept, so BAR0 answers right after (a VMM resets, then reads).
	 */
	ok = !vdsa_rw(fd, 0, VDSA_CFG, 0, after, CFG_SIZE);
	ok &= !ioctl(fd, VFIO_DEVICE_RESET) && !vdsa_rw(fd, 0, VDSA_CFG, 0, reset, CFG_SIZE);
	for (i = 0; i < CFG_SIZE; i++)
		if (after[i] != reset[i]) {
			diag("config byte %#x: %#x after the reset, %#x before", i, reset[i],
			     after[i]);
			break;
		}
	ok &= !memcmp(after, reset, CFG_SIZE) && (cfg_read16(fd, PCI_COMMAND) & PCI_COMMAND_MEMORY);
	ok &= !vdsa_rw(fd, 0, VDSA_BAR0, R_GENSTS, &gensts, 4) && gensts == 0;
	result(ok,
	       "config: VFIO_DEVICE_RESET keeps it; BAR0 answers right after (GENSTS %#x)",
	       gensts);

	/* The values read at the start written back, as a VMM restores them. */
	for (i = 0, ok = 1; i < 0x100; i += 4) {
		uint32_t d;

		memcpy(&d, before + i, 4);
		ok &= !cfg_write32(fd, i, d);
	}
	ok &= !vdsa_rw(fd, 0, VDSA_CFG, 0, after, CFG_SIZE);
	for (i = 0; i < CFG_SIZE; i++)
		if (before[i] != after[i]) {
			diag("config byte %#x: %#x written back, %#x at the start", i, after[i],
			     before[i]);
			break;
		}
	result(ok && !memcmp(before, after, CFG_SIZE),
	       "config: the values read at the start, written back, read back");
}

/* Every offset and size of BAR0: the architected accesses work, the others fail. */
static void test_bar0_sweep(int fd, int other)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 8, 16 };
	uint64_t other_before[4], other_after[4];
	unsigned int off, i, bad = 0, good = 0;
	uint8_t buf[16];

	for (i = 0; i < 4; i++)
		other_before[i] = bar0_read64(other, R_GENCTRL + 8 * i);
	cfg_write16(fd, PCI_COMMAND, 0);
	/* Whatever the size: EIO comes before EINVAL. */
	result(vdsa_rw(fd, 0, VDSA_BAR0, R_VERSION, buf, 4) == -EIO &&
	       vdsa_rw(fd, 0, VDSA_BAR0, R_VERSION, buf, 16) == -EIO &&
	       vdsa_rw(fd, 1, VDSA_BAR0, R_GENCTRL, buf, 3) == -EIO,
	       "BAR0 with memory decoding off: EIO (4- and 16-byte reads, 3-byte write)");
	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (off = 0; off < BAR0_SIZE + 16; off++)
		for (i = 0; i < 6; i++) {
			size_t sz = sizes[i];
			int valid = (sz == 4 || sz == 8) && !(off % sz) && off + sz <= BAR0_SIZE;
			int ret = vdsa_rw(fd, 0, VDSA_BAR0, off, buf, sz);

			if (valid ? ret : ret != -EINVAL)
				bad++;
			else
				good++;
		}
	result(!bad, "BAR0 reads at every offset (to 4 KiB + 16) with sizes 1, 2, 3, 4, 8, 16: %u as architected, %u not",
	       good, bad);
	bad = good = 0;
	for (off = 0; off < BAR0_SIZE + 16; off++)
		for (i = 0; i < 6; i++) {
			size_t sz = sizes[i];
			int valid = (sz == 4 || sz == 8) && !(off % sz) && off + sz <= BAR0_SIZE;
			int ret;

			memset(buf, 0xff, sizeof(buf));
			ret = vdsa_rw(fd, 1, VDSA_BAR0, off, buf, sz);
			if (valid ? ret : ret != -EINVAL)
				bad++;
			else
				good++;
		}
	result(!bad, "BAR0 all-ones writes at every offset and size: %u as architected, %u not",
	       good, bad);
	for (i = 0; i < 4; i++)
		other_after[i] = bar0_read64(other, R_GENCTRL + 8 * i);
	result(!memcmp(other_before, other_after, sizeof(other_before)),
	       "the other vDSA's GENCTRL, GENSTS, INTCAUSE, CMD are unchanged");
	result(bar0_read32(fd, R_VERSION) == 0x100 && bar0_read64(fd, R_WQCAP) == bar0_read64(other, R_WQCAP),
	       "read-only registers kept their values");
	result(!ioctl(fd, VFIO_DEVICE_RESET), "reset after the sweeps");
}

/* What the guest driver reads at probe, and the parent's OPCAP and GENCAP limits. */
static void test_caps(int fd)
{
	uint64_t gencap, wqcap, table;
	long long wq_size = -1;
	char buf[4096], *p;
	int ok = 1, i, rfd;
	void *phys;

	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	gencap = bar0_read64(fd, R_GENCAP);
	wqcap = bar0_read64(fd, R_WQCAP);
	table = bar0_read64(fd, R_TABLE_OFF);
	p = read_str(debugfs, buf, sizeof(buf)) ? NULL : strstr(buf, "vdsa_wqs ");
	p = p ? strstr(p, " size ") : NULL;
	if (p)
		wq_size = strtoll(p + 6, NULL, 10);
	result(bar0_read32(fd, R_VERSION) == 0x100, "VERSION 1.0");
	result((gencap & (1ull << 4)) && !(gencap & (1ull << 31)) && !(gencap & (3ull << 12)),
	       "GENCAP: command capability, no configuration support, no event log (%#llx)",
	       (unsigned long long)gencap);
	result((wqcap & 0xffff) == (uint64_t)wq_size && ((wqcap >> 16) & 0xff) == 1 &&
	       (wqcap & (1ull << 49)) && !(wqcap & (1ull << 48)),
	       "WQCAP: one dedicated WQ of the physical WQ's %lld entries (%#llx)", wq_size,
	       (unsigned long long)wqcap);
	result((bar0_read64(fd, R_GRPCAP) & 0xff) == 1 && (bar0_read64(fd, R_ENGCAP) & 0xff) == 1,
	       "GRPCAP and ENGCAP: one group, one engine");
	result((table & 0xffff) == R_GRPCFG / 0x100 && ((table >> 16) & 0xffff) == R_WQCFG / 0x100 &&
	       ((table >> 32) & 0xffff) == R_MSIX_PERM / 0x100,
	       "TABLE_OFFSETS: GRPCFG 0x400, WQCFG 0x500, MSIX_PERM 0x600");
	result(bar0_read32(fd, R_CMDCAP) == 0x67fe,
	       "CMDCAP: device and WQ commands and interrupt handles, not drain/abort PASID");
	result(bar0_read64(fd, R_GRPCFG) == 1 && bar0_read64(fd, R_GRPCFG + 0x20) == 1 &&
	       bar0_read32(fd, R_WQCFG) == (uint32_t)wq_size && (bar0_read32(fd, R_WQCFG + 8) & 1),
	       "GRPCFG: WQ 0 and engine 0 in group 0; WQCFG: size, dedicated");
	bar0_write32(fd, R_WQCFG, 1);
	result(bar0_read32(fd, R_WQCFG) == (uint32_t)wq_size, "WQCFG is read-only");

	/* The parent's own registers, mapped read-only through sysfs. */
	snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/resource0", bdf);
	rfd = open(buf, O_RDONLY);
	phys = rfd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, rfd, 0);
	if (phys == MAP_FAILED) {
		diag("cannot map %s: %s", buf, strerror(errno));
		ok = 0;
	} else {
		for (i = 0; i < 4; i++)
			ok &= ((volatile uint64_t *)phys)[R_OPCAP / 8 + i] ==
			      bar0_read64(fd, R_OPCAP + 8 * i);
		ok &= ((gencap >> 16) & 0x1f) <=
		      ((((volatile uint64_t *)phys)[R_GENCAP / 8] >> 16) & 0x1f);
		munmap(phys, 4096);
	}
	if (rfd >= 0)
		close(rfd);
	result(ok, "OPCAP is the parent's; the transfer limit is no larger than its");
}

/* The upstream idxd driver's sequence, every register and status checked. */
static void test_sequence(struct guest *g, const char *other_uuid)
{
	int fd = g->v.fd;
	long long before, after;
	uint32_t sts, h;

	(void)other_uuid;
	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	result(vdsa_cmd(fd, C_RESET_DEVICE, 0, 0) == 0 && bar0_read32(fd, R_GENSTS) == 0,
	       "%s: reset device: CMDSTS 0, GENSTS disabled", mode);
	bar0_write32(fd, R_GENCTRL, GENCTRL_SOFTERR | GENCTRL_HALT);
	result(bar0_read32(fd, R_GENCTRL) == (GENCTRL_SOFTERR | GENCTRL_HALT),
	       "GENCTRL: software error and halt interrupts enabled");
	result(vdsa_cmd(fd, C_ENABLE_WQ, 0, 0) == E_DEVICE_NOT_ENABLED,
	       "enable WQ before the device: 0x20");
	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY);
	result(vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 0) == E_BUS_MASTER,
	       "enable device without bus mastering: 0x12");
	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	result(vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 1) == 0 && (bar0_read32(fd, R_GENSTS) & 3) == 1,
	       "enable device: CMDSTS 0, GENSTS enabled");
	result(fired(g->ev[0], 2000) && bar0_read32(fd, R_INTCAUSE) == INTCAUSE_COMMAND,
	       "its completion interrupt arrives on vector 0's eventfd, INTCAUSE command");
	bar0_write32(fd, R_INTCAUSE, INTCAUSE_COMMAND);
	result(bar0_read32(fd, R_INTCAUSE) == 0, "INTCAUSE is write 1 to clear");
	result(vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 0) == E_DEVICE_ENABLED,
	       "enable device twice: 0x10");
	result(vdsa_cmd(fd, C_ENABLE_WQ, 1, 0) == E_INVALID_WQ, "enable WQ 1: 0x02");
	result(vdsa_cmd(fd, C_ENABLE_WQ, 0, 0) == 0 && (bar0_read32(fd, R_WQCFG + 0x18) >> 30) == 1,
	       "enable WQ 0: CMDSTS 0, WQCFG state enabled");
	result(vdsa_cmd(fd, C_ENABLE_WQ, 0, 0) == E_WQ_ENABLED, "enable it twice: 0x21");
	result(vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 0, 0) == E_INVALID_INT_IDX &&
	       vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 1 | 1 << 16, 0) == E_INVALID_INT_IDX &&
	       vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 2, 0) == E_INVALID_INT_IDX,
	       "request interrupt handle for vector 0, an IMS entry, vector 2: 0x41");
	sts = vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 1, 0);
	h = sts >> 8 & 0xffff;
	before = completions(h);
	result((sts & 0xff) == 0 && before >= 0,
	       "request interrupt handle for vector 1: handle %u, the WQ's IMS vector", h);
	g->handle = h;
	result(copies_with_interrupts(g, 32, h),
	       "32 MEMMOVEs with completion interrupts: each copied and signalled on vector 1's eventfd");
	after = completions(h);
	result(after - before == 32, "the WQ's IMS vector counted them: %lld", after - before);
	result(!fired(g->ev[0], 0), "nothing on vector 0 meanwhile");
	result(vdsa_cmd(fd, C_DRAIN_WQ, 1, 0) == 0 && vdsa_cmd(fd, C_DRAIN_ALL, 0, 0) == 0 &&
	       vdsa_cmd(fd, C_ABORT_WQ, 1, 0) == 0 && vdsa_cmd(fd, C_ABORT_ALL, 0, 0) == 0,
	       "drain WQ, drain all, abort WQ, abort all: CMDSTS 0");
	result(vdsa_cmd(fd, C_DRAIN_WQ, 2, 0) == E_INVALID_WQ &&
	       vdsa_cmd(fd, C_DRAIN_WQ, 0, 0) == E_INVALID_WQ &&
	       vdsa_cmd(fd, C_DISABLE_WQ, 1 << 16 | 1, 0) == E_INVALID_WQ,
	       "WQ mask naming another WQ, no WQ, another block: 0x02");
	result(vdsa_cmd(fd, C_DRAIN_PASID, 0, 0) == E_INVALID_CMD &&
	       vdsa_cmd(fd, C_ABORT_PASID, 0, 0) == E_INVALID_CMD &&
	       vdsa_cmd(fd, 0, 0, 0) == E_INVALID_CMD && vdsa_cmd(fd, 15, 0, 0) == E_INVALID_CMD &&
	       vdsa_cmd(fd, 31, 0xfffff, 0) == E_INVALID_CMD,
	       "drain/abort PASID and codes 0, 15, 31: 0x01");
	result(vdsa_cmd(fd, C_RELEASE_INT_HANDLE, h + 1, 0) == E_INVALID_INT_IDX &&
	       vdsa_cmd(fd, C_RELEASE_INT_HANDLE, h, 0) == 0 &&
	       vdsa_cmd(fd, C_RELEASE_INT_HANDLE, h, 0) == E_INVALID_INT_IDX,
	       "release a handle not given: 0x41; release it: 0; twice: 0x41");
	sts = vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 1, 0);
	result((sts & 0xff) == 0 && (sts >> 8 & 0xffff) == h, "request it again: the same handle");
	result(vdsa_cmd(fd, C_DISABLE_WQ, 1, 0) == 0 && (bar0_read32(fd, R_WQCFG + 0x18) >> 30) == 0,
	       "disable WQ: CMDSTS 0, WQCFG state disabled");
	result(vdsa_cmd(fd, C_DISABLE_WQ, 1, 0) == E_WQ_NOT_ENABLED, "disable it twice: 0x32");
	result(vdsa_cmd(fd, C_DISABLE_DEVICE, 0, 0) == 0 && bar0_read32(fd, R_GENSTS) == 0 &&
	       vdsa_cmd(fd, C_DISABLE_DEVICE, 0, 0) == E_DISABLE_NOT_ENABLED,
	       "disable device: CMDSTS 0, GENSTS disabled; twice: 0x31");
	/* Masking vector 0 holds its interrupt until unmasked. */
	fired(g->ev[0], 0);
	irq_action(fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1,
		   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK);
	vdsa_cmd(fd, C_DRAIN_ALL, 0, 1);
	result(!fired(g->ev[0], 100), "vector 0 masked: a command's interrupt waits");
	irq_action(fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1,
		   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK);
	result(fired(g->ev[0], 1000), "unmasked: it arrives");
	bar0_write32(fd, R_INTCAUSE, ~0u);
	result(!irq_action(fd, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1,
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) &&
	       fired(g->ev[1], 1000), "a loopback trigger of vector 1 signals its eventfd");
}

/*
 * Every command code with all-ones and zero operands, with and without
 * int_req, in each device state: each completes with an architected
 * status, never stays active, and the vDSA still works afterwards.
 */
/*
 * Every command code with operands 0 and all-ones, with and without an
 * interrupt request, in each device state, on @g: each ends with an
 * architected CMDSTS, and no other WQ changes state, the WQ of the other
 * open vDSA @other (enabled throughout) and the host's included.
 */
static void test_all_codes(struct guest *g, struct guest *other)
{
	long long before, after;
	static const uint8_t codes[] = { 0, E_INVALID_CMD, E_INVALID_WQ, E_DEVICE_ENABLED,
					 E_BUS_MASTER, E_DEVICE_NOT_ENABLED, E_WQ_ENABLED,
					 E_DISABLE_NOT_ENABLED, E_WQ_NOT_ENABLED,
					 E_INVALID_INT_IDX };
	unsigned int code, state, k, bad = 0, runs = 0;
	int fd = g->v.fd;
	uint32_t sts;

	ioctl(other->v.fd, VFIO_DEVICE_RESET);
	vdsa_enable(other->v.fd);
	ioctl(fd, VFIO_DEVICE_RESET);
	before = wqs_enabled();
	for (state = 0; state < 3; state++)
		for (code = 0; code < 32; code++)
			for (k = 0; k < 4; k++) {
				ioctl(fd, VFIO_DEVICE_RESET);
				cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
				if (state >= 1)
					vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 0);
				if (state >= 2)
					vdsa_cmd(fd, C_ENABLE_WQ, 0, 0);
				sts = vdsa_cmd(fd, code, k & 1 ? 0xfffff : 0, k & 2);
				runs++;
				if (sts & CMDSTS_ACTIVE || !memchr(codes, sts & 0xff, sizeof(codes))) {
					diag("code %u operand %#x state %u: CMDSTS %#x", code,
					     k & 1 ? 0xfffff : 0, state, sts);
					bad++;
				}
			}
	result(!bad, "%s: every command code, operands 0 and all-ones, in 3 states: %u architected, %u not",
	       mode, runs - bad, bad);
	ioctl(fd, VFIO_DEVICE_RESET);
	after = wqs_enabled();
	result(before > 0 && after == before,
	       "no other WQ changed state (enabled before %#llx, after %#llx)",
	       before, after);
	result(memmove_iova(&other->v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS,
	       "the other vDSA copies");
	result(!vdsa_enable(fd) &&
	       memmove_iova(&g->v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS &&
	       !ioctl(fd, VFIO_DEVICE_RESET), "and then it copies");
}

/* A software error of one vDSA reaches its SWERR and vector 0, not the other's. */
static void test_swerr(struct guest *a, struct guest *b)
{
	struct dsa_hw_desc d;
	uint64_t e0;
	int fd = a->v.fd;

	vdsa_enable(fd);
	vdsa_enable(b->v.fd);
	bar0_write32(fd, R_GENCTRL, GENCTRL_SOFTERR);
	bar0_write32(b->v.fd, R_GENCTRL, GENCTRL_SOFTERR);
	fired(a->ev[0], 0);
	fired(b->ev[0], 0);
	/* A completion record address that is not 32-byte aligned. */
	dsa_desc_init(&d, DSA_OPCODE_NOOP, compl_iova(0) + 8);
	dsa_movdir64b(a->v.portal, &d);
	result(fired(a->ev[0], 3000) && (bar0_read32(fd, R_INTCAUSE) & INTCAUSE_ERROR),
	       "a misaligned completion record: vector 0 and INTCAUSE error on this vDSA");
	e0 = bar0_read64(fd, R_SWERR);
	result((e0 & 1) && (e0 & (1 << 3)) && ((e0 >> 16) & 0xff) == 0 && (e0 >> 40) == 0 &&
	       bar0_read64(fd, R_SWERR + 0x10) == compl_iova(0) + 8,
	       "SWERR: valid, on WQ 0, no host PASID shown, the faulting address (%#llx)",
	       (unsigned long long)e0);
	result(!fired(b->ev[0], 200) && bar0_read64(b->v.fd, R_SWERR) == 0 &&
	       bar0_read32(b->v.fd, R_INTCAUSE) == 0,
	       "the other vDSA saw nothing");
	bar0_write64(fd, R_SWERR, 3);
	bar0_write32(fd, R_INTCAUSE, INTCAUSE_ERROR);
	e0 = bar0_read64(fd, R_SWERR);
	result(!(e0 & 3) && bar0_read32(fd, R_INTCAUSE) == 0,
	       "SWERR valid and overflow, INTCAUSE are write 1 to clear (%#llx)",
	       (unsigned long long)e0);
	/* Another vDSA's interrupt handle: refused, nothing raised there. */
	if (b->handle) {
		long long before = completions(b->handle);
		struct dsa_hw_desc x;
		uint8_t st;

		fired(b->ev[1], 0);
		dsa_desc_init(&x, DSA_OPCODE_NOOP, compl_iova(0));
		x.flags |= IDXD_OP_FLAG_RCI;
		x.int_handle = b->handle;
		st = dsa_submit(a->v.portal, false, &x, compl(&a->v, 0));
		result(st == DSA_COMP_INT_HANDLE_INVAL && !fired(b->ev[1], 200) &&
		       completions(b->handle) == before,
		       "the other vDSA's interrupt handle: status 0x19, no interrupt there");
	}
	/* A bad opcode: the completion record says so. */
	dsa_desc_init(&d, 0x7f, compl_iova(0));
	result(submit(&a->v, &d) == DSA_COMP_BAD_OPCODE, "an unknown opcode: status 0x10 in the record");
}

static void test_set_irqs(int fd)
{
	int ev = eventfd(0, 0), nul = open("/dev/null", O_RDONLY), bad = 12345;
	char buf[sizeof(struct vfio_irq_set) + 8];
	struct vfio_irq_set *s = (void *)buf;
	int ok;

	ok = set_msix(fd, 2, 1, &ev) == -EINVAL && set_msix(fd, 1, 2, (int[]){ ev, ev }) == -EINVAL;
	result(ok, "SET_IRQS: vectors past 1: EINVAL");
	result(set_msix(fd, 0, 1, &bad) == -EBADF && set_msix(fd, 0, 1, &nul) == -EINVAL,
	       "SET_IRQS: a closed fd: EBADF; not an eventfd: EINVAL");
	result(irq_action(fd, 9, 0, 1, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) == -EINVAL &&
	       irq_action(fd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
			  VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) == -EINVAL &&
	       irq_action(fd, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
			  VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) == -EINVAL,
	       "SET_IRQS: index 9, INTx, MSI: EINVAL");
	s->argsz = sizeof(*s) + 4;
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK;
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = 0;
	s->count = 1;
	memcpy(s->data, &ev, 4);
	result(ioctl(fd, VFIO_DEVICE_SET_IRQS, s) && errno == EINVAL,
	       "SET_IRQS: unmask through an eventfd on MSI-X: EINVAL");
	result(!irq_action(fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0,
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER),
	       "SET_IRQS: count 0 disables both vectors");
	close(ev);
	close(nul);
}

/* Reset with descriptors in flight, then the vDSA works again. */
static void test_reset_in_flight(struct guest *g)
{
	struct dsa_hw_desc d;
	int i, fd = g->v.fd;

	vdsa_enable(fd);
	for (i = 0; i < 16; i++) {
		dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(i));
		d.src_addr = IOVA(SRC_PAGE + i);
		d.dst_addr = IOVA(DST_PAGE + i);
		d.xfer_size = PAGE;
		dsa_movdir64b(g->v.portal, &d);
	}
	result(!ioctl(fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET with 16 descriptors in flight");
	cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	result(bar0_read32(fd, R_GENSTS) == 0 && bar0_read32(fd, R_CMD) == 0 &&
	       bar0_read32(fd, R_CMDSTS) == 0 && bar0_read32(fd, R_INTCAUSE) == 0 &&
	       bar0_read32(fd, R_GENCTRL) == 0 && (bar0_read32(fd, R_WQCFG + 0x18) >> 30) == 0,
	       "after it: device and WQ disabled, registers at their reset values");
	result(!vdsa_enable(fd) &&
	       memmove_iova(&g->v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS,
	       "enabled again, it copies");
	vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 0);
	result(vdsa_cmd(fd, C_RESET_DEVICE, 0, 0) == 0 && bar0_read32(fd, R_GENSTS) == 0 &&
	       (bar0_read32(fd, R_WQCFG + 0x18) >> 30) == 0,
	       "the reset device command does the same");
}

static void test_cycles(const char *uuid)
{
	struct guest g;
	int i, ok = 1;

	for (i = 0; i < CYCLES && ok; i++) {
		int o = guest_open(uuid, &g, 0), m = -1, r = -1;

		if (!o)
			m = memmove_iova(&g.v, IOVA(SRC_PAGE), IOVA(DST_PAGE), 256);
		if (m == DSA_COMP_SUCCESS)
			r = ioctl(g.v.fd, VFIO_DEVICE_RESET);
		ok = !o && m == DSA_COMP_SUCCESS && !r &&
		     !cfg_write16(g.v.fd, PCI_COMMAND, PCI_COMMAND_MEMORY) &&
		     bar0_read32(g.v.fd, R_GENSTS) == 0;
		guest_close(&g);
		if (!ok)
			diag("cycle %d failed: open %d, copy %#x, reset %d", i, o, m, r);
	}
	result(ok, "%d open/enable/copy/reset/close cycles", CYCLES);
}

static void run(int container)
{
	char ua[64], ub[64];
	struct guest a, b;

	mode = container ? "container" : "iommufd";
	make_uuid(ua, 0x3000 + container * 2);
	make_uuid(ub, 0x3001 + container * 2);
	if (!result(!mdev_create(ua) && !mdev_create(ub), "%s: create vDSAs A and B", mode))
		return;
	if (result(!guest_open(ua, &a, container) && !guest_open(ub, &b, container),
		   "%s: open both, eventfds on vectors 0 and 1", mode)) {
		if (!container) {
			test_info(a.v.fd);
			test_config(a.v.fd);
			test_caps(a.v.fd);
		}
		test_sequence(&b, ua);
		test_sequence(&a, ub);
		test_swerr(&a, &b);
		if (!container) {
			test_all_codes(&a, &b);
			test_set_irqs(a.v.fd);
			test_bar0_sweep(a.v.fd, b.v.fd);
		}
		test_reset_in_flight(&a);
		result(!ioctl(b.v.fd, VFIO_DEVICE_RESET) && !vdsa_enable(b.v.fd) &&
		       memmove_iova(&b.v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS,
		       "B still copies");
	}
	guest_close(&a);
	guest_close(&b);
	if (!container)
		test_cycles(ua);
	result(!mdev_remove(ua) && !mdev_remove(ub) && !mdev_exists(ua) && !mdev_exists(ub),
	       "remove both");
}

/* Benchmarks against the mtty sample, the kernel's reference mdev. */
#define MTTY_TYPES	"/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Mean ns of @n accesses of @len bytes at @off of region @region. */
static double access_ns(int fd, int write, uint64_t region, uint64_t off, size_t len, long n)
{
	uint64_t v = 0;
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		if (vdsa_rw(fd, write, region, off, &v, len))
			return -1;
	return (now_ns() - t0) / n;
}

/*
 * Mean us of @n create/open/close/remove cycles of the type in types_dir,
 * and of each of the four steps in @step.
 */
static double cycle_us(unsigned int base, long n, double step[4])
{
	double t0 = now_ns(), t[5];
	char uuid[64];
	struct vdsa v;
	long i;
	int k;

	for (k = 0; k < 4; k++)
		step[k] = 0;
	for (i = 0; i < n; i++) {
		make_uuid(uuid, base + i);
		t[0] = now_ns();
		if (mdev_create(uuid))
			return -1;
		t[1] = now_ns();
		if (cdev_open(uuid, &v, 0))
			return -1;
		t[2] = now_ns();
		vdsa_close(&v);
		t[3] = now_ns();
		if (mdev_remove(uuid))
			return -1;
		t[4] = now_ns();
		for (k = 0; k < 4; k++)
			step[k] += t[k + 1] - t[k];
	}
	for (k = 0; k < 4; k++)
		step[k] /= n * 1000.0;
	return (now_ns() - t0) / n / 1000;
}

/*
 * The cycle of the vDSA type (@vdsa_types) and of mtty's, @n each, in 10
 * alternating rounds: the lowest round mean of each and that round's
 * steps, as interleaved() does for register accesses.
 */
static int cycles(const char *vdsa_types, long n, double *t, double st[4],
		  double *mt, double mst[4])
{
	double a, b, sa[4], sb[4];
	int r;

	*t = *mt = 1e18;
	for (r = 0; r < 10; r++) {
		snprintf(types_dir, sizeof(types_dir), "%s", vdsa_types);
		a = cycle_us(0x5000 + r * 0x100, n / 10, sa);
		snprintf(types_dir, sizeof(types_dir), "%s", MTTY_TYPES);
		b = cycle_us(0x7000 + r * 0x100, n / 10, sb);
		if (a < 0 || b < 0)
			return -1;
		if (a < *t) {
			*t = a;
			memcpy(st, sa, sizeof(sa));
		}
		if (b < *mt) {
			*mt = b;
			memcpy(mst, sb, sizeof(sb));
		}
	}
	return 0;
}

/*
 * The mean time from submitting a NOOP that asks for a completion interrupt
 * on vector 1 to vector 1's eventfd, one descriptor at a time.
 */
static double irq_us(const char *uuid, long n)
{
	struct dsa_hw_desc d;
	struct guest g;
	double t0, t = -1;
	uint32_t sts;
	long i;
	int ok;

	ok = !guest_open(uuid, &g, 0);
	sts = ok ? vdsa_cmd(g.v.fd, C_REQUEST_INT_HANDLE, 1, 0) : ~0u;
	ok &= (sts & 0xff) == 0;
	t0 = now_ns();
	for (i = 0; i < n && ok; i++) {
		dsa_desc_init(&d, DSA_OPCODE_NOOP, compl_iova(0));
		d.flags |= IDXD_OP_FLAG_RCI;
		d.int_handle = sts >> 8 & 0xffff;
		memset(compl(&g.v, 0), 0, 32);
		dsa_movdir64b(g.v.portal, &d);
		ok = fired(g.ev[1], 1000) && compl(&g.v, 0)->status == DSA_COMP_SUCCESS;
	}
	if (ok)
		t = (now_ns() - t0) / n / 1000;
	guest_close(&g);
	return t;
}

/*
 * The ns per access of (@fd, @off, @len) and of (@mfd, @moff, @mlen): the
 * lowest mean of 20 alternating rounds each, the figure least disturbed by
 * whatever else the machine runs.
 */
static int interleaved(int write, int fd, uint64_t region, uint64_t off, size_t len,
		       int mfd, uint64_t moff, size_t mlen, long n, double *t, double *mt)
{
	double a, b;
	int r;

	*t = *mt = 1e18;
	for (r = 0; r < 20; r++) {
		a = access_ns(fd, write, region, off, len, n / 20);
		b = access_ns(mfd, write, region, moff, mlen, n / 20);
		if (a < 0 || b < 0)
			return -1;
		*t = a < *t ? a : *t;
		*mt = b < *mt ? b : *mt;
	}
	return 0;
}

static int run_bench(long n)
{
	double rd, wr, mrd, mwr, cfg, mcfg, cyc, mcyc, zrd, zwr, x;
	double st[4] = { 0 }, mst[4] = { 0 };
	char uuid[64], mu[64], vdsa_types[sizeof(types_dir)];
	struct vdsa v, m;
	int ret = 0, zfd;

	make_uuid(uuid, 0x4000);
	make_uuid(mu, 0x6000);
	snprintf(types_dir, sizeof(types_dir), "%s", MTTY_TYPES);
	if (mdev_create(mu) || cdev_open(mu, &m, 0))
		return 1;
	snprintf(vdsa_types, sizeof(vdsa_types),
		 "/sys/bus/pci/devices/%s/mdev_supported_types/" TYPE, bdf);
	snprintf(types_dir, sizeof(types_dir), "%s", vdsa_types);
	if (mdev_create(uuid) || cdev_open(uuid, &v, 0))
		return 1;
	cfg_write16(v.fd, PCI_COMMAND, PCI_COMMAND_MEMORY);
	/* BAR0: GENSTS and GENCTRL; mtty's UART line status and scratch registers. */
	ret |= interleaved(0, v.fd, VDSA_BAR0, R_GENSTS, 4, m.fd, 5, 1, n, &rd, &mrd);
	ret |= interleaved(1, v.fd, VDSA_BAR0, R_GENCTRL, 4, m.fd, 7, 1, n, &wr, &mwr);
	/* The vendor and device IDs of the configuration space. */
	ret |= interleaved(0, v.fd, VDSA_CFG, 0, 4, m.fd, 0, 4, n, &cfg, &mcfg);
	/*
	 * What any pread or pwrite of 4 bytes costs before a driver sees it:
	 * the same calls on /dev/zero, whose read clears the buffer and whose
	 * write does nothing.
	 */
	zfd = open("/dev/zero", O_RDWR);
	ret |= zfd < 0;
	if (zfd >= 0) {
		ret |= interleaved(0, zfd, VDSA_BAR0, R_GENSTS, 4, m.fd, 5, 1, n, &zrd, &x);
		ret |= interleaved(1, zfd, VDSA_BAR0, R_GENCTRL, 4, m.fd, 7, 1, n, &zwr, &x);
		close(zfd);
	}
	vdsa_close(&v);
	vdsa_close(&m);
	mdev_remove(mu);
	mdev_remove(uuid);
	ret |= cycles(vdsa_types, n / 100, &cyc, st, &mcyc, mst);
	printf("# slow bar0_read_ns=%.0f mtty_read_ns=%.0f bar0_write_ns=%.0f mtty_write_ns=%.0f cfg_read_ns=%.0f mtty_cfg_read_ns=%.0f vdsa_cycle_us=%.0f mtty_cycle_us=%.0f\n",
	       rd, mrd, wr, mwr, cfg, mcfg, cyc, mcyc);
	printf("# floor zero_read_ns=%.0f zero_write_ns=%.0f\n", zrd, zwr);
	printf("# cycle vdsa_create_us=%.0f vdsa_open_us=%.0f vdsa_close_us=%.0f vdsa_remove_us=%.0f mtty_create_us=%.0f mtty_open_us=%.0f mtty_close_us=%.0f mtty_remove_us=%.0f\n",
	       st[0], st[1], st[2], st[3], mst[0], mst[1], mst[2], mst[3]);
	return ret || cyc < 0 || mcyc < 0;
}

/*
 * One round of the interrupt benchmark: @n NOOPs through a fresh vDSA, its
 * mean in "# irq vdsa_irq_us=".
 */
static int run_irq(long n)
{
	double irq;
	char uuid[64];

	make_uuid(uuid, 0x4000);
	if (mdev_create(uuid))
		return 1;
	irq = irq_us(uuid, n);
	mdev_remove(uuid);
	printf("# irq vdsa_irq_us=%.1f\n", irq);
	return irq < 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [bench N | irq N]\n", argv[0]);
		return 2;
	}
	select_dsa(argv[1]);
	if (argc > 3 && !strcmp(argv[2], "bench"))
		return run_bench(atol(argv[3]));
	if (argc > 3 && !strcmp(argv[2], "irq"))
		return run_irq(atol(argv[3]));
	printf("TAP version 13\n");
	run(0);
	run(1);
	return ktap_finish();
}
