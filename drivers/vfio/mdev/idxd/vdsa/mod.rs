// SPDX-License-Identifier: GPL-2.0

//! The virtual DSA (vDSA): a WQ of the DSA as a VFIO mediated device.
//!
//! Each DSA whose Scalable IOV DVSEC is set up becomes an mdev parent with
//! one type, `1dwq-v1` (`idxd_vdcm-1dwq-v1` in sysfs): one dedicated WQ,
//! read-only configuration, no guest PASID. Its lifetime:
//!
//! - create: reserve one of the WQs the host left for assignable device
//!   interfaces ([`crate::config::AdiWqs`]), allocate a host PASID from the
//!   global PASID space and configure the WQ as dedicated, its DMA tagged
//!   with that PASID. The VFIO device is registered with the PASID (see
//!   [`kernel::vfio::Registration::new_with_pasid`]): the address space
//!   userspace attaches through iommufd (an IOAS or a page table, or the
//!   container iommufd emulates) is what the WQ's DMA is translated by.
//! - open: enable the WQ.
//! - `mmap(2)` of BAR 2: the WQ's portals (see [`portal`]), so userspace
//!   submits descriptors itself; nothing on that path reaches the driver.
//! - close: disable the WQ, which waits for the descriptors in flight, so
//!   that no DMA is left when iommufd detaches the PASID right after.
//! - remove: the WQ and the PASID go back (the PASID when the VFIO device
//!   is released, after iommufd has detached it).
//!
//! The emulated blocks, one per file, are plain state changed by the
//! guest's accesses; they reach the physical WQ and the interrupts only
//! through [`vcmd::Adi`], which the VFIO device is to implement:
//!
//! - [`cfgspace`]: the PCI configuration space (IDs, BARs, MSI-X, PCI
//!   Express);
//! - [`bar0`]: the control registers;
//! - [`vcmd`]: the virtual command engine behind `CMD`, software errors and
//!   interrupt handle revocation.
//!
//! They are tested by KUnit and not wired to the VFIO device yet: until
//! then, the VFIO device reports empty configuration space and BAR 0
//! regions.

use kernel::{
    device, mdev,
    mm::virt::VmaNew,
    new_mutex,
    prelude::*,
    sync::{atomic::Relaxed, Arc, Mutex},
    uaccess::{UserSliceReader, UserSliceWriter},
    vfio::{self, flags, pci, DeviceInfo, IrqAction, IrqData, IrqInfo, IrqSet, RegionCaps},
};

use crate::{cmd::Command, config, regs, Shared};
use kernel::io::Io;

// The VFIO device does not use the emulated blocks yet; their tests do.
#[allow(dead_code)]
pub(crate) mod bar0;
#[allow(dead_code)]
pub(crate) mod cfgspace;
pub(crate) mod portal;
#[allow(dead_code)]
pub(crate) mod vcmd;

impl Shared {
    /// Writes the threshold, mode and limits dwords of the WQCFG of the
    /// disabled WQ `wq`, taken by a vDSA.
    fn write_adi_wqcfg(&self, wq: u16, dwords: [u32; 3]) -> Result {
        let bar = self.bar0.try_access().ok_or(ENXIO)?;
        let at = [
            regs::wqcfg::THRESHOLD,
            regs::wqcfg::MODE,
            regs::wqcfg::LIMITS,
        ];
        for (dword, value) in at.into_iter().zip(dwords) {
            bar.try_write32(value, self.tables.wqcfg_dword(&self.caps, wq, dword))?;
        }
        Ok(())
    }
}

/// The mdev driver of the DSAs' vDSAs.
pub(crate) struct VdsaDriver;

/// The parent data: the DSA.
pub(crate) struct VdsaParent {
    shared: Arc<Shared>,
}

impl VdsaParent {
    /// The parent data of a DSA whose Scalable IOV check passed.
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

/// The bit of WQ `wq` in a bitmap of the first 64 WQs (the vDSAs' WQs are
/// among them, see [`config::AdiWqs`]).
fn bit(wq: u16) -> u64 {
    1u64.checked_shl(wq.into()).unwrap_or(0)
}

/// A WQ reserved by a vDSA; dropping it gives the WQ back.
///
/// # Invariants
///
/// Bit `index` of `shared.adi_taken` is set by this reservation.
struct WqReservation {
    shared: Arc<Shared>,
    index: u16,
}

impl WqReservation {
    /// Takes the first free WQ left for assignable device interfaces.
    fn take(shared: &Arc<Shared>) -> Result<Self> {
        let adi = shared.adi.ok_or(ENODEV)?;
        let mut taken = shared.adi_taken.lock();
        let index = adi
            .indices()
            .find(|&wq| *taken & bit(wq) == 0)
            .ok_or(EUSERS)?;
        *taken |= bit(index);
        // INVARIANT: The bit was set above.
        Ok(Self {
            shared: shared.clone(),
            index,
        })
    }
}

impl Drop for WqReservation {
    fn drop(&mut self) {
        *self.shared.adi_taken.lock() &= !bit(self.index);
    }
}

/// State of a vDSA that changes while it is open.
struct State {
    /// The WQ is enabled: the device is open.
    enabled: bool,
    /// The eventfd of the request interrupt.
    request: Option<kernel::eventfd::EventFd>,
}

/// A vDSA: the data of its VFIO device.
#[pin_data]
pub(crate) struct Vdsa {
    wq: WqReservation,
    pasid: u32,
    #[pin]
    state: Mutex<State>,
}

impl Vdsa {
    fn shared(&self) -> &Arc<Shared> {
        &self.wq.shared
    }

    /// Counts a call of the driver's VFIO read, write or ioctl handlers.
    fn count_call(&self) {
        self.shared().vfio_calls.fetch_add(1, Relaxed);
    }
}

/// BAR 2 of a vDSA: the portals of its WQ.
const BAR2_SIZE: u64 = portal::BAR2_SIZE;

#[vtable]
impl vfio::Operations for Vdsa {
    fn open(dev: &vfio::Device<Self>) -> Result {
        if dev.host_pasid() != Some(dev.pasid) {
            return Err(EINVAL);
        }
        let mut state = dev.state.lock();
        dev.shared().exec(Command::EnableWq(dev.wq.index))?;
        state.enabled = true;
        Ok(())
    }

    fn close(dev: &vfio::Device<Self>) {
        let mut state = dev.state.lock();
        state.request = None;
        if state.enabled {
            // Disabling a WQ waits for its descriptors in flight: none of
            // them may run after iommufd detaches the PASID.
            if let Ok(set) = crate::cmd::WqSet::one(dev.wq.index) {
                if let Err(e) = dev.shared().exec(Command::DisableWqs(set)) {
                    dev_err!(
                        dev.parent(),
                        "WQ {} did not disable: {:?}\n",
                        dev.wq.index,
                        e
                    );
                }
            }
            state.enabled = false;
        }
    }

    fn read(dev: &vfio::Device<Self>, _buf: &mut UserSliceWriter, _pos: u64) -> Result<usize> {
        dev.count_call();
        Err(EINVAL)
    }

    fn write(dev: &vfio::Device<Self>, _buf: &mut UserSliceReader, _pos: u64) -> Result<usize> {
        dev.count_call();
        Err(EINVAL)
    }

    fn mmap(dev: &vfio::Device<Self>, vma: &VmaNew, pos: u64) -> Result {
        portal::mmap(dev.shared(), dev.wq.index, vma, pos)
    }

    fn info(dev: &vfio::Device<Self>) -> DeviceInfo {
        dev.count_call();
        DeviceInfo {
            flags: flags::DEVICE_PCI,
            num_regions: pci::NUM_REGIONS,
            num_irqs: pci::NUM_IRQS,
        }
    }

    fn region_info(
        dev: &vfio::Device<Self>,
        index: u32,
        caps: &mut RegionCaps<'_>,
    ) -> Result<vfio::RegionInfo> {
        dev.count_call();
        Ok(match index {
            pci::BAR2_REGION_INDEX => {
                caps.add_sparse_mmap(&portal::SPARSE_AREAS)?;
                vfio::RegionInfo {
                    flags: flags::REGION_READ | flags::REGION_WRITE | flags::REGION_MMAP,
                    size: BAR2_SIZE,
                }
            }
            i if i < pci::NUM_REGIONS => vfio::RegionInfo { flags: 0, size: 0 },
            _ => return Err(EINVAL),
        })
    }

    fn irq_info(dev: &vfio::Device<Self>, index: u32) -> Result<IrqInfo> {
        dev.count_call();
        Ok(match index {
            pci::REQ_IRQ_INDEX => IrqInfo {
                flags: flags::IRQ_EVENTFD | flags::IRQ_NORESIZE,
                count: 1,
            },
            _ => IrqInfo { flags: 0, count: 0 },
        })
    }

    fn set_irqs(dev: &vfio::Device<Self>, set: IrqSet) -> Result {
        dev.count_call();
        if set.index != pci::REQ_IRQ_INDEX {
            return Err(EINVAL);
        }
        let mut state = dev.state.lock();
        match (set.action, set.data) {
            (IrqAction::Trigger, IrqData::EventFd(mut fds)) => state.request = fds.pop().flatten(),
            (IrqAction::Trigger, IrqData::None) if set.count == 0 => state.request = None,
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    fn ioctl(dev: &vfio::Device<Self>, _cmd: u32, _arg: usize) -> Result<isize> {
        dev.count_call();
        Err(ENOTTY)
    }

    fn request(dev: &vfio::Device<Self>, count: u32) {
        match &dev.state.lock().request {
            Some(req) => req.signal(),
            None if count == 0 => {
                dev_info!(
                    dev.parent(),
                    "removal waits until userspace closes the device\n"
                )
            }
            None => {}
        }
    }
}

#[vtable]
impl mdev::Driver for VdsaDriver {
    const NAME: &'static CStr = c"idxd_vdcm";
    const DEVICE_API: &'static CStr = pci::DEVICE_API;
    const TYPES: &'static [mdev::Type] = &[mdev::Type {
        sysfs_name: c"1dwq-v1",
        pretty_name: c"vDSA, 1 dedicated WQ",
        description: c"a virtual DSA with one dedicated WQ, read-only configuration, no guest PASID: its portals are mapped to the device's WQ and its DMA goes through a host PASID",
        max_instances: 0,
    }];

    type ParentData = VdsaParent;
    type Vfio = Vdsa;

    fn max_instances(data: &VdsaParent, _type_index: usize) -> u32 {
        data.shared.adi.map_or(0, |a| u32::from(a.count))
    }

    fn probe(
        data: &VdsaParent,
        parent: &device::Device<device::Bound>,
        _mdev: &mdev::Device<device::Core<'_>>,
        _type_index: usize,
    ) -> Result<mdev::Probe<impl PinInit<Vdsa, Error>>> {
        let shared = data.shared.clone();
        let wq = WqReservation::take(&shared)?;
        let pasid = Arc::new(kernel::iommu::pasid::GlobalPasid::new(parent)?, GFP_KERNEL)?;
        let dwords = config::adi_wqcfg(&shared.caps, pasid.pasid())?;
        shared.write_adi_wqcfg(wq.index, dwords)?;
        Ok(mdev::Probe {
            pasid: Some(pasid.clone()),
            init: try_pin_init!(Vdsa {
                wq,
                pasid: pasid.pasid(),
                state <- new_mutex!(State {
                    enabled: false,
                    request: None,
                }),
            }? Error),
        })
    }
}
