// SPDX-License-Identifier: GPL-2.0

//! The vDSA's virtual command engine: what a write to its `CMD` register
//! does, and the events that raise its vector 0.
//!
//! Every command acts on the vDSA's one WQ and through it on the physical WQ
//! that backs it, never on another WQ or on the physical device as a whole:
//!
//! - enable device is virtual (the physical device stays enabled by the
//!   host); it needs bus mastering, as a DSA does;
//! - disable device disables the WQ first;
//! - enable WQ enables the physical WQ; disable, drain and abort WQ (mask
//!   form, the set must be exactly WQ 0) do the same to it;
//! - reset WQ disables it if enabled (the read-only configuration stays);
//! - drain and abort all drain or abort the WQ;
//! - drain and abort PASID are not offered (`CMDCAP`): the WQ has no PASID;
//! - reset device aborts and disables the WQ, releases the interrupt handle
//!   and brings the registers back to their reset values;
//! - request interrupt handle, for MSI-X vector 1 only, returns the handle
//!   of the vector that backs it (an IMS entry of the parent whose interrupt
//!   the VFIO device forwards to vector 1); release interrupt handle gives it
//!   back.
//!
//! Errors are reported with the codes of the DSA architecture
//! ([`CmdError`]). Commands complete before the `CMD` write returns, so the
//! guest never sees `CMDSTS.active`. The engine runs one command at a time,
//! under the vDSA's command lock, which the guest's register reads and its
//! writes to registers other than `CMD` do not take: a vCPU reading
//! `INTCAUSE` or `GENSTS` does not wait for another's drain. The final
//! `CMDSTS` is written before `INTCAUSE` and before vector 0 is raised, so a
//! guest that takes the interrupt reads the final status.
//!
//! Vector 0 is raised when an `INTCAUSE` bit goes from 0 to 1 and its event
//! asks for it: a command with `int_req`, a software error with
//! `GENCTRL.softerr_int_en`, a halt with `GENCTRL.halt_int_en`, a revoked
//! interrupt handle. A cause already
//! pending raises nothing more until the guest clears it, so a guest cannot
//! make the host raise interrupts faster than it acknowledges them.

use kernel::prelude::*;

use super::bar0::{Registers, VECTORS};
use crate::cmd::{CmdError, Command, IntTable, Outcome, WqSet};
use crate::regs::{DeviceState, SoftwareError, CMD, INTCAUSE};

/// The MSI-X vector whose completion interrupts a handle may name.
const WQ_VECTOR: u16 = VECTORS - 1;

/// What the engine needs of the assignable device interface (ADI): its
/// physical WQ, the interrupt handle of the vector backing the vDSA's vector
/// 1, and a way to raise the vDSA's vector 0.
///
/// The VFIO device implements it with the physical WQ's admin commands, its
/// IMS vector and the eventfd of vector 0. The methods are called with the
/// vDSA's command lock held, and may sleep.
pub(crate) trait PhysWq {
    /// Enables the physical WQ.
    fn enable_wq(&self) -> Result<(), CmdError>;
    /// Disables the physical WQ, after its descriptors complete.
    fn disable_wq(&self) -> Result<(), CmdError>;
    /// Waits until the descriptors submitted to the physical WQ complete.
    fn drain_wq(&self) -> Result<(), CmdError>;
    /// Abandons the descriptors the physical WQ holds.
    fn abort_wq(&self) -> Result<(), CmdError>;
    /// Returns the interrupt handle descriptors must carry for their
    /// completion interrupt to reach vector 1.
    fn request_int_handle(&self) -> Result<u16, CmdError>;
    /// Takes back a handle [`PhysWq::request_int_handle`] returned.
    fn release_int_handle(&self, handle: u16);
    /// Raises the vDSA's vector 0.
    fn raise_vector0(&self);
}

/// Raises `cause` and, if `notify` and it is new, vector 0.
fn interrupt(regs: &Registers, wq: &impl PhysWq, cause: INTCAUSE, notify: bool) {
    if regs.raise_cause(cause) && notify {
        wq.raise_vector0();
    }
}

/// Runs the command the guest wrote to `CMD`, reports it in `CMDSTS` and,
/// if it asks for it, raises the completion interrupt. `bus_master` is the
/// bus master enable of the vDSA's command register.
pub(crate) fn execute(regs: &Registers, wq: &impl PhysWq, cmd: CMD, bus_master: bool) {
    let code: u32 = cmd.code().into();
    let outcome = if !regs.supports(code) {
        Outcome::Failed(CmdError::InvalidCommand)
    } else {
        match Command::decode(cmd).and_then(|c| run(regs, wq, c, cmd, bus_master)) {
            Ok(result) => Outcome::Done(result),
            Err(e) => Outcome::Failed(e),
        }
    };
    // A reset device command cleared `CMD`: it still shows the command.
    regs.complete(cmd, outcome.to_status());
    if cmd.int_req().into_bool() {
        interrupt(regs, wq, INTCAUSE::zeroed().with_command(true), true);
    }
}

/// Checks that a WQ set names the vDSA's WQ 0 and nothing else.
fn only_wq0(set: WqSet) -> Result<(), CmdError> {
    let mut n = 0;
    for wq in set.wqs() {
        if wq != 0 {
            return Err(CmdError::InvalidWq);
        }
        n += 1;
    }
    if n == 0 {
        return Err(CmdError::InvalidWq);
    }
    Ok(())
}

/// Fails unless the device is enabled (the WQ commands need it).
fn need_enabled(regs: &Registers) -> Result<(), CmdError> {
    match regs.device_state() {
        DeviceState::Enabled => Ok(()),
        _ => Err(CmdError::WqNotEnabled),
    }
}

/// Disables the WQ if it is enabled.
fn disable_wq(regs: &Registers, wq: &impl PhysWq) -> Result<(), CmdError> {
    if regs.wq_enabled() {
        wq.disable_wq()?;
        regs.set_wq_enabled(false);
    }
    Ok(())
}

fn run(
    regs: &Registers,
    wq: &impl PhysWq,
    command: Command,
    cmd: CMD,
    bus_master: bool,
) -> Result<u16, CmdError> {
    match command {
        Command::EnableDevice => {
            if regs.device_state() != DeviceState::Disabled {
                return Err(CmdError::DeviceEnabled);
            }
            if !bus_master {
                return Err(CmdError::BusMasterDisabled);
            }
            regs.set_device_state(DeviceState::Enabled);
        }
        Command::DisableDevice => {
            if regs.device_state() != DeviceState::Enabled {
                return Err(CmdError::DisableNotEnabled);
            }
            disable_wq(regs, wq)?;
            regs.set_device_state(DeviceState::Disabled);
        }
        Command::DrainAll | Command::AbortAll => {
            need_enabled(regs)?;
            if regs.wq_enabled() {
                if command == Command::AbortAll {
                    wq.abort_wq()?;
                } else {
                    wq.drain_wq()?;
                }
            }
        }
        Command::ResetDevice => reset(regs, wq)?,
        Command::EnableWq(index) => {
            if index != 0 {
                return Err(CmdError::InvalidWq);
            }
            if regs.device_state() != DeviceState::Enabled {
                return Err(CmdError::DeviceNotEnabled);
            }
            if regs.wq_enabled() {
                return Err(CmdError::WqEnabled);
            }
            wq.enable_wq()?;
            regs.set_wq_enabled(true);
        }
        Command::DisableWqs(set) | Command::DrainWqs(set) | Command::AbortWqs(set) => {
            only_wq0(set)?;
            need_enabled(regs)?;
            if !regs.wq_enabled() {
                return Err(CmdError::WqNotEnabled);
            }
            match command {
                Command::DisableWqs(_) => disable_wq(regs, wq)?,
                Command::DrainWqs(_) => wq.drain_wq()?,
                _ => wq.abort_wq()?,
            }
        }
        Command::ResetWqs(set) => {
            only_wq0(set)?;
            // The configuration is read-only: resetting the WQ only
            // disables it.
            disable_wq(regs, wq)?;
        }
        Command::RequestIntHandle(table, index) => {
            if table != IntTable::MsiX || index != WQ_VECTOR || int_operand_reserved(cmd) {
                return Err(CmdError::InvalidIntIndex);
            }
            if let Some(handle) = regs.int_handle() {
                // One vector backs vector 1: asking again gives the same
                // handle.
                return Ok(handle);
            }
            let handle = wq.request_int_handle()?;
            regs.set_int_handle(Some(handle));
            return Ok(handle);
        }
        Command::ReleaseIntHandle(table, handle) => {
            if table != IntTable::MsiX
                || int_operand_reserved(cmd)
                || regs.int_handle() != Some(handle)
            {
                return Err(CmdError::InvalidIntIndex);
            }
            wq.release_int_handle(handle);
            regs.set_int_handle(None);
        }
        // Not in CMDCAP, refused before decoding.
        Command::DrainPasid(_) | Command::AbortPasid(_) => return Err(CmdError::InvalidCommand),
    }
    Ok(0)
}

/// Whether the operand of an interrupt handle command sets reserved bits
/// (above the index and the IMS bit).
fn int_operand_reserved(cmd: CMD) -> bool {
    let operand: u32 = cmd.operand().into();
    operand >> 17 != 0
}

/// Brings the vDSA back to its state after creation: the WQ aborted and
/// disabled, the interrupt handle released, the registers at their reset
/// values. For the reset device command and `VFIO_DEVICE_RESET`.
///
/// Fails, leaving the registers as they are, if the physical WQ cannot be
/// disabled.
pub(crate) fn reset(regs: &Registers, wq: &impl PhysWq) -> Result<(), CmdError> {
    if regs.wq_enabled() {
        // Disabling waits for what is left; abandon it first.
        wq.abort_wq()?;
        disable_wq(regs, wq)?;
    }
    if let Some(handle) = regs.int_handle() {
        wq.release_int_handle(handle);
    }
    regs.reset();
    Ok(())
}

/// Reports a software error of the physical WQ to the guest: in `SWERR`,
/// as an error of the vDSA's WQ 0, and on vector 0 if `GENCTRL` enables it.
///
/// The PASID and privilege of the physical WQ, which the guest did not
/// configure, are not shown.
pub(crate) fn software_error(regs: &Registers, wq: &impl PhysWq, e: &SoftwareError) {
    let mut e0 =
        e.e0.with_pasid(0u16)
            .with_privileged(false)
            .with_overflow(false);
    if e0.wq_idx_valid().into_bool() {
        e0 = e0.with_wq_idx(0u8);
    }
    regs.record_swerr(&SoftwareError { e0, ..*e });
    let notify = regs.genctrl().softerr_int_en().into_bool();
    interrupt(regs, wq, INTCAUSE::zeroed().with_error(true), notify);
}

/// Shows the guest that its device halted (the physical device did, so the
/// WQ stopped): `GENSTS` halted with a software reset type, so that reset
/// device brings the vDSA back, `INTCAUSE.halt_state`, and vector 0 if
/// `GENCTRL` enables it.
///
/// While halted, reset device is the only command that succeeds: the others
/// find the device not enabled (or, for enable device, not disabled).
pub(crate) fn halt(regs: &Registers, wq: &impl PhysWq) {
    regs.set_device_state(DeviceState::Halted);
    let notify = regs.genctrl().halt_int_en().into_bool();
    interrupt(regs, wq, INTCAUSE::zeroed().with_halt_state(true), notify);
}

/// Takes the guest's interrupt handle back (the vector behind it is about to
/// change): the handle is forgotten and the guest is told with `INTCAUSE`
/// bit 31 on vector 0; it requests a new one. Does nothing if the guest
/// holds no handle.
///
/// The caller releases the handle's vector itself.
pub(crate) fn revoke_int_handle(regs: &Registers, wq: &impl PhysWq) {
    if regs.int_handle().is_none() {
        return;
    }
    regs.set_int_handle(None);
    interrupt(
        regs,
        wq,
        INTCAUSE::zeroed().with_int_handle_revoked(true),
        true,
    );
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_vdsa_vcmd)]
mod tests {
    use super::*;
    use crate::regs::{SWERR0, SWERR1};
    use crate::vdsa::bar0::{fixture::backing, Written};
    use crate::vdsa::cfgspace::{ConfigSpace, Identity};
    use core::cell::{Cell, RefCell};

    /// What the engine asked of the ADI.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        Enable,
        Disable,
        Drain,
        Abort,
        Request,
        Release(u16),
        Vector0,
    }

    /// A unit-test fixture, not a model of the hardware: it stands in for
    /// the ADI's physical WQ and interrupts only to record, in order, what
    /// the engine asks of them, and to fail on request. Nothing here runs
    /// descriptors; the VFIO device implements [`PhysWq`] with the real WQ.
    struct Fixture {
        log: RefCell<KVec<Op>>,
        /// The operation that fails with a hardware error.
        fail: Cell<Option<Op>>,
        /// The next interrupt handle given out.
        next_handle: Cell<u16>,
        /// No handle is available.
        no_handle: Cell<bool>,
        /// Whether the physical WQ would be enabled now.
        enabled: Cell<bool>,
        /// Handles given out and not released.
        handles: Cell<u32>,
        /// Requests a physical WQ would refuse: enabling it twice, draining,
        /// aborting or disabling it while disabled, releasing a handle that
        /// is not out.
        misuse: Cell<u32>,
    }

    impl Fixture {
        fn new() -> Result<Self> {
            Ok(Self {
                log: RefCell::new(KVec::with_capacity(64, GFP_KERNEL)?),
                fail: Cell::new(None),
                next_handle: Cell::new(0x2a),
                no_handle: Cell::new(false),
                enabled: Cell::new(false),
                handles: Cell::new(0),
                misuse: Cell::new(0),
            })
        }

        fn record(&self, op: Op) -> Result<(), CmdError> {
            // The capacity covers every test; a full log fails the
            // comparisons that follow.
            let _ = self.log.borrow_mut().push_within_capacity(op);
            let wrong = match op {
                Op::Enable => self.enabled.get(),
                Op::Disable | Op::Drain | Op::Abort => !self.enabled.get(),
                Op::Release(_) => self.handles.get() == 0,
                Op::Request | Op::Vector0 => false,
            };
            if wrong {
                self.misuse.set(self.misuse.get() + 1);
            }
            if self.fail.get() == Some(op) {
                return Err(CmdError::Hardware);
            }
            match op {
                Op::Enable => self.enabled.set(true),
                Op::Disable => self.enabled.set(false),
                Op::Release(_) => self.handles.set(self.handles.get().saturating_sub(1)),
                _ => {}
            }
            Ok(())
        }

        /// The operations since the last call.
        fn take(&self) -> KVec<Op> {
            let mut log = self.log.borrow_mut();
            let mut out = KVec::with_capacity(log.len(), GFP_KERNEL).unwrap_or_default();
            for &op in log.iter() {
                let _ = out.push_within_capacity(op);
            }
            log.clear();
            out
        }
    }

    impl PhysWq for Fixture {
        fn enable_wq(&self) -> Result<(), CmdError> {
            self.record(Op::Enable)
        }
        fn disable_wq(&self) -> Result<(), CmdError> {
            self.record(Op::Disable)
        }
        fn drain_wq(&self) -> Result<(), CmdError> {
            self.record(Op::Drain)
        }
        fn abort_wq(&self) -> Result<(), CmdError> {
            self.record(Op::Abort)
        }
        fn request_int_handle(&self) -> Result<u16, CmdError> {
            self.record(Op::Request)?;
            if self.no_handle.get() {
                return Err(CmdError::NoHandle);
            }
            let h = self.next_handle.get();
            self.next_handle.set(h.wrapping_add(1));
            self.handles.set(self.handles.get() + 1);
            Ok(h)
        }
        fn release_int_handle(&self, handle: u16) {
            let _ = self.record(Op::Release(handle));
        }
        fn raise_vector0(&self) {
            let _ = self.record(Op::Vector0);
        }
    }

    const ID: Identity = Identity {
        vendor: 0x8086,
        device: 0x0b25,
        revision: 0,
        subsystem_vendor: 0x8086,
        subsystem: 0,
    };

    /// A vDSA as the VFIO device will compose it: its configuration space,
    /// its registers and its ADI.
    struct Vdsa {
        cfg: ConfigSpace,
        regs: Registers,
        adi: Fixture,
    }

    impl Vdsa {
        fn new() -> Result<Self> {
            Ok(Self {
                cfg: ConfigSpace::new(ID),
                regs: Registers::new(&backing())?,
                adi: Fixture::new()?,
            })
        }

        /// The guest enables memory decoding and bus mastering
        /// (`pci_enable_device_mem()`, `pci_set_master()`).
        fn pci_enable(&mut self) -> Result {
            self.cfg.write(0x04, &[0x06, 0x00])
        }

        fn read32(&self, off: u64) -> Result<u32> {
            Ok(self.regs.read(off, 4)? as u32)
        }

        fn read64(&self, off: u64) -> Result<u64> {
            self.regs.read(off, 8)
        }

        fn write(&mut self, off: u64, size: usize, value: u64) -> Result {
            if let Written::Command(cmd) = self.regs.write(off, size, value)? {
                execute(&self.regs, &self.adi, cmd, self.cfg.bus_master());
            }
            Ok(())
        }

        /// Writes `CMD` and returns `CMDSTS`, which must be final.
        fn cmd(&mut self, cmd: u32) -> Result<u32> {
            self.write(0xa0, 4, cmd.into())?;
            let sts = self.read32(0xa8)?;
            assert_eq!(sts >> 31, 0);
            Ok(sts)
        }

        /// Vector 0's handler in the guest (`idxd_misc_thread`): reads
        /// `INTCAUSE` and writes it back.
        fn misc_irq(&mut self) -> Result<u32> {
            let cause = self.read32(0x98)?;
            self.write(0x98, 4, cause.into())?;
            Ok(cause)
        }
    }

    #[test]
    fn upstream_guest_sequence() -> Result {
        let mut v = Vdsa::new()?;
        v.pci_enable()?;
        // idxd_pci_probe_alloc(): the version; idxd_device_init_reset():
        // GENSTS is not halted, a polled reset.
        assert_eq!(v.read32(0x00)?, 0x100);
        assert_eq!(v.read32(0x90)? & 3, 0);
        assert_eq!(v.cmd(0x0050_0000)?, 0);
        assert_eq!(v.read32(0x98)?, 0);
        // idxd_read_caps().
        let gencap = v.read64(0x10)?;
        assert_eq!(gencap & (1 << 4), 1 << 4);
        assert_eq!(gencap & (1 << 31 | 3 << 12 | 0x3f << 25 | 1), 0);
        assert_eq!(v.read32(0xb0)? & (1 << 13), 1 << 13);
        assert_eq!(v.read64(0x20)?, (1 << 49) | (1 << 16) | 16);
        assert_eq!(v.read64(0x30)? & 0xff, 1);
        assert_eq!(v.read64(0x38)? & 0xff, 1);
        assert_eq!(v.read64(0x40)? & (1 << 3), 1 << 3);
        let offsets = v.read64(0x60)?;
        assert_eq!(v.read64(0x68)?, 0);
        let grpcfg = (offsets & 0xffff) * 0x100;
        let wqcfg = (offsets >> 16 & 0xffff) * 0x100;
        let msix_perm = (offsets >> 32 & 0xffff) * 0x100;
        assert_eq!(offsets >> 48, 0);
        // idxd_device_load_config(): GENCFG, group 0, WQ 0.
        assert_eq!(v.read32(0x80)?, 0);
        assert_eq!(v.read64(grpcfg)?, 1);
        for q in 1..4 {
            assert_eq!(v.read64(grpcfg + 8 * q)?, 0);
        }
        assert_eq!(v.read64(grpcfg + 32)?, 1);
        assert_eq!(v.read64(grpcfg + 40)?, 0);
        let mode = v.read32(wqcfg + 8)?;
        assert_eq!(mode & 1, 1);
        assert_eq!(mode >> 28 & 1, 0);
        assert_eq!(v.read32(wqcfg)?, 16);
        assert_eq!(v.read32(wqcfg + 4)?, 0);
        assert_eq!(v.adi.take()[..], []);

        // The idxd sub-driver: error interrupts on, GENSTS disabled, then
        // enable device with a completion interrupt.
        let genctrl = v.read32(0x88)?;
        v.write(0x88, 4, (genctrl | 0b11).into())?;
        assert_eq!(v.read32(0x90)? & 3, 0);
        assert_eq!(v.cmd(0x8010_0000)?, 0);
        assert_eq!(v.adi.take()[..], [Op::Vector0]);
        assert_eq!(v.misc_irq()?, 0x2);
        assert_eq!(v.read32(0x98)?, 0);
        assert_eq!(v.read32(0x90)? & 3, 1);

        // WQ bind: enable WQ, then request the handle of vector 1.
        assert_eq!(v.cmd(0x8060_0000)?, 0);
        assert_eq!(v.adi.take()[..], [Op::Enable, Op::Vector0]);
        assert_eq!(v.misc_irq()?, 0x2);
        assert_eq!(v.read32(wqcfg + 24)? >> 30, 1);
        let sts = v.cmd(0x80d0_0001)?;
        assert_eq!(sts & 0xff, 0);
        let handle = sts >> 8 & 0xffff;
        assert_eq!(handle, 0x2a);
        assert_eq!(v.adi.take()[..], [Op::Request, Op::Vector0]);
        assert_eq!(v.misc_irq()?, 0x2);

        // dmatest's channel clean-up: release the handle (polled), clear
        // MSIX_PERM[1], drain.
        assert_eq!(v.cmd(0x00e0_0000 | handle)?, 0);
        v.write(msix_perm + 8, 4, 0)?;
        assert_eq!(v.cmd(0x8080_0001)?, 0);
        assert_eq!(
            v.adi.take()[..],
            [Op::Release(0x2a), Op::Drain, Op::Vector0]
        );
        assert_eq!(v.misc_irq()?, 0x2);

        // WQ unbind: drain, reset WQ.
        assert_eq!(v.cmd(0x8080_0001)?, 0);
        assert_eq!(v.misc_irq()?, 0x2);
        assert_eq!(v.cmd(0x80a0_0001)?, 0);
        assert_eq!(v.misc_irq()?, 0x2);
        assert_eq!(
            v.adi.take()[..],
            [Op::Drain, Op::Vector0, Op::Disable, Op::Vector0]
        );
        assert_eq!(v.read32(wqcfg + 24)? >> 30, 0);
        // The configuration survives.
        assert_eq!(v.read32(wqcfg)?, 16);
        assert_eq!(v.read32(wqcfg + 8)?, mode);

        // Device unbind: disable device.
        assert_eq!(v.cmd(0x8020_0000)?, 0);
        assert_eq!(v.misc_irq()?, 0x2);
        assert_eq!(v.read32(0x90)? & 3, 0);
        assert_eq!(v.adi.take()[..], [Op::Vector0]);
        Ok(())
    }

    /// The `CMDSTS.err` a command gives on a fresh vDSA whose device (and,
    /// if `wq`, WQ) the guest enabled.
    fn status_of(cmd: u32, wq: bool) -> Result<u32> {
        let mut v = Vdsa::new()?;
        v.pci_enable()?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        if wq {
            assert_eq!(v.cmd(0x0060_0000)?, 0);
        }
        Ok(v.cmd(cmd)? & 0xff)
    }

    #[test]
    fn every_code_with_bad_operands() -> Result {
        // Not in CMDCAP: 0, drain and abort PASID, 15 to 31.
        for code in (0..32).filter(|c| matches!(c, 0 | 11 | 12 | 15..)) {
            for operand in [0, 1, 0xfffff] {
                assert_eq!(status_of(code << 20 | operand, true)?, 0x01);
            }
        }
        // Enable WQ: only WQ 0 exists.
        for operand in [1, 2, 0x10, 0x10000, 0xfffff] {
            assert_eq!(status_of(6 << 20 | operand, false)?, 0x02);
        }
        // The mask forms must name exactly WQ 0 (block 0, bit 0).
        for code in 7..=10 {
            for operand in [0, 2, 3, 0x8001, 0x10001, 0xf0001, 0xfffff] {
                assert_eq!(status_of(code << 20 | operand, true)?, 0x02);
            }
            assert_eq!(status_of(code << 20 | 1, true)?, 0);
        }
        // Request interrupt handle: MSI-X vector 1 only, no reserved bits.
        for operand in [0, 2, 0xffff, 0x10001, 0x20001, 0x80001] {
            assert_eq!(status_of(13 << 20 | operand, true)?, 0x41);
        }
        // Release interrupt handle: only the handle given out.
        for operand in [0, 0x2a, 0x1002a, 0xfffff] {
            assert_eq!(status_of(14 << 20 | operand, true)?, 0x41);
        }
        // Device commands ignore their operand.
        for code in [1, 2, 3, 4, 5] {
            let expected = if code == 1 { 0x10 } else { 0 };
            assert_eq!(status_of(code << 20 | 0xfffff, true)?, expected);
        }
        Ok(())
    }

    #[test]
    fn commands_in_the_wrong_state() -> Result {
        let mut v = Vdsa::new()?;
        // Bus mastering off: the device cannot be enabled.
        assert_eq!(v.cmd(0x0010_0000)?, 0x12);
        v.pci_enable()?;
        // Device disabled.
        assert_eq!(v.cmd(0x0020_0000)?, 0x31);
        assert_eq!(v.cmd(0x0030_0000)?, 0x32);
        assert_eq!(v.cmd(0x0040_0000)?, 0x32);
        assert_eq!(v.cmd(0x0060_0000)?, 0x20);
        for code in 7..=9 {
            assert_eq!(v.cmd(code << 20 | 1)?, 0x32);
        }
        // Reset WQ of a disabled WQ is allowed.
        assert_eq!(v.cmd(0x00a0_0001)?, 0);
        // Device enabled, WQ disabled.
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        assert_eq!(v.cmd(0x0010_0000)?, 0x10);
        for code in 7..=9 {
            assert_eq!(v.cmd(code << 20 | 1)?, 0x32);
        }
        // Drain and abort all have nothing to do.
        assert_eq!(v.cmd(0x0030_0000)?, 0);
        assert_eq!(v.cmd(0x0040_0000)?, 0);
        assert_eq!(v.adi.take()[..], []);
        // WQ enabled.
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        assert_eq!(v.cmd(0x0060_0000)?, 0x21);
        assert_eq!(v.cmd(0x0030_0000)?, 0);
        assert_eq!(v.cmd(0x0040_0000)?, 0);
        assert_eq!(v.cmd(0x0070_0001)?, 0);
        assert_eq!(v.cmd(0x0070_0001)?, 0x32);
        assert_eq!(
            v.adi.take()[..],
            [Op::Enable, Op::Drain, Op::Abort, Op::Disable]
        );
        // Disabling the device disables the WQ.
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        assert_eq!(v.cmd(0x0020_0000)?, 0);
        assert_eq!(v.adi.take()[..], [Op::Enable, Op::Disable]);
        assert_eq!(v.read32(0x518)? >> 30, 0);
        // No interrupt without int_req.
        assert_eq!(v.read32(0x98)?, 0);
        Ok(())
    }

    #[test]
    fn physical_wq_failures() -> Result {
        let mut v = Vdsa::new()?;
        v.pci_enable()?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        v.adi.fail.set(Some(Op::Enable));
        assert_eq!(v.cmd(0x0060_0000)?, 0x03);
        assert_eq!(v.read32(0x518)? >> 30, 0);
        v.adi.fail.set(Some(Op::Disable));
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        assert_eq!(v.cmd(0x0070_0001)?, 0x03);
        assert_eq!(v.read32(0x518)? >> 30, 1);
        // A reset cannot complete either, and changes nothing.
        let before = v.regs.state();
        assert_eq!(reset(&v.regs, &v.adi), Err(CmdError::Hardware));
        assert_eq!(v.regs.state(), before);
        v.adi.fail.set(None);
        assert_eq!(v.cmd(0x0070_0001)?, 0);
        // No handle left.
        v.adi.no_handle.set(true);
        assert_eq!(v.cmd(0x00d0_0001)?, 0x42);
        Ok(())
    }

    #[test]
    fn interrupt_handles() -> Result {
        let mut v = Vdsa::new()?;
        v.pci_enable()?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        // The same handle twice, one request of the ADI.
        assert_eq!(v.cmd(0x00d0_0001)?, 0x2a << 8);
        assert_eq!(v.cmd(0x00d0_0001)?, 0x2a << 8);
        assert_eq!(v.adi.take()[..], [Op::Request]);
        // Released once; the second release names no handle.
        assert_eq!(v.cmd(0x00e1_002a)?, 0x41);
        assert_eq!(v.cmd(0x00e0_002b)?, 0x41);
        assert_eq!(v.cmd(0x00e0_002a)?, 0);
        assert_eq!(v.cmd(0x00e0_002a)?, 0x41);
        assert_eq!(v.adi.take()[..], [Op::Release(0x2a)]);
        // Revocation: INTCAUSE bit 31 on vector 0, whatever GENCTRL says;
        // the next request gives a new handle.
        revoke_int_handle(&v.regs, &v.adi);
        assert_eq!(v.adi.take()[..], []);
        assert_eq!(v.cmd(0x00d0_0001)?, 0x2b << 8);
        revoke_int_handle(&v.regs, &v.adi);
        assert_eq!(v.adi.take()[..], [Op::Request, Op::Vector0]);
        assert_eq!(v.misc_irq()?, 1 << 31);
        assert_eq!(v.cmd(0x00e0_002b)?, 0x41);
        assert_eq!(v.cmd(0x00d0_0001)?, 0x2c << 8);
        Ok(())
    }

    #[test]
    fn software_errors() -> Result {
        let mut v = Vdsa::new()?;
        // Physical WQ 5, host PASID 7, privileged, a page fault on a write.
        let e = SoftwareError {
            e0: SWERR0::from_raw(
                1 | 1 << 2 | 1 << 3 | 1 << 5 | 1 << 6 | 0x1a << 8 | 5 << 16 | 3 << 32 | 7 << 40,
            ),
            e1: SWERR1::zeroed(),
            fault_addr: 0x1234_5000,
        };
        // Interrupts off: recorded, INTCAUSE set, no vector.
        software_error(&v.regs, &v.adi, &e);
        assert_eq!(
            v.read64(0xc0)?,
            1 | 1 << 2 | 1 << 3 | 1 << 5 | 0x1a << 8 | 3 << 32
        );
        assert_eq!(v.read64(0xd0)?, 0x1234_5000);
        assert_eq!(v.read32(0x98)?, 1);
        assert_eq!(v.adi.take()[..], []);
        // The guest's handler acknowledges; interrupts on.
        v.write(0xc0, 8, 3)?;
        assert_eq!(v.misc_irq()?, 1);
        v.write(0x88, 4, 1)?;
        software_error(&v.regs, &v.adi, &e);
        assert_eq!(v.adi.take()[..], [Op::Vector0]);
        // Another before the guest clears: overflow, no new interrupt.
        software_error(&v.regs, &v.adi, &e);
        assert_eq!(v.adi.take()[..], []);
        assert_eq!(v.read64(0xc0)? & 3, 3);
        v.write(0xc0, 8, 3)?;
        assert_eq!(v.misc_irq()?, 1);
        // An error without a WQ index keeps it invalid.
        let e = SoftwareError {
            e0: SWERR0::from_raw(1 | 0x31 << 8),
            ..e
        };
        software_error(&v.regs, &v.adi, &e);
        assert_eq!(v.read64(0xc0)?, 1 | 0x31 << 8);
        assert_eq!(v.adi.take()[..], [Op::Vector0]);
        Ok(())
    }

    #[test]
    fn reset_brings_back_the_state_after_creation() -> Result {
        let mut v = Vdsa::new()?;
        let created = v.regs.state();
        let fresh = Registers::new(&backing())?;
        v.pci_enable()?;
        v.write(0x88, 4, 3)?;
        v.write(0x600, 8, 0xffff_f00c)?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        assert_eq!(v.cmd(0x00d0_0001)?, 0x2a << 8);
        let e = SoftwareError {
            e0: SWERR0::from_raw(1 | 0x31 << 8),
            e1: SWERR1::zeroed(),
            fault_addr: 0,
        };
        software_error(&v.regs, &v.adi, &e);
        v.adi.take();
        // The reset device command, with a completion interrupt: the
        // registers are back, then the command's own completion.
        assert_eq!(v.cmd(0x8050_0000)?, 0);
        assert_eq!(
            v.adi.take()[..],
            [Op::Abort, Op::Disable, Op::Release(0x2a), Op::Vector0]
        );
        assert_eq!(v.read32(0x98)?, 0x2);
        assert_eq!(v.read32(0xa0)?, 0x8050_0000);
        for off in (0..0x1000).step_by(8).filter(|&o| o != 0x98 && o != 0xa0) {
            assert_eq!(v.read64(off)?, fresh.read(off, 8)?);
        }
        // VFIO_DEVICE_RESET, from any state: exactly the state after
        // creation.
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        assert_eq!(reset(&v.regs, &v.adi), Ok(()));
        assert_eq!(v.regs.state(), created);
        assert_eq!(v.adi.take()[..], [Op::Enable, Op::Abort, Op::Disable]);
        Ok(())
    }

    #[test]
    fn halt_and_recovery() -> Result {
        let mut v = Vdsa::new()?;
        v.pci_enable()?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        assert_eq!(v.cmd(0x0060_0000)?, 0);
        v.adi.take();
        // Interrupts off: the state and the cause only.
        halt(&v.regs, &v.adi);
        assert_eq!(v.read32(0x90)?, 3);
        assert_eq!(v.read32(0x98)?, 0x10);
        assert_eq!(v.adi.take()[..], []);
        // Nothing but a reset works.
        assert_eq!(v.cmd(0x0010_0000)?, 0x10);
        assert_eq!(v.cmd(0x0020_0000)?, 0x31);
        assert_eq!(v.cmd(0x0060_0000)?, 0x20);
        for code in 7..=9 {
            assert_eq!(v.cmd(code << 20 | 1)?, 0x32);
        }
        assert_eq!(v.adi.take()[..], []);
        assert_eq!(v.cmd(0x0050_0000)?, 0);
        assert_eq!(v.adi.take()[..], [Op::Abort, Op::Disable]);
        assert_eq!(v.read32(0x90)?, 0);
        // With the guest's error interrupts on, vector 0 too.
        v.write(0x88, 4, 3)?;
        assert_eq!(v.cmd(0x0010_0000)?, 0);
        halt(&v.regs, &v.adi);
        assert_eq!(v.adi.take()[..], [Op::Vector0]);
        assert_eq!(v.misc_irq()?, 0x10);
        Ok(())
    }

    #[test]
    fn random_streams_keep_the_vdsa_and_the_wq_in_step() -> Result {
        let mut v = Vdsa::new()?;
        let created = v.regs.state();
        // xorshift32: the same stream on every run.
        let mut seed: u32 = 0x2545_f491;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let operands = [0, 1, 2, 0x2a, 0x10001, 0x10000, 0x8001, 0xfffff];
        for _ in 0..20_000 {
            let r = next();
            // Now and then the physical WQ fails.
            v.adi.fail.set(match r % 64 {
                0 => Some(Op::Enable),
                1 => Some(Op::Disable),
                2 => Some(Op::Drain),
                3 => Some(Op::Abort),
                _ => None,
            });
            match (r >> 6) % 32 {
                // The guest toggles memory decoding and bus mastering.
                0 => v.cfg.write(0x04, &[(r >> 16) as u8 & 0x6])?,
                1 => {
                    if reset(&v.regs, &v.adi).is_ok() {
                        assert_eq!(v.regs.state(), created);
                    }
                }
                2 => {
                    let e = SoftwareError {
                        e0: SWERR0::from_raw(1 | 0x1a << 8),
                        e1: SWERR1::zeroed(),
                        fault_addr: 0,
                    };
                    software_error(&v.regs, &v.adi, &e);
                }
                3 if v.regs.int_handle().is_some() => {
                    revoke_int_handle(&v.regs, &v.adi);
                    // The host releases the revoked handle's vector.
                    v.adi.handles.set(v.adi.handles.get() - 1);
                }
                4 => halt(&v.regs, &v.adi),
                5 => {
                    v.misc_irq()?;
                }
                6 => v.write(0xc0, 8, 3)?,
                _ => {
                    // Mostly the defined codes.
                    let code = (r >> 11) % 16;
                    let operand = match (v.regs.int_handle(), r >> 15 & 1) {
                        (Some(h), 1) => u32::from(h),
                        _ => operands[(r >> 16) as usize % operands.len()],
                    };
                    let int_req = r & (1 << 31);
                    v.cmd(int_req | code << 20 | operand)?;
                }
            }
            v.adi.log.borrow_mut().clear();
            assert_eq!(v.adi.misuse.get(), 0);
            assert_eq!(v.regs.wq_enabled(), v.adi.enabled.get());
            assert_eq!(
                u32::from(v.regs.int_handle().is_some()),
                v.adi.handles.get()
            );
            assert_eq!(v.read32(0xa8)? >> 31, 0);
            if v.regs.device_state() == DeviceState::Disabled {
                assert!(!v.regs.wq_enabled());
            }
        }
        Ok(())
    }
}
