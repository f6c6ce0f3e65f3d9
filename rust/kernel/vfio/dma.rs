// SPDX-License-Identifier: GPL-2.0

//! DMA of an emulated device to and from the address space userspace attached.

use super::{operations::VTable, Device, Operations};
use crate::{bindings, error::to_result, prelude::*};
use core::mem::size_of;

impl<T: Operations> Device<T> {
    /// Copies `data` to the I/O virtual address `iova` of the address space the device is
    /// attached to (its iommufd IOAS or its container), as a DMA write of the emulated device.
    ///
    /// Only valid while the device is open, that is from the callbacks other than `open` and
    /// `close` (the VFIO core warns otherwise); fails if the range is not mapped writable.
    pub fn dma_write(&self, iova: u64, data: &[u8]) -> Result {
        // SAFETY: The device is valid; `data` is valid for reads of `data.len()` bytes, and
        // `vfio_dma_rw` only reads from it when `write` is true.
        to_result(unsafe {
            bindings::vfio_dma_rw(
                self.as_raw(),
                iova,
                data.as_ptr().cast_mut().cast(),
                data.len(),
                true,
            )
        })
    }

    /// Copies from the I/O virtual address `iova` into `data`, as a DMA read of the emulated
    /// device. The same rules as for [`Device::dma_write`] apply.
    pub fn dma_read(&self, iova: u64, data: &mut [u8]) -> Result {
        // SAFETY: The device is valid and `data` is valid for writes of `data.len()` bytes.
        to_result(unsafe {
            bindings::vfio_dma_rw(
                self.as_raw(),
                iova,
                data.as_mut_ptr().cast(),
                data.len(),
                false,
            )
        })
    }
}

/// Pages of a device's I/O virtual address space pinned with [`Device::pin_pages`].
///
/// The pin is given back with [`Device::unpin_pages`], which the driver must call when userspace
/// unmaps the range ([`Operations::dma_unmap`]) and at the latest in [`Operations::close`];
/// dropping a `PinnedPages` leaks the pin.
///
/// # Invariants
///
/// `count` pages starting at the page-aligned `iova` are pinned by the VFIO device `vdev`.
#[must_use = "pinned pages must be given back with Device::unpin_pages"]
pub struct PinnedPages {
    vdev: *const bindings::vfio_device,
    iova: u64,
    count: usize,
}

// SAFETY: `vdev` is only compared, never dereferenced, so the object may move between threads.
unsafe impl Send for PinnedPages {}

// SAFETY: `&self` only reads plain integers.
unsafe impl Sync for PinnedPages {}

impl PinnedPages {
    /// The I/O virtual address of the first pinned page.
    pub fn iova(&self) -> u64 {
        self.iova
    }

    /// The number of pinned pages.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether the pinned range overlaps `[iova, iova + length)`.
    pub fn overlaps(&self, iova: u64, length: u64) -> bool {
        let end = self.iova + (self.count * crate::page::PAGE_SIZE) as u64;
        iova < end && iova.saturating_add(length) > self.iova
    }
}

impl<T: Operations> Device<T> {
    /// Pins `count` pages of the device's I/O virtual address space starting at the page-aligned
    /// `iova`, for writing if `write`, as a device that keeps DMA targets mapped would.
    ///
    /// Only valid while the device is open. Fails with `EINVAL` for an unaligned address or a
    /// count of zero or above `VFIO_PIN_PAGES_MAX_ENTRIES`, or with the error of the IOMMU
    /// backend (for example if the range is not mapped).
    pub fn pin_pages(&self, iova: u64, count: usize, write: bool) -> Result<PinnedPages> {
        let page = crate::page::PAGE_SIZE;
        let max = page / size_of::<usize>();
        if iova % page as u64 != 0 || count == 0 || count > max {
            return Err(EINVAL);
        }
        let mut pages = KVec::from_elem(core::ptr::null_mut(), count, GFP_KERNEL)?;
        let prot = bindings::IOMMU_READ | if write { bindings::IOMMU_WRITE } else { 0 };
        // SAFETY: The device is valid, `pages` has room for `count` page pointers and `count`
        // fits a `c_int` (it is at most `max`).
        let ret = unsafe {
            bindings::vfio_pin_pages(
                self.as_raw(),
                iova,
                count as c_int,
                prot as c_int,
                pages.as_mut_ptr(),
            )
        };
        to_result(ret.min(0))?;
        // `vfio_pin_pages` pins all pages or none.
        if ret as usize != count {
            return Err(EFAULT);
        }
        // INVARIANT: The pages are pinned by this device.
        Ok(PinnedPages {
            vdev: self.as_raw(),
            iova,
            count,
        })
    }

    /// Gives back pages pinned with [`Device::pin_pages`] on this device; returns them unchanged
    /// if they were pinned by another device.
    pub fn unpin_pages(&self, pinned: PinnedPages) -> core::result::Result<(), PinnedPages> {
        if !core::ptr::eq(pinned.vdev, self.as_raw()) {
            return Err(pinned);
        }
        // SAFETY: By the invariant of `PinnedPages`, the range is pinned by this device, and
        // `pinned` is consumed so it is unpinned once.
        unsafe { bindings::vfio_unpin_pages(self.as_raw(), pinned.iova, pinned.count as c_int) };
        Ok(())
    }
}

impl<T: Operations> VTable<T> {
    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `dma_unmap` callback of `VTable<T>`.
    pub(super) unsafe extern "C" fn dma_unmap(
        vdev: *mut bindings::vfio_device,
        iova: u64,
        length: u64,
    ) {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and the reference is not used after the callback returns.
        T::dma_unmap(unsafe { Device::<T>::from_raw(vdev) }, iova, length);
    }
}
