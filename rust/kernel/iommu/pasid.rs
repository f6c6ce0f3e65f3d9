// SPDX-License-Identifier: GPL-2.0

//! Kernel PASIDs: DMA tagged with a PASID, translated like the device's own.
//!
//! A device that submits work through shared work queues (ENQCMDS) tags all
//! of its DMA with a PASID (Process Address Space ID). For the kernel's own
//! work, that PASID must translate exactly as the device's untagged DMA does,
//! through the DMA API's domain. [`KernelPasid`] allocates a PASID from the
//! global space (so that it is not one of the PASIDs handed to processes)
//! and attaches the device's current domain to it.
//!
//! C header: [`include/linux/iommu.h`](srctree/include/linux/iommu.h)

use crate::{
    bindings,
    device::{Bound, Device},
    error::to_result,
    prelude::*,
    sync::aref::ARef,
};
use core::ptr::NonNull;

/// A PASID of the device attached to the device's DMA API domain.
///
/// Dropping it detaches the domain from the PASID and frees the PASID. A
/// driver must drop it before its remove (unbind) callback returns: the
/// PCI core warns when a driver goes away with a PASID still attached.
///
/// # Invariants
///
/// `pasid` was allocated with `iommu_alloc_global_pasid()` for `dev`, and
/// `domain` is attached to `dev` with that PASID. `domain` is the domain
/// `dev` was using for DMA when the PASID was attached: a default domain,
/// which lives as long as the device's IOMMU group, itself kept alive by the
/// reference to `dev`.
pub struct KernelPasid {
    dev: ARef<Device>,
    domain: NonNull<bindings::iommu_domain>,
    pasid: u32,
}

// SAFETY: The PASID and the domain pointer are plain values; detaching and
// freeing may happen on any thread.
unsafe impl Send for KernelPasid {}

// SAFETY: `&KernelPasid` only gives the PASID's value.
unsafe impl Sync for KernelPasid {}

impl KernelPasid {
    /// Allocates a PASID for `dev` and attaches the domain `dev` uses for
    /// DMA to it.
    ///
    /// Fails with [`ENODEV`] if `dev` has no IOMMU domain, with [`ENOSPC`]
    /// if the device or its IOMMU supports no PASID (or none is free), and
    /// with the IOMMU driver's error if the attach fails.
    pub fn new(dev: &Device<Bound>) -> Result<Self> {
        // SAFETY: `dev.as_raw()` is a valid, bound device.
        let domain = unsafe { bindings::iommu_get_domain_for_dev(dev.as_raw()) };
        let domain = NonNull::new(domain).ok_or(ENODEV)?;

        // SAFETY: `dev.as_raw()` is a valid device.
        let pasid = unsafe { bindings::iommu_alloc_global_pasid(dev.as_raw()) };
        // `IOMMU_PASID_INVALID` is `-1U` in C.
        if pasid == bindings::IOMMU_PASID_INVALID as u32 {
            return Err(ENOSPC);
        }

        // SAFETY: `domain` is the device's current domain, `pasid` was just
        // allocated for it, and no attach handle is asked for.
        let ret = unsafe {
            bindings::iommu_attach_device_pasid(
                domain.as_ptr(),
                dev.as_raw(),
                pasid,
                core::ptr::null_mut(),
            )
        };
        if let Err(e) = to_result(ret) {
            // SAFETY: `pasid` was allocated above and is not attached.
            unsafe { bindings::iommu_free_global_pasid(pasid) };
            return Err(e);
        }

        // INVARIANT: `pasid` is allocated and `domain` attached with it.
        Ok(Self {
            dev: dev.into(),
            domain,
            pasid,
        })
    }

    /// The PASID's value.
    pub fn pasid(&self) -> u32 {
        self.pasid
    }
}

impl Drop for KernelPasid {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, `domain` is attached to `dev` with
        // `pasid`, which was allocated for it; each is undone once.
        unsafe {
            bindings::iommu_detach_device_pasid(
                self.domain.as_ptr(),
                self.dev.as_raw(),
                self.pasid,
            );
            bindings::iommu_free_global_pasid(self.pasid);
        }
    }
}

/// A PASID taken from the global PASID space, attached to nothing by itself.
///
/// The global space is the one the IOMMU core hands out with
/// `iommu_alloc_global_pasid()`: PASIDs that are unique across devices and
/// never given to a process for shared virtual addressing, so a device's
/// kernel PASID, the PASIDs of its assignable interfaces and the PASIDs of
/// processes never collide. What the PASID translates through is decided by
/// whoever attaches a domain to it, for example iommufd on behalf of a VFIO
/// device (see [`crate::vfio::Registration::new_with_pasid`]).
///
/// Dropping it frees the PASID. Its owner must have detached every domain
/// from it by then.
///
/// # Invariants
///
/// `pasid` was allocated with `iommu_alloc_global_pasid()` for `dev` and is
/// freed only in `drop`.
pub struct GlobalPasid {
    dev: ARef<Device>,
    pasid: u32,
}

impl GlobalPasid {
    /// Allocates a PASID for `dev` from the global space.
    ///
    /// Fails with [`ENOSPC`] if `dev` or its IOMMU supports no PASID, or if
    /// none is free.
    pub fn new(dev: &Device<Bound>) -> Result<Self> {
        // SAFETY: `dev.as_raw()` is a valid device.
        let pasid = unsafe { bindings::iommu_alloc_global_pasid(dev.as_raw()) };
        // `IOMMU_PASID_INVALID` is `-1U` in C.
        if pasid == bindings::IOMMU_PASID_INVALID as u32 {
            return Err(ENOSPC);
        }
        // INVARIANT: `pasid` was just allocated for `dev`.
        Ok(Self {
            dev: dev.into(),
            pasid,
        })
    }

    /// The PASID's value.
    pub fn pasid(&self) -> u32 {
        self.pasid
    }

    /// The device the PASID was allocated for.
    pub fn device(&self) -> &Device {
        &self.dev
    }
}

impl Drop for GlobalPasid {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `pasid` is allocated and freed
        // only here, once.
        unsafe { bindings::iommu_free_global_pasid(self.pasid) };
    }
}
