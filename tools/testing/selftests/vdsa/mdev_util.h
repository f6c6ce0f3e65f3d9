/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mediated-device tests share: KTAP results (ktap.h), sysfs
 * strings, creating and removing mdevs through sysfs, opening them
 * through VFIO, and waiting for an eventfd their interrupts signal. The
 * including test sets types_dir to the directory of the mdev type it
 * creates; one that names its mdevs by number defines MDEV_UUID_PREFIX,
 * the first group of their UUIDs, before including this header.
 */
#ifndef VDSA_MDEV_UTIL_H
#define VDSA_MDEV_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "ktap.h"

#define MDEV_DEVICES	"/sys/bus/mdev/devices"

/* .../mdev_supported_types/<type> of the type under test. */
static char types_dir[512];

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* The number in attribute @attr of the mdev type in types_dir; -1 if unreadable. */
static inline long type_long(const char *attr)
{
	char path[600], buf[64];

	snprintf(path, sizeof(path), "%s/%s", types_dir, attr);
	if (read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int mdev_create(const char *uuid)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/create", types_dir);
	return write_str(path, uuid);
}

#ifdef MDEV_UUID_PREFIX
/* The UUID of the test's mdev number @i. */
static inline void make_uuid(char *buf, unsigned int i)
{
	sprintf(buf, MDEV_UUID_PREFIX "-0000-4000-8000-%012x", i);
}
#endif

static int mdev_remove(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return write_str(path, "1");
}

/* The VFIO character device (/dev/vfio/devices/vfioN) of mdev @uuid, in @node. */
static inline int mdev_cdev_node(const char *uuid, char *node, size_t size)
{
	char path[256];
	struct dirent *de;
	DIR *d;

	node[0] = 0;
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/vfio-dev", uuid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(node, size, "/dev/vfio/devices/%s", de->d_name);
	closedir(d);
	return node[0] ? 0 : -ENOENT;
}

/* The VFIO group node (/dev/vfio/N) of mdev @uuid, in @node. */
static inline int mdev_group_node(const char *uuid, char *node, size_t size)
{
	char path[300], link[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(node, size, "/dev/vfio/%s", base ? base + 1 : link);
	return 0;
}

/*
 * Open mdev @uuid through its VFIO cdev and bind it to a new iommufd: the
 * device in *@fd, the iommufd in *@iommufd, each -1 if it did not open.
 * Returns 0 or a negative errno; the caller closes what is open.
 */
static inline int mdev_cdev_bind(const char *uuid, int *fd, int *iommufd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char node[300];
	int ret;

	*fd = -1;
	*iommufd = -1;
	ret = mdev_cdev_node(uuid, node, sizeof(node));
	if (ret)
		return ret;
	*fd = open(node, O_RDWR);
	if (*fd < 0)
		return -errno;
	*iommufd = open("/dev/iommu", O_RDWR);
	if (*iommufd < 0)
		return -errno;
	bind.iommufd = *iommufd;
	return ioctl(*fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? -errno : 0;
}

/*
 * Open the VFIO group of mdev @uuid and set it in a new type1v2 container
 * (iommufd's emulation of it where the kernel has no other): the group in
 * *@group, the container in *@container, each -1 if it did not open.
 * Returns 0 or a negative errno (-EPERM if the group is not viable); the
 * caller closes what is open.
 */
static inline int mdev_group_container(const char *uuid, int *group, int *container)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[300];
	int ret;

	*group = -1;
	*container = -1;
	ret = mdev_group_node(uuid, path, sizeof(path));
	if (ret)
		return ret;
	*group = open(path, O_RDWR);
	*container = open("/dev/vfio/vfio", O_RDWR);
	if (*group < 0 || *container < 0)
		return -errno;
	if (ioctl(*group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EPERM;
	if (ioctl(*group, VFIO_GROUP_SET_CONTAINER, container) ||
	    ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	return 0;
}

/*
 * Wait up to @ms ms for eventfd @efd to be signalled and take its count,
 * the signals since it was last read; 0 if none came in time.
 */
static inline uint64_t eventfd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t cnt;

	if (poll(&p, 1, ms) != 1 || read(efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return 0;
	return cnt;
}

/* Is eventfd @efd signalled within @ms ms? Its signals are taken. */
static inline int fired(int efd, int ms)
{
	return eventfd_wait(efd, ms) > 0;
}

static int mdev_exists(const char *uuid)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return stat(path, &st) == 0;
}

#endif /* VDSA_MDEV_UTIL_H */
