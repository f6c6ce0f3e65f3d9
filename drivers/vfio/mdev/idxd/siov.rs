// SPDX-License-Identifier: GPL-2.0

//! The Scalable IOV DVSEC: whether the device can be shared as ADIs.
//!
//! A device that can be split into assignable device interfaces says so with
//! an Intel Designated Vendor-Specific Extended Capability (Intel Scalable
//! I/O Virtualization specification): the page sizes at which its ADIs'
//! MMIO may be mapped, the one the system uses, and whether it has an
//! interrupt message store (IMS), which the ADIs' interrupts need.
//!
//! The host's own use of the device does not depend on it; only the
//! mediated devices do.

use kernel::{bitfield, device::Bound, fmt, io::Io, page::PAGE_SIZE, pci, prelude::*};

/// DVSEC ID of the Scalable IOV capability (vendor Intel).
pub(crate) const DVSEC_ID: u16 = 5;

/// Register offsets from the start of the capability.
mod reg {
    /// Page sizes the device supports, [`super::page_size_bit`] encoded.
    pub(super) const SUPPORTED_PAGE_SIZES: usize = 0x0c;
    /// Page size the system uses, one bit set.
    pub(super) const SYSTEM_PAGE_SIZE: usize = 0x10;
    /// [`super::SiovCapabilities`].
    pub(super) const CAPABILITIES: usize = 0x14;
}

bitfield! {
    /// The capabilities register of the DVSEC.
    pub(crate) struct SiovCapabilities(u32) {
        /// The device has an interrupt message store.
        0:0 ims;
    }
}

/// Why the device's work queues cannot be shared as ADIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SiovError {
    /// The device has no Scalable IOV DVSEC.
    Missing,
    /// The DVSEC does not offer the host's page size.
    PageSize(usize),
    /// The device has no IMS for the ADIs' interrupts.
    NoIms,
    /// Configuration space could not be read or written.
    Config,
}

impl fmt::Display for SiovError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "the device has no Scalable IOV DVSEC"),
            Self::PageSize(size) => write!(
                f,
                "the Scalable IOV DVSEC does not support {size}-byte pages"
            ),
            Self::NoIms => write!(f, "the Scalable IOV DVSEC reports no IMS"),
            Self::Config => write!(f, "the Scalable IOV DVSEC is not accessible"),
        }
    }
}

/// The bit of the page size registers for `size` bytes: bit `n` is
/// `4096 << n`.
fn page_size_bit(size: usize) -> Option<u32> {
    if size < 4096 || !size.is_power_of_two() {
        return None;
    }
    let n = (size / 4096).trailing_zeros();
    (n < 32).then(|| 1 << n)
}

/// Checks the DVSEC's registers for a host with `page_size`-byte pages and
/// returns the value to write to the system page size register.
pub(crate) fn check(supported: u32, caps: u32, page_size: usize) -> Result<u32, SiovError> {
    let bit = page_size_bit(page_size)
        .filter(|bit| supported & bit != 0)
        .ok_or(SiovError::PageSize(page_size))?;
    if !SiovCapabilities::from_raw(caps).ims().into_bool() {
        return Err(SiovError::NoIms);
    }
    Ok(bit)
}

/// Finds the device's DVSEC, checks it and sets the system page size to the
/// host's.
pub(crate) fn enable(pdev: &pci::Device<Bound>) -> Result<(), SiovError> {
    let offset = pdev
        .find_dvsec_capability(pci::Vendor::INTEL, DVSEC_ID)
        .ok_or(SiovError::Missing)?;
    let cfg = pdev
        .config_space_extended()
        .map_err(|_| SiovError::Config)?;
    let at = |reg: usize| usize::from(offset) + reg;
    let read = |reg: usize| cfg.try_read32(at(reg)).map_err(|_| SiovError::Config);

    let bit = check(
        read(reg::SUPPORTED_PAGE_SIZES)?,
        read(reg::CAPABILITIES)?,
        PAGE_SIZE,
    )?;
    cfg.try_write32(bit, at(reg::SYSTEM_PAGE_SIZE))
        .map_err(|_| SiovError::Config)?;
    if read(reg::SYSTEM_PAGE_SIZE)? != bit {
        return Err(SiovError::Config);
    }
    Ok(())
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_siov)]
mod tests {
    use super::*;

    #[test]
    fn encodes_page_sizes() {
        assert_eq!(page_size_bit(4096), Some(1));
        assert_eq!(page_size_bit(8192), Some(2));
        assert_eq!(page_size_bit(64 * 1024), Some(1 << 4));
        assert_eq!(page_size_bit(2048), None);
        assert_eq!(page_size_bit(12288), None);
    }

    #[test]
    fn accepts_a_device_with_ims_and_4k_pages() {
        // 4 KiB and 2 MiB pages supported, IMS.
        assert_eq!(check(1 | 1 << 9, 1, 4096), Ok(1));
        assert_eq!(check(1 | 1 << 9, 1, 2 << 20), Ok(1 << 9));
    }

    #[test]
    fn refuses_a_missing_page_size_or_ims() {
        assert_eq!(check(1, 1, 64 * 1024), Err(SiovError::PageSize(64 * 1024)));
        assert_eq!(check(0, 1, 4096), Err(SiovError::PageSize(4096)));
        assert_eq!(check(1, 0, 4096), Err(SiovError::NoIms));
        // Only bit 0 of the capabilities is IMS.
        assert_eq!(check(1, 0xfffe, 4096), Err(SiovError::NoIms));
    }
}
