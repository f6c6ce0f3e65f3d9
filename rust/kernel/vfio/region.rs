// SPDX-License-Identifier: GPL-2.0

//! Regions of the device file: their layout, what is reported of them, and their accesses.

use super::{operations::VTable, Device, Operations};
use crate::{
    bindings,
    error::{from_result, to_result},
    mm::virt::VmaNew,
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};
use core::{marker::PhantomData, mem::size_of};

/// Number of file offset bits that address a byte within a region.
pub const REGION_INDEX_SHIFT: u32 = 40;

/// Returns the file offset at which region `index` starts.
pub const fn region_offset(index: u32) -> u64 {
    (index as u64) << REGION_INDEX_SHIFT
}

/// Splits a file offset into a region index and an offset within that region.
pub const fn split_offset(pos: u64) -> (u64, u64) {
    (
        pos >> REGION_INDEX_SHIFT,
        pos & ((1u64 << REGION_INDEX_SHIFT) - 1),
    )
}

/// What `VFIO_DEVICE_GET_REGION_INFO` reports for one region.
///
/// The region's file offset is always [`region_offset`] of its index.
#[derive(Clone, Copy, Debug)]
pub struct RegionInfo {
    /// Region flags (`flags::REGION_*`).
    pub flags: u32,
    /// Size of the region in bytes.
    pub size: u64,
}

/// The capability chain of a `VFIO_DEVICE_GET_REGION_INFO` reply.
///
/// # Invariants
///
/// `self.0` points to the `struct vfio_info_cap` of the `VFIO_DEVICE_GET_REGION_INFO` call in
/// progress.
pub struct RegionCaps<'a>(*mut bindings::vfio_info_cap, PhantomData<&'a mut ()>);

impl RegionCaps<'_> {
    /// Adds a sparse mmap capability: only the `(offset, size)` areas of the region, relative to
    /// its start, may be mapped.
    pub fn add_sparse_mmap(&mut self, areas: &[(u64, u64)]) -> Result {
        let nr_areas = u32::try_from(areas.len()).map_err(|_| EINVAL)?;
        let header = size_of::<bindings::vfio_region_info_cap_sparse_mmap>();
        let area = size_of::<bindings::vfio_region_sparse_mmap_area>();
        let size = areas
            .len()
            .checked_mul(area)
            .and_then(|s| s.checked_add(header))
            .ok_or(EINVAL)?;
        let mut buf = KVec::from_elem(0u8, size, GFP_KERNEL)?;
        let cap = buf
            .as_mut_ptr()
            .cast::<bindings::vfio_region_info_cap_sparse_mmap>();
        // SAFETY: `buf` holds `size` bytes, enough for the capability header and `nr_areas`
        // areas; the writes are unaligned because a `KVec<u8>` is only byte aligned.
        unsafe {
            (&raw mut (*cap).header.id)
                .write_unaligned(bindings::VFIO_REGION_INFO_CAP_SPARSE_MMAP as u16);
            (&raw mut (*cap).header.version).write_unaligned(1);
            (&raw mut (*cap).nr_areas).write_unaligned(nr_areas);
            let first = buf
                .as_mut_ptr()
                .add(header)
                .cast::<bindings::vfio_region_sparse_mmap_area>();
            for (i, &(offset, size)) in areas.iter().enumerate() {
                first
                    .add(i)
                    .write_unaligned(bindings::vfio_region_sparse_mmap_area { offset, size });
            }
        }
        // SAFETY: By the type invariant `self.0` is the capability chain of the call in progress;
        // `cap` points to `size` initialised bytes starting with a capability header, which
        // `vfio_info_add_capability` copies.
        to_result(unsafe {
            bindings::vfio_info_add_capability(self.0, buf.as_mut_ptr().cast(), size)
        })
    }
}

impl<T: Operations> VTable<T> {
    /// Carries out the access of a `read` or `write` callback at the file position `*ppos`:
    /// `access` is given the position and returns how many bytes it moved, by which `*ppos` then
    /// advances. Returns what the callback returns, that count or a negative errno.
    ///
    /// # Safety
    ///
    /// `ppos` must be the file position the VFIO core passed to the `read` or `write` callback in
    /// progress.
    unsafe fn access_at(
        ppos: *mut bindings::loff_t,
        access: impl FnOnce(u64) -> Result<usize>,
    ) -> isize {
        // SAFETY: By the safety requirements, `ppos` is the position of the `read(2)` or
        // `write(2)` call in progress, which the VFS keeps in a variable of that call: it is valid
        // for reads and writes and nobody else accesses it until the callback returns.
        let ppos = unsafe { &mut *ppos };
        from_result(|| {
            let pos = u64::try_from(*ppos).map_err(|_| EINVAL)?;
            let n = access(pos)?;
            // The callback moved at most `count` bytes, and `rw_verify_area()` checked that
            // `pos + count` fits a `loff_t`.
            *ppos += n as bindings::loff_t;
            Ok(n as isize)
        })
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `read` callback of `VTable<T>`, with the arguments
    /// of the `read(2)` call in progress.
    pub(super) unsafe extern "C" fn read(
        vdev: *mut bindings::vfio_device,
        buf: *mut c_char,
        count: usize,
        ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let access = |pos| {
            if T::HAS_READ_VALUE && matches!(count, 1 | 2 | 4 | 8) {
                let value = T::read_value(dev, pos, count)?;
                // SAFETY: `buf` is the user address `read(2)` was given, with room for `count`
                // bytes (safety requirements); the helper checks it as `put_user()` does and
                // stores `count` bytes at most.
                if unsafe { bindings::vfio_put_user_le(buf.cast(), count, value) } != 0 {
                    return Err(EFAULT);
                }
                Ok(count)
            } else if T::HAS_READ {
                let mut writer = UserSlice::new(UserPtr::from_ptr(buf.cast()), count).writer();
                T::read(dev, &mut writer, pos)
            } else {
                Err(EINVAL)
            }
        };
        // SAFETY: `ppos` is the file position of the `read(2)` call in progress (safety
        // requirements).
        unsafe { Self::access_at(ppos, access) }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `write` callback of `VTable<T>`, with the
    /// arguments of the `write(2)` call in progress.
    pub(super) unsafe extern "C" fn write(
        vdev: *mut bindings::vfio_device,
        buf: *const c_char,
        count: usize,
        ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let access = |pos| {
            if T::HAS_WRITE_VALUE && matches!(count, 1 | 2 | 4 | 8) {
                let mut value = 0u64;
                // SAFETY: `buf` is the user address `write(2)` was given, with `count` bytes
                // (safety requirements); the helper checks it as `get_user()` does and reads
                // `count` bytes at most.
                if unsafe { bindings::vfio_get_user_le(buf.cast(), count, &mut value) } != 0 {
                    return Err(EFAULT);
                }
                T::write_value(dev, pos, count, value)?;
                Ok(count)
            } else if T::HAS_WRITE {
                let mut reader =
                    UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), count).reader();
                T::write(dev, &mut reader, pos)
            } else {
                Err(EINVAL)
            }
        };
        // SAFETY: `ppos` is the file position of the `write(2)` call in progress (safety
        // requirements).
        unsafe { Self::access_at(ppos, access) }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `mmap` callback of `VTable<T>`, with a VMA being set
    /// up by `mmap(2)`.
    pub(super) unsafe extern "C" fn mmap(
        vdev: *mut bindings::vfio_device,
        vma: *mut bindings::vm_area_struct,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        // SAFETY: `vma` is valid for the duration of the call.
        let pgoff = unsafe { (*vma).vm_pgoff } as u64;
        // SAFETY: The caller provides a VMA undergoing its initial set-up.
        let area = unsafe { VmaNew::from_raw(vma) };
        let Some(pos) = pgoff.checked_mul(crate::page::PAGE_SIZE as u64) else {
            return EINVAL.to_errno();
        };
        match T::mmap(dev, area, pos) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `get_region_info_caps` callback of `VTable<T>`, with
    /// the arguments of the `VFIO_DEVICE_GET_REGION_INFO` call in progress.
    pub(super) unsafe extern "C" fn get_region_info_caps(
        vdev: *mut bindings::vfio_device,
        info: *mut bindings::vfio_region_info,
        caps: *mut bindings::vfio_info_cap,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        // SAFETY: `info` is valid for the duration of the call.
        let index = unsafe { (*info).index };
        // INVARIANT: `caps` is the capability chain of this call.
        let mut caps = RegionCaps(caps, PhantomData);
        match T::region_info(dev, index, &mut caps) {
            Ok(region) => {
                // SAFETY: `info` is valid for the duration of the call.
                unsafe {
                    (*info).flags = region.flags;
                    (*info).size = region.size;
                    (*info).offset = region_offset(index);
                }
                0
            }
            Err(e) => e.to_errno(),
        }
    }
}
