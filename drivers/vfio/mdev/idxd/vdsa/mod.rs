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
//! - open: the vDSA is at its reset state: device and WQ disabled; the
//!   guest's driver enables them with commands, as on a DSA.
//! - `mmap(2)` of BAR 2: the WQ's portals (see [`portal`]), so userspace
//!   submits descriptors itself; nothing on that path reaches the driver.
//! - close: disable the WQ if the guest left it enabled, which waits for the
//!   descriptors in flight, so that no DMA is left when iommufd detaches the
//!   PASID right after; then back to the reset state.
//! - remove: the WQ goes back (when the VFIO device is released, after
//!   iommufd has detached the PASID).
//!
//! The slow path is emulated by blocks, one per file, whose state the
//! guest's accesses read and write atomically, without a lock; only the
//! virtual command engine, which changes several registers and the physical
//! WQ, runs under the vDSA's command lock. The blocks reach the physical WQ
//! and the interrupts only through [`vcmd::PhysWq`], which [`VdsaState`]
//! implements:
//!
//! - [`cfgspace`]: the PCI configuration space (IDs, BARs, MSI-X, PCI
//!   Express), the VFIO configuration region;
//! - [`bar0`]: the control registers, the VFIO region of BAR 0 (4- and
//!   8-byte accesses, while memory decoding is enabled);
//! - [`vcmd`]: the virtual command engine behind `CMD`, software errors and
//!   halts;
//! - [`adi`]: what the host keeps per WQ: its host PASID, its IMS vector
//!   (vector 1's interrupts) and the device events waiting for the vDSA;
//! - [`migration`]: the VFIO migration state machine, the stream that
//!   carries the guest-visible state, the dirty log.
//!
//! Interrupts are MSI-X vectors 0 and 1, each signalled through the eventfd
//! set with `VFIO_DEVICE_SET_IRQS` ([`adi::Vector`]): vector 0 is emulated
//! (command completion, software errors, halt), vector 1 is raised by the
//! WQ's IMS vector, whose interrupt handle the guest gets with the Request
//! Interrupt Handle command and puts in its descriptors.

use kernel::{
    device, mdev,
    mm::virt::VmaNew,
    new_mutex,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, Mutex,
    },
    uaccess::{UserSliceReader, UserSliceWriter},
    vfio::{
        self, flags, pci, DeviceInfo, IovaBitmap, IrqAction, IrqData, IrqInfo, IrqSet, LogRanges,
        MigState, MigrationFile, RegionCaps,
    },
};

use crate::{
    cmd::{CmdError, Command, WqSet},
    config, regs, Shared,
};
use adi::{AdiSlot, Events, Vector};
use bar0::{Backing, Registers, Written};
use cfgspace::{ConfigSpace, Identity};
use kernel::io::Io;

pub(crate) mod adi;
pub(crate) mod bar0;
pub(crate) mod cfgspace;
pub(crate) mod migration;
pub(crate) mod portal;
pub(crate) mod vcmd;

impl Shared {
    /// Writes the threshold, mode and limits dwords of the WQCFG of the
    /// disabled WQ `wq`, taken by a vDSA.
    pub(crate) fn write_adi_wqcfg(&self, wq: u16, dwords: [u32; 3]) -> Result {
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

    /// Whether the device has WQ `wq` enabled.
    pub(crate) fn wq_enabled(&self, wq: u16) -> bool {
        self.bar0.try_access().is_some_and(|bar| {
            bar.try_read32(self.tables.wqcfg_dword(&self.caps, wq, regs::wqcfg::STATE))
                .is_ok_and(|v| regs::WqcfgState::from_raw(v).state().get() == 1)
        })
    }

    /// What a vDSA shows of the physical device and of its WQs (the same
    /// for each of them).
    fn adi_backing(&self) -> Result<Backing> {
        let adi = self.adi.wqs.ok_or(ENODEV)?;
        let bar = self.bar0.try_access().ok_or(ENXIO)?;
        let mut opcap = [0u64; 4];
        for (i, q) in opcap.iter_mut().enumerate() {
            *q = bar.try_read64(<regs::OPCAP as kernel::io::register::Register>::OFFSET + 8 * i)?;
        }
        Ok(Backing {
            gencap: bar.try_read(regs::GENCAP)?,
            opcap,
            wq_size: adi.size,
            priority: config::KERNEL_WQ_PRIORITY,
            max_xfer_shift: self.caps.max_xfer_bytes.trailing_zeros().try_into()?,
            max_batch_shift: self.caps.max_batch_size.trailing_zeros().try_into()?,
        })
    }
}

/// The mdev driver of the DSAs' vDSAs.
pub(crate) struct VdsaDriver;

/// The index of type `1dwq-v1` in [`VdsaDriver`]'s types; `1swq-v1` is the
/// other.
const TYPE_DEDICATED: usize = 0;

/// The parent data: the DSA.
pub(crate) struct VdsaParent {
    shared: Arc<Shared>,
    /// The IDs the vDSAs show.
    identity: Identity,
    /// What the vDSAs show of the device and of its WQs, read once at bind:
    /// a create then touches the device only to configure its WQ.
    backing: Backing,
}

impl VdsaParent {
    /// The parent data of a DSA whose Scalable IOV check passed.
    pub(crate) fn new(
        shared: Arc<Shared>,
        pdev: &kernel::pci::Device<device::Bound>,
    ) -> Result<Self> {
        let identity = Identity {
            vendor: pdev.vendor_id().as_raw(),
            device: pdev.device_id(),
            revision: pdev.revision_id(),
            subsystem_vendor: pdev.subsystem_vendor_id(),
            subsystem: pdev.subsystem_device_id(),
        };
        let backing = shared.adi_backing()?;
        Ok(Self {
            shared,
            identity,
            backing,
        })
    }
}

/// The bit of `index` in a bitmap of 64 (the vDSAs' WQs are among the
/// first 64 WQs, see [`config::AdiWqs`], and the shared WQ serves at most
/// [`config::MAX_SWQ_VDSAS`] vDSAs).
fn bit(index: u16) -> u64 {
    1u64.checked_shl(index.into()).unwrap_or(0)
}

/// What a vDSA takes when it is created: a dedicated WQ, or a slot on the
/// shared WQ; dropping it gives it back.
///
/// # Invariants
///
/// Bit `index` of `shared.adi.taken` (of `shared.adi.tenants` if `tenant`)
/// is set by this reservation.
struct Reservation {
    shared: Arc<Shared>,
    tenant: bool,
    index: u16,
}

impl Reservation {
    /// Takes the first free WQ left for assignable device interfaces.
    fn take_wq(shared: &Arc<Shared>) -> Result<Self> {
        let adi = shared.adi.wqs.ok_or(ENODEV)?;
        Self::take(shared, false, &shared.adi.taken, adi.indices())
    }

    /// Takes the first free slot of the shared WQ.
    fn take_tenant(shared: &Arc<Shared>) -> Result<Self> {
        let swq = shared.adi.shared_wq().ok_or(ENODEV)?;
        Self::take(shared, true, &shared.adi.tenants, 0..swq.vdsas)
    }

    fn take(
        shared: &Arc<Shared>,
        tenant: bool,
        bitmap: &Mutex<u64>,
        mut indices: core::ops::Range<u16>,
    ) -> Result<Self> {
        let mut taken = bitmap.lock();
        let index = indices.find(|&i| *taken & bit(i) == 0).ok_or(EUSERS)?;
        *taken |= bit(index);
        // INVARIANT: The bit was set above.
        Ok(Self {
            shared: shared.clone(),
            tenant,
            index,
        })
    }

    /// The host's state of what was taken.
    fn slot(&self) -> Result<Arc<AdiSlot>> {
        let adi = &self.shared.adi;
        let slot = if self.tenant {
            adi.tenant(self.index)
        } else {
            adi.slot(self.index)
        };
        slot.cloned().ok_or(ENODEV)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let bitmap = if self.tenant {
            &self.shared.adi.tenants
        } else {
            &self.shared.adi.taken
        };
        *bitmap.lock() &= !bit(self.index);
    }
}

/// The part of a vDSA that its WQ's interrupt thread reaches too.
#[pin_data]
pub(crate) struct VdsaState {
    shared: Arc<Shared>,
    adi: Arc<AdiSlot>,
    /// What the configuration space shows of the parent.
    identity: Identity,
    /// What the registers show of the physical WQ.
    backing: Backing,
    /// Quiesced for migration (see [`migration`]): the physical WQ is
    /// disabled, the vectors frozen, BAR0 writes refused.
    quiesced: Atomic<bool>,
    /// How many times the physical WQ was enabled, for the dirty log.
    wq_runs: Atomic<u64>,
    /// The configuration space (atomic, read and written without a lock).
    cfg: ConfigSpace,
    /// The register file (read without a lock, see [`bar0`]).
    regs: Registers,
    /// The command lock: the virtual command engine, the device events it
    /// shows and resets run one at a time under it.
    #[pin]
    cmd: Mutex<()>,
    /// MSI-X vector 0: commands, errors, halt.
    #[pin]
    vector0: Vector,
    /// The eventfd of the error interrupt, signalled when the device halts
    /// (as vfio-pci signals a function's uncorrectable errors).
    #[pin]
    err: Mutex<Option<kernel::eventfd::EventFd>>,
}

impl VdsaState {
    /// Runs an admin command on the physical WQ, once the device is
    /// recovered from a halt it may be in ([`Shared::wait_recovered`]); the
    /// guest sees a failure as a hardware error (the host logs it).
    fn phys(&self, command: Command) -> Result<(), CmdError> {
        self.shared.wait_recovered();
        self.shared
            .exec(command)
            .map(|_| ())
            .map_err(|_| CmdError::Hardware)
    }

    /// Drains, aborts or disables the physical WQ. A WQ that is not
    /// enabled (quiesced for a migration while the guest's registers say
    /// enabled, disabled by the host's recovery of a halt, or gone with
    /// its device) has nothing in flight: the command is not sent, as the
    /// device would refuse to disable a disabled WQ.
    ///
    /// On the shared WQ, the command is `on_pasid`, for the vDSA's PASID:
    /// draining (also for a disable) or aborting only its descriptors.
    fn phys_wq(
        &self,
        command: fn(WqSet) -> Command,
        on_pasid: fn(u32) -> Command,
    ) -> Result<(), CmdError> {
        // What the WQ's state says after a recovery, not during one.
        self.shared.wait_recovered();
        if !self.shared.wq_enabled(self.adi.wq) {
            return Ok(());
        }
        if self.adi.shared {
            return self.phys(on_pasid(self.adi.pasid.pasid()));
        }
        self.phys(command(self.wq_set()?))
    }

    /// Whether the vDSA's work may run on the device now: its dedicated WQ
    /// is enabled; on the shared WQ, that WQ is, and so is the guest's WQ
    /// on a vDSA that is not quiesced.
    pub(crate) fn may_run(&self) -> bool {
        let on = self.shared.wq_enabled(self.adi.wq);
        if !self.adi.shared {
            return on;
        }
        on && self.regs.wq_enabled() && !self.quiesced.load(Relaxed)
    }

    fn wq_set(&self) -> Result<WqSet, CmdError> {
        WqSet::one(self.adi.wq).map_err(|_| CmdError::Hardware)
    }

    /// Shows the guest the device events of its WQ. From the parent's
    /// interrupt thread.
    pub(crate) fn deliver(&self, ev: Events) {
        let _cmd = self.cmd.lock();
        let regs = &self.regs;
        if let Some(e) = ev.swerr {
            vcmd::software_error(regs, self, &e);
            if ev.overflow {
                // The register keeps the first error and marks the rest.
                vcmd::software_error(regs, self, &e);
            }
        }
        if ev.halt {
            // The host recovered before telling the vDSAs: the physical WQ
            // is disabled, unless the guest enabled it again meanwhile
            // (after a reset of its own). The guest's reset of the halt
            // then disables what is enabled. (The shared WQ is the host's:
            // the recovery enabled it again, and the reset drains what
            // the vDSA submits meanwhile.)
            if !self.adi.shared {
                regs.set_wq_enabled(self.shared.wq_enabled(self.adi.wq));
            }
            vcmd::halt(regs, self);
            if let Some(e) = &*self.err.lock() {
                e.signal();
            }
        }
    }

    /// The emulated MSI-X vector `index`.
    fn vector(&self, index: u32) -> Option<&Vector> {
        match index {
            0 => Some(&self.vector0),
            1 => Some(&self.adi.completion),
            _ => None,
        }
    }

    /// Back to the device's state after creation: the WQ disabled (drained
    /// first, or aborted if `abort`), the registers at their reset values.
    /// The configuration space is the caller's: a function reset keeps it,
    /// as the PCI core saves and restores it around one.
    fn reset(&self, abort: bool) -> Result {
        let _cmd = self.cmd.lock();
        if !abort && self.regs.wq_enabled() {
            vcmd::PhysWq::disable_wq(self).map_err(|_| EIO)?;
            self.regs.set_wq_enabled(false);
        }
        vcmd::reset(&self.regs, self).map_err(|_| EIO)
    }
}

impl vcmd::PhysWq for VdsaState {
    fn enable_wq(&self) -> Result<(), CmdError> {
        // Counted first: the WQ may write guest memory from now on.
        self.wq_runs.fetch_add(1, Relaxed);
        if self.adi.shared {
            // The host keeps the shared WQ enabled; the vDSA's descriptors
            // reach it from now on (`may_run`).
            return Ok(());
        }
        self.phys(Command::EnableWq(self.adi.wq))
    }

    fn disable_wq(&self) -> Result<(), CmdError> {
        self.phys_wq(Command::DisableWqs, Command::DrainPasid)
    }

    fn drain_wq(&self) -> Result<(), CmdError> {
        self.phys_wq(Command::DrainWqs, Command::DrainPasid)
    }

    fn abort_wq(&self) -> Result<(), CmdError> {
        self.phys_wq(Command::AbortWqs, Command::AbortPasid)
    }

    fn request_int_handle(&self) -> Result<u16, CmdError> {
        self.adi.handle().ok_or(CmdError::NoHandle)
    }

    fn release_int_handle(&self, _handle: u16) {
        // The IMS vector stays with the WQ for its next vDSA; the guest's
        // descriptors that still name it raise vector 1, its own.
    }

    fn raise_vector0(&self) {
        self.vector0.fire();
    }
}

/// A vDSA: the data of its VFIO device.
#[pin_data]
pub(crate) struct Vdsa {
    wq: Reservation,
    core: Arc<VdsaState>,
    /// The eventfd of the request interrupt.
    #[pin]
    request: Mutex<Option<kernel::eventfd::EventFd>>,
    /// The migration lock and state, taken before any other lock of the
    /// vDSA.
    #[pin]
    mig: Mutex<migration::Migration>,
}

impl Vdsa {
    fn shared(&self) -> &Arc<Shared> {
        &self.core.shared
    }

    /// Counts a call of the driver's VFIO read, write or ioctl handlers.
    fn count_call(&self) {
        self.shared().vfio_calls.fetch_add(1, Relaxed);
    }

    /// Counts a region access at `pos` and splits `pos` into the region's
    /// index and the offset in it.
    fn region_access(&self, pos: u64) -> Result<(u32, u64)> {
        self.count_call();
        let (index, off) = vfio::split_offset(pos);
        Ok((u32::try_from(index).map_err(|_| EINVAL)?, off))
    }

    /// The error of a BAR 0 access of a size other than 1, 2, 4 or 8: those
    /// reach `value_read` and `value_write` instead (see
    /// [`vfio::Operations::read_value`]), and no other size is a register
    /// access. EIO while memory decoding is off, as for any BAR 0 access,
    /// else EINVAL.
    fn bar0_size_error(&self) -> Error {
        if self.core.cfg.memory_enabled() {
            EINVAL
        } else {
            EIO
        }
    }

    /// Reads `len` bytes at `off` of region `index` into `buf`.
    ///
    /// Takes no lock: the configuration space and the registers are
    /// atomics.
    fn region_read(&self, index: u32, off: u64, buf: &mut UserSliceWriter) -> Result<usize> {
        let len = buf.len();
        match index {
            pci::CONFIG_REGION_INDEX => {
                // Checked as a whole first: nothing is read if the end is
                // out of range.
                ConfigSpace::range(off, len)?;
                let mut chunk = [0u8; 64];
                let mut done = 0;
                while done < len {
                    let n = (len - done).min(chunk.len());
                    self.core.cfg.read(off + done as u64, &mut chunk[..n])?;
                    buf.write_slice(&chunk[..n])?;
                    done += n;
                }
                Ok(len)
            }
            pci::BAR0_REGION_INDEX => Err(self.bar0_size_error()),
            _ => Err(EINVAL),
        }
    }

    /// Reads `size` bytes (at most 8) at `off` of region `index` as one
    /// value, little-endian. Takes no lock, as `region_read`.
    fn value_read(&self, index: u32, off: u64, size: usize) -> Result<u64> {
        let core = &*self.core;
        match index {
            pci::BAR0_REGION_INDEX => {
                if !core.cfg.memory_enabled() {
                    return Err(EIO);
                }
                core.regs.read(off, size)
            }
            pci::CONFIG_REGION_INDEX if size <= 8 => {
                ConfigSpace::range(off, size)?;
                let mut bytes = [0u8; 8];
                core.cfg.read(off, &mut bytes[..size])?;
                Ok(u64::from_le_bytes(bytes))
            }
            _ => Err(EINVAL),
        }
    }

    /// Writes the `len` bytes of `buf` at `off` of region `index`.
    fn region_write(&self, index: u32, off: u64, buf: &mut UserSliceReader) -> Result<usize> {
        let len = buf.len();
        match index {
            pci::CONFIG_REGION_INDEX => {
                let mut chunk = [0u8; 64];
                let mut done = 0;
                // Checked as a whole first: nothing is written if the end is
                // out of range.
                ConfigSpace::range(off, len)?;
                while done < len {
                    let n = (len - done).min(chunk.len());
                    buf.read_slice(&mut chunk[..n])?;
                    self.core.cfg.write(off + done as u64, &chunk[..n])?;
                    done += n;
                }
                Ok(len)
            }
            pci::BAR0_REGION_INDEX => Err(self.bar0_size_error()),
            pci::BAR2_REGION_INDEX => {
                let core = &*self.core;
                if !core.cfg.memory_enabled() {
                    return Err(EIO);
                }
                // Quiesced for migration, the device takes no new work.
                if core.quiesced.load(Relaxed) {
                    return Err(EBUSY);
                }
                let allowed = portal::Allowed {
                    opcap: &core.backing.opcap,
                    handle: core.adi.handle(),
                    batch: self.shared().caps.version_major >= 2,
                    block_on_fault: !core.adi.shared,
                };
                if core.adi.shared {
                    return self.submit_shared(&allowed, off, buf);
                }
                portal::write(self.shared(), core.adi.wq, &allowed, off, buf)
            }
            _ => Err(EINVAL),
        }
    }

    /// Submits a descriptor written to the portal of a vDSA of the shared
    /// WQ. As a dedicated WQ does with a descriptor it cannot take, a
    /// descriptor that the vDSA's WQ is not enabled for, or that the
    /// shared WQ kept refusing (see [`portal::SharedDescriptor::submit`]),
    /// is dropped and reported as a software error of the vDSA; the write
    /// itself succeeds, as the guest's store did.
    fn submit_shared(
        &self,
        allowed: &portal::Allowed<'_>,
        off: u64,
        buf: &mut UserSliceReader,
    ) -> Result<usize> {
        let core = &*self.core;
        let desc = portal::SharedDescriptor::read(allowed, off, buf)?;
        let opcode = desc.opcode;
        // Under the command lock: once a command disabled the WQ (and
        // drained the PASID) or quiesced the vDSA, no descriptor gets in.
        let _cmd = core.cmd.lock();
        let code = if !core.may_run() {
            regs::SWERR_WQ_NOT_ENABLED
        } else {
            match desc.submit(self.shared(), core.adi.wq, core.adi.pasid.pasid()) {
                Ok(()) => return Ok(kernel::portal::COMMAND_SIZE),
                Err(e) if e == EBUSY => regs::SWERR_WQ_FULL,
                Err(e) => return Err(e),
            }
        };
        // The device describes the descriptor of a full WQ only.
        let full = code == regs::SWERR_WQ_FULL;
        let e0 = regs::SWERR0::zeroed()
            .with_valid(true)
            .with_desc_valid(full)
            .with_wq_idx_valid(true)
            .with_error(code)
            .with_operation(if full { opcode } else { 0 });
        vcmd::software_error(
            &core.regs,
            core,
            &regs::SoftwareError {
                e0,
                e1: regs::SWERR1::zeroed(),
                fault_addr: 0,
            },
        );
        Ok(kernel::portal::COMMAND_SIZE)
    }

    /// Writes the low `size` bytes (at most 8) of `value` at `off` of
    /// region `index`.
    ///
    /// Only a write to `CMD` takes the command lock, to run the command.
    fn value_write(&self, index: u32, off: u64, size: usize, value: u64) -> Result {
        let core = &*self.core;
        match index {
            pci::BAR0_REGION_INDEX => {
                if !core.cfg.memory_enabled() {
                    return Err(EIO);
                }
                // Quiesced for migration, the registers hold still.
                if core.quiesced.load(Relaxed) {
                    return Err(EBUSY);
                }
                if let Written::Command(cmd) = core.regs.write(off, size, value)? {
                    let _cmd = core.cmd.lock();
                    if core.quiesced.load(Relaxed) {
                        return Err(EBUSY);
                    }
                    vcmd::execute(&core.regs, core, cmd, core.cfg.bus_master());
                }
                Ok(())
            }
            pci::CONFIG_REGION_INDEX if size <= 8 => {
                ConfigSpace::range(off, size)?;
                core.cfg.write(off, &value.to_le_bytes()[..size])
            }
            _ => Err(EINVAL),
        }
    }

    /// `VFIO_DEVICE_SET_IRQS` on the MSI-X index.
    fn set_msix(&self, set: IrqSet) -> Result {
        let vectors = (set.start..set.start + set.count).map(|i| self.core.vector(i).ok_or(EINVAL));
        match (set.action, set.data) {
            (IrqAction::Trigger, IrqData::None) if set.count == 0 => {
                self.core.vector0.set_trigger(None);
                self.core.adi.completion.set_trigger(None);
            }
            (IrqAction::Trigger, IrqData::EventFd(fds)) => {
                // Every vector is checked before any is changed.
                let mut targets = KVec::with_capacity(fds.len(), GFP_KERNEL)?;
                for v in vectors {
                    targets.push(v?, GFP_KERNEL)?;
                }
                for (v, fd) in targets.into_iter().zip(fds) {
                    v.set_trigger(fd);
                }
            }
            (action, IrqData::None) => {
                for v in vectors {
                    apply(v?, action);
                }
            }
            (action, IrqData::Bool(flags)) => {
                for (v, set) in vectors.zip(flags) {
                    if set {
                        apply(v?, action);
                    }
                }
            }
            _ => return Err(EINVAL),
        }
        Ok(())
    }
}

/// Applies a mask, unmask or loopback trigger to a vector.
fn apply(v: &Vector, action: IrqAction) {
    match action {
        IrqAction::Mask => v.mask(),
        IrqAction::Unmask => v.unmask(),
        IrqAction::Trigger => v.fire(),
    }
}

#[vtable]
impl vfio::Operations for Vdsa {
    fn open(dev: &vfio::Device<Self>) -> Result {
        if dev.host_pasid() != Some(dev.core.adi.pasid.pasid()) {
            return Err(EINVAL);
        }
        dev.core.adi.set_owner(Some(dev.core.clone()));
        Ok(())
    }

    fn close(dev: &vfio::Device<Self>) {
        dev.end_migration(true);
        *dev.request.lock() = None;
        *dev.core.err.lock() = None;
        let core = &dev.core;
        core.adi.set_owner(None);
        // Disabling a WQ waits for its descriptors in flight: none of them
        // may run after iommufd detaches the PASID.
        if let Err(e) = core.reset(false) {
            dev_err!(
                dev.parent(),
                "WQ {} did not disable (PASID {}): {:?}\n",
                core.adi.wq,
                core.adi.pasid.pasid(),
                e
            );
        }
        core.cfg.reset();
        core.vector0.reset();
        core.adi.completion.reset();
    }

    fn read(dev: &vfio::Device<Self>, buf: &mut UserSliceWriter, pos: u64) -> Result<usize> {
        let (index, off) = dev.region_access(pos)?;
        dev.region_read(index, off, buf)
    }

    fn write(dev: &vfio::Device<Self>, buf: &mut UserSliceReader, pos: u64) -> Result<usize> {
        let (index, off) = dev.region_access(pos)?;
        dev.region_write(index, off, buf)
    }

    fn read_value(dev: &vfio::Device<Self>, pos: u64, size: usize) -> Result<u64> {
        let (index, off) = dev.region_access(pos)?;
        dev.value_read(index, off, size)
    }

    fn write_value(dev: &vfio::Device<Self>, pos: u64, size: usize, value: u64) -> Result {
        let (index, off) = dev.region_access(pos)?;
        dev.value_write(index, off, size, value)
    }

    fn mmap(dev: &vfio::Device<Self>, vma: &VmaNew, pos: u64) -> Result {
        // A shared WQ's portal would take any PASID the writer names.
        if dev.core.adi.shared {
            return Err(EINVAL);
        }
        portal::mmap(dev.shared(), dev.core.adi.wq, vma, pos)
    }

    fn info(dev: &vfio::Device<Self>) -> DeviceInfo {
        dev.count_call();
        DeviceInfo {
            flags: flags::DEVICE_PCI | flags::DEVICE_RESET,
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
        let rw = flags::REGION_READ | flags::REGION_WRITE;
        Ok(match index {
            pci::CONFIG_REGION_INDEX => vfio::RegionInfo {
                flags: rw,
                size: cfgspace::SIZE,
            },
            pci::BAR0_REGION_INDEX => vfio::RegionInfo {
                flags: rw,
                size: bar0::SIZE,
            },
            pci::BAR2_REGION_INDEX if dev.core.adi.shared => vfio::RegionInfo {
                flags: rw,
                size: portal::BAR2_SIZE,
            },
            pci::BAR2_REGION_INDEX => {
                caps.add_sparse_mmap(&portal::SPARSE_AREAS)?;
                vfio::RegionInfo {
                    flags: rw | flags::REGION_MMAP,
                    size: portal::BAR2_SIZE,
                }
            }
            i if i < pci::NUM_REGIONS => vfio::RegionInfo { flags: 0, size: 0 },
            _ => return Err(EINVAL),
        })
    }

    fn irq_info(dev: &vfio::Device<Self>, index: u32) -> Result<IrqInfo> {
        dev.count_call();
        Ok(match index {
            pci::MSIX_IRQ_INDEX => IrqInfo {
                flags: flags::IRQ_EVENTFD | flags::IRQ_MASKABLE,
                count: bar0::VECTORS.into(),
            },
            pci::REQ_IRQ_INDEX | pci::ERR_IRQ_INDEX => IrqInfo {
                flags: flags::IRQ_EVENTFD | flags::IRQ_NORESIZE,
                count: 1,
            },
            _ => IrqInfo { flags: 0, count: 0 },
        })
    }

    fn set_irqs(dev: &vfio::Device<Self>, set: IrqSet) -> Result {
        dev.count_call();
        match set.index {
            pci::MSIX_IRQ_INDEX => dev.set_msix(set),
            pci::REQ_IRQ_INDEX => {
                *dev.request.lock() = set.into_trigger()?;
                Ok(())
            }
            pci::ERR_IRQ_INDEX => {
                *dev.core.err.lock() = set.into_trigger()?;
                Ok(())
            }
            _ => Err(EINVAL),
        }
    }

    fn reset(dev: &vfio::Device<Self>) -> Result {
        dev.count_call();
        // A reset leaves any migration state for RUNNING, and abandons what
        // the WQ holds, as a function level reset would. As vfio-pci's, it
        // keeps the configuration space (the PCI core saves and restores it
        // around the reset): memory decoding and bus mastering stay on, so
        // BAR0 answers right after.
        dev.end_migration(false);
        dev.core.reset(true)
    }

    fn ioctl(dev: &vfio::Device<Self>, _cmd: u32, _arg: usize) -> Result<isize> {
        dev.count_call();
        Err(ENOTTY)
    }

    fn request(dev: &vfio::Device<Self>, count: u32) {
        dev.signal_request(dev.request.lock().as_ref(), count);
    }

    const MIGRATION_FLAGS: u32 = flags::MIGRATION_STOP_COPY | flags::MIGRATION_P2P;

    fn migration_set_state(
        dev: &vfio::Device<Self>,
        new: MigState,
    ) -> Result<Option<MigrationFile>> {
        Vdsa::set_migration_state(dev, new)
    }

    fn migration_get_state(dev: &vfio::Device<Self>) -> Result<MigState> {
        Ok(dev.migration_state())
    }

    fn migration_data_size(_dev: &vfio::Device<Self>) -> Result<usize> {
        Ok(migration::STREAM_LEN)
    }

    fn log_start(dev: &vfio::Device<Self>, ranges: &LogRanges<'_>, page_size: &mut u64) -> Result {
        dev.log_start(ranges, page_size)
    }

    fn log_stop(dev: &vfio::Device<Self>) -> Result {
        dev.log_stop();
        Ok(())
    }

    fn log_read_and_clear(
        dev: &vfio::Device<Self>,
        iova: u64,
        length: u64,
        dirty: &mut IovaBitmap<'_>,
    ) -> Result {
        dev.log_report(iova, length, dirty)
    }
}

#[vtable]
impl mdev::Driver for VdsaDriver {
    const NAME: &'static CStr = c"idxd_vdcm";
    const DEVICE_API: &'static CStr = pci::DEVICE_API;
    const TYPES: &'static [mdev::Type] = &[
        mdev::Type {
            sysfs_name: c"1dwq-v1",
            pretty_name: c"vDSA, 1 dedicated WQ",
            description: c"a virtual DSA with one dedicated WQ, read-only configuration, no guest PASID: its portals are mapped to the device's WQ and its DMA goes through a host PASID",
            max_instances: 0,
        },
        mdev::Type {
            sysfs_name: c"1swq-v1",
            pretty_name: c"vDSA, 1 dedicated WQ on a shared WQ",
            description: c"a virtual DSA with one dedicated WQ, read-only configuration, no guest PASID: a share of a shared WQ; the driver checks each descriptor written to its portals and submits it with ENQCMDS and a host PASID",
            max_instances: 0,
        },
    ];

    type ParentData = VdsaParent;
    type Vfio = Vdsa;

    fn max_instances(data: &VdsaParent, type_index: usize) -> u32 {
        let adi = &data.shared.adi;
        match type_index {
            TYPE_DEDICATED => adi.wqs.map_or(0, |a| u32::from(a.count)),
            _ => adi.shared_wq().map_or(0, |s| u32::from(s.vdsas)),
        }
    }

    fn probe(
        data: &VdsaParent,
        _parent: &device::Device<device::Bound>,
        _mdev: &mdev::Device<device::Core<'_>>,
        type_index: usize,
    ) -> Result<mdev::Probe<impl PinInit<Vdsa, Error>>> {
        let shared = &data.shared;
        let mut backing = data.backing;
        let wq = if type_index == TYPE_DEDICATED {
            Reservation::take_wq(shared)?
        } else {
            let swq = shared.adi.shared_wq().ok_or(ENODEV)?;
            backing.wq_size = swq.vdsa_size();
            Reservation::take_tenant(shared)?
        };
        let adi = wq.slot()?;
        let pasid = adi.pasid.clone();
        if !adi.shared {
            let dwords = config::adi_wqcfg(&shared.caps, pasid.pasid())?;
            shared.write_adi_wqcfg(adi.wq, dwords)?;
        }
        let regs = Registers::new(&backing)?;
        let core = Arc::pin_init(
            pin_init!(VdsaState {
                shared: shared.clone(),
                adi,
                identity: data.identity,
                backing,
                quiesced: Atomic::new(false),
                wq_runs: Atomic::new(0),
                cfg: ConfigSpace::new(data.identity),
                regs,
                cmd <- new_mutex!(()),
                vector0 <- Vector::new(),
                err <- new_mutex!(None),
            }),
            GFP_KERNEL,
        )?;
        Ok(mdev::Probe {
            pasid: Some(pasid),
            init: try_pin_init!(Vdsa {
                wq,
                core,
                request <- new_mutex!(None),
                mig <- new_mutex!(migration::Migration::new()),
            }? Error),
        })
    }
}
