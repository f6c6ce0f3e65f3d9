/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enqueue-testdev of our QEMU (hw/misc/enqueue-testdev.c), as the guest
 * tests find it through sysfs.
 */
#ifndef TESTDEV_H
#define TESTDEV_H

#include <dirent.h>
#include <stdio.h>

#define TESTDEV_VENDOR	0x1b36
#define TESTDEV_DEVICE	0x0015
#define TESTDEV_SIZE	0x2000		/* BAR 0: registers, then the portal */

#define TESTDEV_DIR_MAX	300

/* The first number in @dir/@name, read as hex (0 if none). */
static inline unsigned long long read_hex(const char *dir, const char *name)
{
	unsigned long long v = 0;
	char path[TESTDEV_DIR_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llx", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

struct testdev {
	char dir[TESTDEV_DIR_MAX];	/* in sysfs */
	unsigned long long bar;		/* BAR 0's address */
};

/*
 * Fills @dev with up to @max enqueue-testdevs that have their BAR 0, in the
 * order sysfs lists them, each with its memory decoding enabled (sysfs
 * "enable"); returns how many.
 */
static inline int find_testdevs(struct testdev *dev, int max)
{
	const char *root = "/sys/bus/pci/devices";
	DIR *d = opendir(root);
	struct dirent *e;
	int n = 0;

	while (d && n < max && (e = readdir(d))) {
		char path[TESTDEV_DIR_MAX + 64];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dev[n].dir, sizeof(dev[n].dir), "%s/%s", root, e->d_name);
		if (read_hex(dev[n].dir, "vendor") != TESTDEV_VENDOR ||
		    read_hex(dev[n].dir, "device") != TESTDEV_DEVICE)
			continue;
		/* The first line of "resource" is BAR 0: start, end, flags. */
		dev[n].bar = read_hex(dev[n].dir, "resource");
		if (!dev[n].bar)
			continue;
		snprintf(path, sizeof(path), "%s/enable", dev[n].dir);
		f = fopen(path, "w");
		if (!f || fputs("1", f) < 0)
			printf("# cannot enable %s\n", dev[n].dir);
		if (f)
			fclose(f);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

#endif
