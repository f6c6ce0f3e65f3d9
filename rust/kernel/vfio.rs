// SPDX-License-Identifier: GPL-2.0

//! VFIO devices with an emulated IOMMU.
//!
//! A VFIO device is what userspace opens through `/dev/vfio/devices/vfioN` (the device cdev,
//! bound to an iommufd) or through a VFIO group and container. This module covers the devices a
//! driver emulates in software, such as mediated devices (see `kernel::mdev`): the driver decides
//! what every access to the device file means, and DMA goes through the emulated IOMMU helpers of
//! the VFIO core (`vfio_iommufd_emulated_*`), never straight to a physical IOMMU.
//!
//! A driver implements [`Operations`] for its per-device data and creates a [`Registration`].
//! The data is embedded in the C `struct vfio_device` allocation, right after it, and lives
//! exactly as long as that allocation: it is dropped by the VFIO core's `release` callback when
//! the last reference goes away, never earlier. Dropping the [`Registration`] unregisters the
//! device and waits until userspace has closed every file descriptor of it, so no callback runs
//! after that.
//!
//! # Region layout
//!
//! As in vfio-pci, the device file is split into regions by the upper bits of the file offset:
//! region `i` starts at [`region_offset`]`(i)`. [`split_offset`] decodes a file offset.
//!
//! # Covered and left for later
//!
//! Covered: open/close, `read(2)`/`write(2)` of regions, `mmap(2)`, `VFIO_DEVICE_GET_INFO`,
//! `VFIO_DEVICE_GET_REGION_INFO` (with the sparse mmap capability), `VFIO_DEVICE_GET_IRQ_INFO`,
//! `VFIO_DEVICE_SET_IRQS` (mask, unmask and trigger with no data, booleans or eventfds),
//! `VFIO_DEVICE_RESET`, other ioctls passed through, the `request` and `dma_unmap` callbacks, and
//! iommufd binding through the emulated IOMMU helpers, and DMA to and from the attached address
//! space through `vfio_dma_rw` ([`Device::dma_read`], [`Device::dma_write`]), pinning with
//! `vfio_pin_pages` ([`Device::pin_pages`], [`Device::unpin_pages`]). Left for later:
//! migration (`mig_ops`), dirty tracking (`log_ops`), `VFIO_DEVICE_FEATURE` (`device_feature`),
//! device sets, and access to the contents of pinned pages.
//!
//! # DMA tagged with a host PASID
//!
//! A device that hands a slice of real hardware to userspace, such as an assignable device
//! interface of a Scalable IOV device, does its DMA through the parent device with a PASID of the
//! parent. [`Registration::new_with_pasid`] registers such a device: the address space userspace
//! attaches (an iommufd IOAS or page table, or the IOAS of the container iommufd emulates) is
//! attached by iommufd to that PASID of the parent, which stays bound to its driver. The VFIO
//! device keeps a reference to the [`GlobalPasid`] until it is released, after iommufd has
//! detached it. A driver may keep the PASID for a later device, for example one PASID per
//! hardware queue it hands out: iommufd refuses to attach a PASID that another device still has
//! attached.
//! Such a device has no emulated IOMMU: [`Device::dma_read`], [`Device::dma_write`] and
//! [`Device::pin_pages`] fail, and [`Operations::dma_unmap`] is never called. It cannot be used
//! with the native type1 container, which cannot translate a PASID; opening it there fails.
//!
//! C header: [`include/linux/vfio.h`](srctree/include/linux/vfio.h)

use crate::{
    bindings, device,
    error::{from_err_ptr, to_result, VTABLE_DEFAULT_ERROR},
    eventfd::EventFd,
    ioctl::_IO,
    iommu::pasid::GlobalPasid,
    mm::virt::VmaNew,
    prelude::*,
    sync::Arc,
    types::{Opaque, ScopeGuard},
    uaccess::{UserPtr, UserSlice, UserSliceReader, UserSliceWriter},
};
use core::{marker::PhantomData, mem::size_of, ops::Deref, ptr::NonNull};

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

/// Region and interrupt indices of a device that presents itself as a PCI device.
pub mod pci {
    use crate::bindings;

    /// Region index of BAR 0.
    pub const BAR0_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR0_REGION_INDEX;
    /// Region index of BAR 1.
    pub const BAR1_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR1_REGION_INDEX;
    /// Region index of BAR 2.
    pub const BAR2_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR2_REGION_INDEX;
    /// Region index of the PCI configuration space.
    pub const CONFIG_REGION_INDEX: u32 = bindings::VFIO_PCI_CONFIG_REGION_INDEX;
    /// Number of regions of a PCI device (BARs, ROM, config space, VGA).
    pub const NUM_REGIONS: u32 = bindings::VFIO_PCI_NUM_REGIONS;
    /// Interrupt index of INTx.
    pub const INTX_IRQ_INDEX: u32 = bindings::VFIO_PCI_INTX_IRQ_INDEX;
    /// Interrupt index of MSI.
    pub const MSI_IRQ_INDEX: u32 = bindings::VFIO_PCI_MSI_IRQ_INDEX;
    /// Interrupt index of MSI-X.
    pub const MSIX_IRQ_INDEX: u32 = bindings::VFIO_PCI_MSIX_IRQ_INDEX;
    /// Interrupt index of the error interrupt: an uncorrectable error of the function.
    pub const ERR_IRQ_INDEX: u32 = bindings::VFIO_PCI_ERR_IRQ_INDEX;
    /// Interrupt index of the device request: the driver signals it to ask userspace to release
    /// the device (see [`Operations::request`](super::Operations::request)).
    pub const REQ_IRQ_INDEX: u32 = bindings::VFIO_PCI_REQ_IRQ_INDEX;
    /// Number of interrupt indices of a PCI device.
    pub const NUM_IRQS: u32 = bindings::VFIO_PCI_NUM_IRQS;
    /// The `device_api` string of a device presenting itself as a PCI device.
    pub const DEVICE_API: &kernel::str::CStr = c"vfio-pci";
}

/// Flags of [`DeviceInfo`], [`RegionInfo`] and [`IrqInfo`].
pub mod flags {
    use crate::bindings;

    /// The device supports `VFIO_DEVICE_RESET`.
    pub const DEVICE_RESET: u32 = bindings::VFIO_DEVICE_FLAGS_RESET;
    /// The device is a PCI device.
    pub const DEVICE_PCI: u32 = bindings::VFIO_DEVICE_FLAGS_PCI;
    /// The region can be read.
    pub const REGION_READ: u32 = bindings::VFIO_REGION_INFO_FLAG_READ;
    /// The region can be written.
    pub const REGION_WRITE: u32 = bindings::VFIO_REGION_INFO_FLAG_WRITE;
    /// The region can be mapped.
    pub const REGION_MMAP: u32 = bindings::VFIO_REGION_INFO_FLAG_MMAP;
    /// The interrupt can be signalled through an eventfd.
    pub const IRQ_EVENTFD: u32 = bindings::VFIO_IRQ_INFO_EVENTFD;
    /// The interrupt can be masked.
    pub const IRQ_MASKABLE: u32 = bindings::VFIO_IRQ_INFO_MASKABLE;
    /// The interrupt is masked automatically when it fires.
    pub const IRQ_AUTOMASKED: u32 = bindings::VFIO_IRQ_INFO_AUTOMASKED;
    /// The number of interrupts of the index cannot be changed.
    pub const IRQ_NORESIZE: u32 = bindings::VFIO_IRQ_INFO_NORESIZE;
}

/// What `VFIO_DEVICE_GET_INFO` reports.
#[derive(Clone, Copy, Debug)]
pub struct DeviceInfo {
    /// Device flags (`flags::DEVICE_*`).
    pub flags: u32,
    /// Number of regions.
    pub num_regions: u32,
    /// Number of interrupt indices.
    pub num_irqs: u32,
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

/// What `VFIO_DEVICE_GET_IRQ_INFO` reports for one interrupt index.
#[derive(Clone, Copy, Debug)]
pub struct IrqInfo {
    /// Interrupt flags (`flags::IRQ_*`).
    pub flags: u32,
    /// Number of interrupts of this index.
    pub count: u32,
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

/// The action of a `VFIO_DEVICE_SET_IRQS` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqAction {
    /// Mask the interrupts.
    Mask,
    /// Unmask the interrupts.
    Unmask,
    /// Trigger the interrupts, or set up how they are signalled.
    Trigger,
}

/// The data of a `VFIO_DEVICE_SET_IRQS` request, one element per interrupt.
pub enum IrqData {
    /// No data: apply the action to every interrupt of the range. With [`IrqAction::Trigger`]
    /// and a count of zero, this disables signalling for the whole index.
    None,
    /// Apply the action to the interrupts whose flag is set.
    Bool(KVec<bool>),
    /// Signal each interrupt through the given eventfd, or stop signalling it (`None`, from a
    /// file descriptor of -1).
    EventFd(KVec<Option<EventFd>>),
}

/// A decoded and validated `VFIO_DEVICE_SET_IRQS` request.
pub struct IrqSet {
    /// The interrupt index.
    pub index: u32,
    /// The first interrupt of the range.
    pub start: u32,
    /// The number of interrupts of the range; `start + count` is within the index.
    pub count: u32,
    /// What to do.
    pub action: IrqAction,
    /// With what data.
    pub data: IrqData,
}

impl IrqSet {
    /// The eventfd a request sets for an index whose one interrupt can only be signalled
    /// through an eventfd, such as the request interrupt ([`pci::REQ_IRQ_INDEX`]): `Some` to
    /// signal it from now on, `None` to stop (an fd of -1, or a count of zero without data).
    ///
    /// Fails with [`EINVAL`] for any other action or data.
    pub fn into_trigger(self) -> Result<Option<EventFd>> {
        match (self.action, self.data) {
            (IrqAction::Trigger, IrqData::EventFd(mut fds)) if fds.len() == 1 => {
                Ok(fds.pop().flatten())
            }
            (IrqAction::Trigger, IrqData::None) if self.count == 0 => Ok(None),
            _ => Err(EINVAL),
        }
    }
}

/// The operations of an emulated VFIO device.
///
/// Every method receives the [`Device`], which dereferences to the driver's data. The VFIO core
/// serialises `open` and `close`; the other methods may run concurrently with each other, so the
/// data protects its mutable state with its own locks.
#[vtable]
pub trait Operations: Send + Sync + Sized + 'static {
    /// Called when the first file descriptor for the device is opened.
    fn open(_dev: &Device<Self>) -> Result {
        Ok(())
    }

    /// Called when the last file descriptor for the device is closed.
    fn close(_dev: &Device<Self>) {}

    /// Reads from the device file at offset `pos` into `buf`; returns the number of bytes read.
    fn read(_dev: &Device<Self>, _buf: &mut UserSliceWriter, _pos: u64) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes `buf` to the device file at offset `pos`; returns the number of bytes written.
    fn write(_dev: &Device<Self>, _buf: &mut UserSliceReader, _pos: u64) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads the `size` bytes at offset `pos` of the device file as one value, `size` being 1,
    /// 2, 4 or 8: byte `i` of the file is bits `8 * i` to `8 * i + 7` of the value.
    ///
    /// A driver that implements it gets every `read(2)` of one of those sizes here instead of in
    /// [`Operations::read`]: one `put_user()` of the value hands it to userspace, where `read`
    /// copies through a [`UserSliceWriter`] and `copy_to_user()`. Those are the sizes of the
    /// register accesses a VMM forwards, for which the general copy is a large part of the call.
    fn read_value(_dev: &Device<Self>, _pos: u64, _size: usize) -> Result<u64> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes the low `size` bytes of `value` at offset `pos` of the device file, `size` being
    /// 1, 2, 4 or 8, with the byte order of [`Operations::read_value`].
    ///
    /// As `read_value` for `read`: with it, `write(2)`s of those sizes come here, the value
    /// fetched with one `get_user()`, instead of to [`Operations::write`].
    fn write_value(_dev: &Device<Self>, _pos: u64, _size: usize, _value: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Maps the device file at offset `pos` (page aligned) into `vma`.
    fn mmap(_dev: &Device<Self>, _vma: &VmaNew, _pos: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns what `VFIO_DEVICE_GET_INFO` reports.
    fn info(dev: &Device<Self>) -> DeviceInfo;

    /// Returns what `VFIO_DEVICE_GET_REGION_INFO` reports for region `index`; capabilities are
    /// added to `caps`.
    fn region_info(
        _dev: &Device<Self>,
        _index: u32,
        _caps: &mut RegionCaps<'_>,
    ) -> Result<RegionInfo> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns what `VFIO_DEVICE_GET_IRQ_INFO` reports for interrupt index `index`.
    fn irq_info(_dev: &Device<Self>, _index: u32) -> Result<IrqInfo> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Carries out a `VFIO_DEVICE_SET_IRQS` request, already validated against
    /// [`Operations::info`] and [`Operations::irq_info`].
    fn set_irqs(_dev: &Device<Self>, _set: IrqSet) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Resets the device (`VFIO_DEVICE_RESET`).
    fn reset(_dev: &Device<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Handles any other ioctl on the device file.
    fn ioctl(_dev: &Device<Self>, _cmd: u32, _arg: usize) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called while the device is being unregistered and still has users: the driver should ask
    /// them to release the device. `count` counts the calls.
    fn request(_dev: &Device<Self>, _count: u32) {}

    /// Called when userspace unmaps the IOVA range `[iova, iova + length)`: the driver must drop
    /// every pin and mapping it holds in that range.
    fn dma_unmap(_dev: &Device<Self>, _iova: u64, _length: u64) {}
}

/// An emulated VFIO device with the driver's data `T`.
///
/// # Invariants
///
/// - `vdev` is a `struct vfio_device` allocated by `_vfio_alloc_device` with the operations of
///   `VTable<T>`, at offset zero of the allocation.
/// - `data` is initialised whenever `initialized` is true; `initialized` is set before the
///   device is registered and never cleared; `data` is dropped only by the `release` callback.
/// - `pasid` is initialised right after the allocation, before anything can fail, and dropped
///   only by the `release` callback; if it is `Some`, the `vfio_device` carries its device and
///   value as the PASID its DMA is tagged with, and uses the PASID operations.
#[repr(C)]
pub struct Device<T: Operations> {
    vdev: Opaque<bindings::vfio_device>,
    initialized: bool,
    pasid: Option<Arc<GlobalPasid>>,
    data: T,
}

// SAFETY: The VFIO core lets any thread use a `vfio_device`, and `T` is `Send + Sync`.
unsafe impl<T: Operations> Send for Device<T> {}

// SAFETY: The `&self` methods only read fields that do not change once the device is registered,
// and `T` is `Sync`.
unsafe impl<T: Operations> Sync for Device<T> {}

impl<T: Operations> Device<T> {
    fn as_raw(&self) -> *mut bindings::vfio_device {
        self.vdev.get()
    }

    /// # Safety
    ///
    /// `vdev` must be the `vfio_device` of a `Device<T>` whose data is initialised, and must stay
    /// valid for `'a`.
    unsafe fn from_raw<'a>(vdev: *mut bindings::vfio_device) -> &'a Self {
        // SAFETY: By the invariant of `Device`, `vdev` is at offset zero of a `Device<T>`.
        unsafe { &*vdev.cast::<Self>() }
    }

    /// Returns the device the VFIO device was created for (for a mediated device, the mdev).
    pub fn parent(&self) -> &device::Device {
        // SAFETY: `dev` is set by `_vfio_alloc_device` and the VFIO device holds a reference to it
        // (it is the parent of the VFIO device's own `struct device`) for as long as `self`
        // exists.
        unsafe { device::Device::from_raw((*self.as_raw()).dev) }
    }

    /// Answers the VFIO core's request to release the device ([`Operations::request`], call
    /// `count`): signals `eventfd`, the request interrupt userspace set, or without one says on
    /// the first call that the removal waits until userspace closes the device.
    pub fn signal_request(&self, eventfd: Option<&EventFd>, count: u32) {
        match eventfd {
            Some(e) => e.signal(),
            None if count == 0 => {
                dev_info!(
                    self.parent(),
                    "removal waits until userspace closes the device\n"
                )
            }
            None => {}
        }
    }

    /// Returns the host PASID the device's DMA is tagged with, if it was registered with
    /// [`Registration::new_with_pasid`].
    pub fn host_pasid(&self) -> Option<u32> {
        self.pasid.as_deref().map(GlobalPasid::pasid)
    }
}

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

impl<T: Operations> Deref for Device<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// The registration of an emulated VFIO device.
///
/// While it exists, userspace can open the device. Dropping it unregisters the device, waiting
/// until every file descriptor of it has been closed, then drops the reference it holds.
///
/// The registration holds the only reference that the driver has: [`Device`] is not reference
/// counted on the Rust side, so no `&Device` outlives the registration, and the device's last
/// reference normally goes in the registration's destructor. This keeps the device (and the
/// parent device it pins) from outliving what created it, for example an mdev parent.
///
/// # Invariants
///
/// `self.0` is registered with `vfio_register_emulated_iommu_dev` and we own one reference to it.
pub struct Registration<T: Operations>(NonNull<Device<T>>);

// SAFETY: The registration can be dropped on any thread; `Device<T>` is `Send` and `Sync`.
unsafe impl<T: Operations> Send for Registration<T> {}

// SAFETY: `&self` only gives out `&Device<T>`, which is `Sync`.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Creates a VFIO device for `dev` with the data from `init` and registers it as a device
    /// with an emulated IOMMU.
    pub fn new<E>(dev: &device::Device<device::Bound>, init: impl PinInit<T, E>) -> Result<Self>
    where
        Error: From<E>,
    {
        Self::register(dev, None, init)
    }

    /// Creates a VFIO device for `dev` with the data from `init`, whose DMA is done by the
    /// device `pasid` was allocated for, tagged with `pasid`, and registers it.
    ///
    /// The address space userspace attaches to the VFIO device through iommufd is attached to
    /// that PASID (see the module documentation). The VFIO device holds its reference to `pasid`
    /// until it is released, after iommufd has detached it.
    pub fn new_with_pasid<E>(
        dev: &device::Device<device::Bound>,
        pasid: Arc<GlobalPasid>,
        init: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        Self::register(dev, Some(pasid), init)
    }

    fn register<E>(
        dev: &device::Device<device::Bound>,
        pasid: Option<Arc<GlobalPasid>>,
        init: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        // The allocation comes from `kvzalloc()`, which aligns to at least
        // `ARCH_KMALLOC_MINALIGN`.
        const { assert!(core::mem::align_of::<Device<T>>() <= bindings::ARCH_KMALLOC_MINALIGN) };
        // Only iommufd attaches an address space to a PASID.
        if pasid.is_some() && !cfg!(CONFIG_IOMMUFD) {
            return Err(EOPNOTSUPP);
        }
        let ops = if pasid.is_some() {
            VTable::<T>::PASID_OPS_REF
        } else {
            VTable::<T>::OPS_REF
        };
        // SAFETY: `dev` is a valid device and `ops` lives forever. The allocation is
        // `size_of::<Device<T>>()` bytes, zeroed, with the `vfio_device` at offset zero.
        let vdev = from_err_ptr(unsafe {
            bindings::_vfio_alloc_device(size_of::<Device<T>>(), dev.as_raw(), ops)
        })?;
        let this = vdev.cast::<Device<T>>();
        if let Some(p) = &pasid {
            // SAFETY: Nobody else can reach the device before it is registered; the PASID's
            // device is kept alive by `pasid`, which lives as long as the VFIO device.
            unsafe { set_dma_pasid(vdev, p) };
        }
        // INVARIANT: `pasid` is initialised before anything can fail.
        // SAFETY: `pasid` is inside the allocation, uninitialised, and never moved afterwards.
        unsafe { (&raw mut (*this).pasid).write(pasid) };
        let guard = ScopeGuard::new_with_data(vdev, |vdev| {
            // SAFETY: We own the only reference to `vdev`. Before `initialized` is set, the
            // `release` callback leaves `data` alone (the allocation is zeroed, so it starts
            // false); afterwards it drops the initialised `data`.
            unsafe { bindings::vfio_put_device(vdev) }
        });

        // SAFETY: `data` is inside the allocation, uninitialised, and never moved afterwards.
        unsafe { PinInit::__init(init, &raw mut (*this).data) }?;
        // INVARIANT: `data` is initialised.
        // SAFETY: Nobody else can reach the device before it is registered.
        unsafe { (*this).initialized = true };

        // SAFETY: `vdev` is an initialised VFIO device that is not registered yet.
        to_result(unsafe { bindings::vfio_register_emulated_iommu_dev(vdev) })?;
        let vdev = guard.dismiss();
        // INVARIANT: The device is registered and the reference is ours.
        // SAFETY: `_vfio_alloc_device` returns a valid pointer or an error pointer, and errors
        // were returned above.
        Ok(Self(unsafe {
            NonNull::new_unchecked(vdev.cast::<Device<T>>())
        }))
    }

    /// Returns the registered device.
    pub fn device(&self) -> &Device<T> {
        // SAFETY: By the type invariant we hold a reference, so the device is valid for as long
        // as `self` is borrowed.
        unsafe { self.0.as_ref() }
    }

    /// Unregisters the device, waiting until userspace has closed it, then calls `f` with the
    /// device, which no callback uses any more, before dropping the reference.
    pub fn unregister_then(self, f: impl FnOnce(&Device<T>)) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: The device is registered (type invariant) and unregistered only here, since
        // `Drop` does not run for `this`. This blocks until all users are gone.
        unsafe { bindings::vfio_unregister_group_dev(this.device().as_raw()) };
        f(this.device());
        // SAFETY: We own one reference (type invariant) and give it back once; `this` is not used
        // afterwards.
        unsafe { bindings::vfio_put_device(this.0.as_ptr().cast()) };
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: The device is registered by the type invariant; this is the only place, besides
        // `unregister_then` (which skips `Drop`), where it is unregistered. This blocks until all
        // users are gone.
        unsafe { bindings::vfio_unregister_group_dev(self.device().as_raw()) };
        // SAFETY: We own one reference (type invariant) and give it back once.
        unsafe { bindings::vfio_put_device(self.0.as_ptr().cast()) };
    }
}

/// Tells the VFIO core that the DMA of `vdev` is done by the device of `pasid`, tagged with it.
///
/// # Safety
///
/// `vdev` must be a valid VFIO device that is not registered yet, and `pasid` must outlive it.
#[cfg(CONFIG_IOMMUFD)]
unsafe fn set_dma_pasid(vdev: *mut bindings::vfio_device, pasid: &GlobalPasid) {
    // SAFETY: By the safety requirements, nobody else accesses `vdev` yet.
    unsafe {
        (*vdev).pasid_dev = pasid.device().as_raw();
        (*vdev).pasid = pasid.pasid();
    }
}

/// Without iommufd, no device is registered with a PASID (see [`Registration::new_with_pasid`]).
///
/// # Safety
///
/// None needed; the signature matches the one with iommufd.
#[cfg(not(CONFIG_IOMMUFD))]
unsafe fn set_dma_pasid(_vdev: *mut bindings::vfio_device, _pasid: &GlobalPasid) {}

/// The `vfio_device_ops` of a `Device<T>`.
struct VTable<T: Operations>(PhantomData<T>);

/// ioctl number of a VFIO request (`_IO(VFIO_TYPE, VFIO_BASE + nr)` in the uapi header).
const fn vfio_ioctl(nr: u32) -> u32 {
    _IO(b';' as u32, 100 + nr)
}

const VFIO_DEVICE_GET_INFO: u32 = vfio_ioctl(7);
const VFIO_DEVICE_GET_IRQ_INFO: u32 = vfio_ioctl(9);
const VFIO_DEVICE_SET_IRQS: u32 = vfio_ioctl(10);
const VFIO_DEVICE_RESET: u32 = vfio_ioctl(11);

/// Reads the first `N` bytes of an ioctl argument as native-endian `u32` words.
fn read_words<const N: usize>(reader: &mut UserSliceReader) -> Result<[u32; N]> {
    let mut words = [0u32; N];
    for w in words.iter_mut() {
        *w = reader.read::<u32>()?;
    }
    Ok(words)
}

/// Writes `words` as native-endian `u32` words at the start of an ioctl argument.
fn write_words(writer: &mut UserSliceWriter, words: &[u32]) -> Result {
    for w in words {
        writer.write(w)?;
    }
    Ok(())
}

impl<T: Operations> VTable<T> {
    /// # Safety
    ///
    /// `vdev` must be the `vfio_device` of a `Device<T>` whose last reference is being dropped.
    unsafe extern "C" fn release(vdev: *mut bindings::vfio_device) {
        let this = vdev.cast::<Device<T>>();
        // SAFETY: `this` is valid; nobody else uses it any more.
        if unsafe { (*this).initialized } {
            // SAFETY: `data` is initialised (invariant of `Device`) and dropped only here, once;
            // the VFIO core frees the allocation right after this callback.
            unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
        }
        // SAFETY: `pasid` is initialised (invariant of `Device`) and dropped only here, once,
        // after iommufd detached it: the device was unbound from iommufd when it was closed.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).pasid) };
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`.
    unsafe extern "C" fn open_device(vdev: *mut bindings::vfio_device) -> c_int {
        // SAFETY: Callbacks other than `release` only run on a registered device, whose data is
        // initialised, while the VFIO core holds it.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match T::open(dev) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`.
    unsafe extern "C" fn close_device(vdev: *mut bindings::vfio_device) {
        // SAFETY: As in `open_device`.
        T::close(unsafe { Device::<T>::from_raw(vdev) });
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`, `ppos` a valid file position.
    unsafe extern "C" fn read(
        vdev: *mut bindings::vfio_device,
        buf: *mut c_char,
        count: usize,
        ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: As in `open_device`.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        // SAFETY: The VFIO core passes the file position of the `read(2)` call in progress.
        let pos = unsafe { *ppos };
        let Ok(pos) = u64::try_from(pos) else {
            return EINVAL.to_errno() as isize;
        };
        if T::HAS_READ_VALUE && matches!(count, 1 | 2 | 4 | 8) {
            let value = match T::read_value(dev, pos, count) {
                Ok(v) => v,
                Err(e) => return e.to_errno() as isize,
            };
            // SAFETY: `buf` is the user address `read(2)` was given, with room for `count`
            // bytes; the helper checks it as `put_user()` does and stores `count` bytes at most.
            if unsafe { bindings::vfio_put_user_le(buf.cast(), count, value) } != 0 {
                return EFAULT.to_errno() as isize;
            }
            // SAFETY: As below.
            unsafe { *ppos += count as bindings::loff_t };
            return count as isize;
        }
        if !T::HAS_READ {
            return EINVAL.to_errno() as isize;
        }
        let mut writer = UserSlice::new(UserPtr::from_ptr(buf.cast()), count).writer();
        match T::read(dev, &mut writer, pos) {
            Ok(n) => {
                // SAFETY: As above; `n <= count`, which fits a `loff_t` added to `pos`.
                unsafe { *ppos += n as bindings::loff_t };
                n as isize
            }
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`, `ppos` a valid file position.
    unsafe extern "C" fn write(
        vdev: *mut bindings::vfio_device,
        buf: *const c_char,
        count: usize,
        ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: As in `open_device`.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        // SAFETY: The VFIO core passes the file position of the `write(2)` call in progress.
        let pos = unsafe { *ppos };
        let Ok(pos) = u64::try_from(pos) else {
            return EINVAL.to_errno() as isize;
        };
        if T::HAS_WRITE_VALUE && matches!(count, 1 | 2 | 4 | 8) {
            let mut value = 0u64;
            // SAFETY: `buf` is the user address `write(2)` was given, with `count` bytes; the
            // helper checks it as `get_user()` does and reads `count` bytes at most.
            if unsafe { bindings::vfio_get_user_le(buf.cast(), count, &mut value) } != 0 {
                return EFAULT.to_errno() as isize;
            }
            if let Err(e) = T::write_value(dev, pos, count, value) {
                return e.to_errno() as isize;
            }
            // SAFETY: As below.
            unsafe { *ppos += count as bindings::loff_t };
            return count as isize;
        }
        if !T::HAS_WRITE {
            return EINVAL.to_errno() as isize;
        }
        let mut reader = UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), count).reader();
        match T::write(dev, &mut reader, pos) {
            Ok(n) => {
                // SAFETY: As above.
                unsafe { *ppos += n as bindings::loff_t };
                n as isize
            }
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`, `vma` a VMA being set up by `mmap(2)`.
    unsafe extern "C" fn mmap(
        vdev: *mut bindings::vfio_device,
        vma: *mut bindings::vm_area_struct,
    ) -> c_int {
        // SAFETY: As in `open_device`.
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
    /// `vdev` must be a registered `Device<T>`, `info` and `caps` the arguments of the
    /// `VFIO_DEVICE_GET_REGION_INFO` call in progress.
    unsafe extern "C" fn get_region_info_caps(
        vdev: *mut bindings::vfio_device,
        info: *mut bindings::vfio_region_info,
        caps: *mut bindings::vfio_info_cap,
    ) -> c_int {
        // SAFETY: As in `open_device`.
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

    fn get_info(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_device_info` up to `num_irqs`: argsz, flags, num_regions, num_irqs.
        let (mut reader, mut writer) = UserSlice::new(UserPtr::from_addr(arg), 16).reader_writer();
        let [argsz, ..] = read_words::<4>(&mut reader)?;
        if argsz < 16 {
            return Err(EINVAL);
        }
        let info = T::info(dev);
        write_words(
            &mut writer,
            &[argsz, info.flags, info.num_regions, info.num_irqs],
        )?;
        Ok(0)
    }

    fn get_irq_info(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_irq_info`: argsz, flags, index, count.
        let (mut reader, mut writer) = UserSlice::new(UserPtr::from_addr(arg), 16).reader_writer();
        let [argsz, _, index, _] = read_words::<4>(&mut reader)?;
        if argsz < 16 || index >= T::info(dev).num_irqs {
            return Err(EINVAL);
        }
        let irq = T::irq_info(dev, index)?;
        write_words(&mut writer, &[argsz, irq.flags, index, irq.count])?;
        Ok(0)
    }

    fn set_irqs(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_irq_set`: argsz, flags, index, start, count, then the data.
        let mut reader = UserSlice::new(UserPtr::from_addr(arg), 20).reader();
        let [argsz, flags, index, start, count] = read_words::<5>(&mut reader)?;
        let info = T::info(dev);
        if index >= info.num_irqs {
            return Err(EINVAL);
        }
        let num = T::irq_info(dev, index)?.count;
        let mut hdr = bindings::vfio_irq_set {
            argsz,
            flags,
            index,
            start,
            count,
            data: bindings::__IncompleteArrayField::new(),
        };
        let mut data_size = 0usize;
        // SAFETY: `hdr` and `data_size` are valid for the duration of the call.
        to_result(unsafe {
            bindings::vfio_set_irqs_validate_and_prepare(
                &mut hdr,
                num as c_int,
                info.num_irqs as c_int,
                &mut data_size,
            )
        })?;
        let action = match flags & bindings::VFIO_IRQ_SET_ACTION_TYPE_MASK {
            bindings::VFIO_IRQ_SET_ACTION_MASK => IrqAction::Mask,
            bindings::VFIO_IRQ_SET_ACTION_UNMASK => IrqAction::Unmask,
            bindings::VFIO_IRQ_SET_ACTION_TRIGGER => IrqAction::Trigger,
            _ => return Err(EINVAL),
        };
        let mut data =
            UserSlice::new(UserPtr::from_addr(arg).wrapping_byte_add(20), data_size).reader();
        let n = count as usize;
        let data = match flags & bindings::VFIO_IRQ_SET_DATA_TYPE_MASK {
            bindings::VFIO_IRQ_SET_DATA_NONE => IrqData::None,
            bindings::VFIO_IRQ_SET_DATA_BOOL => {
                let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
                for _ in 0..n {
                    v.push(data.read::<u8>()? != 0, GFP_KERNEL)?;
                }
                IrqData::Bool(v)
            }
            bindings::VFIO_IRQ_SET_DATA_EVENTFD => {
                let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
                for _ in 0..n {
                    let fd = data.read::<i32>()?;
                    let efd = match fd {
                        -1 => None,
                        fd if fd < 0 => return Err(EINVAL),
                        fd => Some(EventFd::from_fd(fd)?),
                    };
                    v.push(efd, GFP_KERNEL)?;
                }
                IrqData::EventFd(v)
            }
            _ => return Err(EINVAL),
        };
        T::set_irqs(
            dev,
            IrqSet {
                index,
                start,
                count,
                action,
                data,
            },
        )?;
        Ok(0)
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`.
    unsafe extern "C" fn ioctl(
        vdev: *mut bindings::vfio_device,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long {
        // SAFETY: As in `open_device`.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let ret = match cmd {
            VFIO_DEVICE_GET_INFO => Self::get_info(dev, arg),
            VFIO_DEVICE_GET_IRQ_INFO if T::HAS_IRQ_INFO => Self::get_irq_info(dev, arg),
            VFIO_DEVICE_SET_IRQS if T::HAS_SET_IRQS && T::HAS_IRQ_INFO => Self::set_irqs(dev, arg),
            VFIO_DEVICE_RESET if T::HAS_RESET => T::reset(dev).map(|()| 0),
            _ if T::HAS_IOCTL => T::ioctl(dev, cmd, arg),
            _ => Err(ENOTTY),
        };
        match ret {
            Ok(v) => v as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`.
    unsafe extern "C" fn request(vdev: *mut bindings::vfio_device, count: c_uint) {
        // SAFETY: As in `open_device`.
        T::request(unsafe { Device::<T>::from_raw(vdev) }, count);
    }

    /// # Safety
    ///
    /// `vdev` must be a registered `Device<T>`.
    unsafe extern "C" fn dma_unmap(vdev: *mut bindings::vfio_device, iova: u64, length: u64) {
        // SAFETY: As in `open_device`.
        T::dma_unmap(unsafe { Device::<T>::from_raw(vdev) }, iova, length);
    }

    const OPS: bindings::vfio_device_ops = bindings::vfio_device_ops {
        release: Some(Self::release),
        #[cfg(CONFIG_IOMMUFD)]
        bind_iommufd: Some(bindings::vfio_iommufd_emulated_bind),
        #[cfg(CONFIG_IOMMUFD)]
        unbind_iommufd: Some(bindings::vfio_iommufd_emulated_unbind),
        #[cfg(CONFIG_IOMMUFD)]
        attach_ioas: Some(bindings::vfio_iommufd_emulated_attach_ioas),
        #[cfg(CONFIG_IOMMUFD)]
        detach_ioas: Some(bindings::vfio_iommufd_emulated_detach_ioas),
        open_device: Some(Self::open_device),
        close_device: Some(Self::close_device),
        read: if T::HAS_READ || T::HAS_READ_VALUE {
            Some(Self::read)
        } else {
            None
        },
        write: if T::HAS_WRITE || T::HAS_WRITE_VALUE {
            Some(Self::write)
        } else {
            None
        },
        ioctl: Some(Self::ioctl),
        get_region_info_caps: if T::HAS_REGION_INFO {
            Some(Self::get_region_info_caps)
        } else {
            None
        },
        mmap: if T::HAS_MMAP { Some(Self::mmap) } else { None },
        request: if T::HAS_REQUEST {
            Some(Self::request)
        } else {
            None
        },
        dma_unmap: if T::HAS_DMA_UNMAP {
            Some(Self::dma_unmap)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// The operations of a device whose DMA is tagged with a host PASID: iommufd binds the
    /// PASID of the parent and attaches the address space to it, as for a physical device.
    const PASID_OPS: bindings::vfio_device_ops = bindings::vfio_device_ops {
        #[cfg(CONFIG_IOMMUFD)]
        bind_iommufd: Some(bindings::vfio_iommufd_pasid_bind),
        #[cfg(CONFIG_IOMMUFD)]
        unbind_iommufd: Some(bindings::vfio_iommufd_physical_unbind),
        #[cfg(CONFIG_IOMMUFD)]
        attach_ioas: Some(bindings::vfio_iommufd_physical_attach_ioas),
        #[cfg(CONFIG_IOMMUFD)]
        detach_ioas: Some(bindings::vfio_iommufd_physical_detach_ioas),
        dma_unmap: None,
        ..Self::OPS
    };

    const OPS_REF: &'static bindings::vfio_device_ops = &Self::OPS;
    const PASID_OPS_REF: &'static bindings::vfio_device_ops = &Self::PASID_OPS;
}
