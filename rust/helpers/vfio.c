// SPDX-License-Identifier: GPL-2.0

#include <linux/uaccess.h>
#include <linux/vfio.h>

__rust_helper void rust_helper_vfio_put_device(struct vfio_device *device)
{
	vfio_put_device(device);
}

/*
 * put_user() and get_user() of a register-sized little-endian value, for the
 * read and write paths of emulated devices; @size is 1, 2, 4 or 8.
 */
__rust_helper int rust_helper_vfio_put_user_le(void __user *buf, size_t size, u64 value)
{
	switch (size) {
	case 1:
		return put_user((u8)value, (u8 __user *)buf);
	case 2:
		return put_user(cpu_to_le16(value), (__le16 __user *)buf);
	case 4:
		return put_user(cpu_to_le32(value), (__le32 __user *)buf);
	case 8:
		return put_user(cpu_to_le64(value), (__le64 __user *)buf);
	}
	return -EINVAL;
}

__rust_helper int rust_helper_vfio_get_user_le(const void __user *buf, size_t size, u64 *value)
{
	u8 b;
	__le16 w;
	__le32 d;
	__le64 q;
	int ret = -EINVAL;

	switch (size) {
	case 1:
		ret = get_user(b, (const u8 __user *)buf);
		*value = b;
		break;
	case 2:
		ret = get_user(w, (const __le16 __user *)buf);
		*value = le16_to_cpu(w);
		break;
	case 4:
		ret = get_user(d, (const __le32 __user *)buf);
		*value = le32_to_cpu(d);
		break;
	case 8:
		ret = get_user(q, (const __le64 __user *)buf);
		*value = le64_to_cpu(q);
		break;
	}
	return ret;
}
