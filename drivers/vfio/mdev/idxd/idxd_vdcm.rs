// SPDX-License-Identifier: GPL-2.0

//! VFIO mediated devices for Intel DSA work queues.
//!
//! The host driver for the Intel Data Streaming Accelerator (DSA). It owns the
//! physical function and will expose its work queues (WQs) as assignable device
//! interfaces (ADIs): VFIO mediated devices, virtual DSAs, whose slow path is
//! emulated here and whose submission portals are mapped to the hardware.
//!
//! This part is the physical function's driver: it maps the control
//! registers (BAR0) and the portals (BAR2), checks the capabilities and the
//! Scalable IOV DVSEC (see [`siov`]), resets the device, configures the
//! host's own WQs from the module parameters (see [`config`]), runs admin
//! commands with their completion interrupt, reports software errors, and
//! submits the host's own work (see [`submit`]). Its state is under `/sys/kernel/debug/idxd_vdcm-<device>/`.
//! On a device whose Scalable IOV check passed, the WQs the host leaves
//! become vDSAs (see [`vdsa`]).
//!
//! A halt (a fatal error of the device, `GENSTS.state` halted) is recovered
//! from by the interrupt thread: the reset `GENSTS.reset_type` asks for (the
//! reset device command, or a function level reset through the PCI core),
//! then the configuration of probe again (the host's WQs, the sizes and the
//! WQCFG of every WQ left for vDSAs, each with its host PASID), the device
//! and the host's WQs enabled, the IMS slots written back. Descriptors in
//! flight are lost: a host job waiting for them fails, and the halt is shown
//! to every vDSA as the architecture shows it to a guest (`GENSTS` halted,
//! `INTCAUSE.halt_state`, vector 0); the vDSA's WQ comes back when its
//! guest resets the device and enables the WQ again. The IMS vectors keep
//! their slots, so on DSA 1.0, where the slot is the interrupt handle, the
//! handles keep working; on 2.0 they are requested again.
//!
//! Teardown order, at unbind: remove the vDSAs (each waits until userspace
//! has closed it) and the mdev parent, stop and wait for debugfs users,
//! disable the WQs and the device and reset it, free the interrupt, detach
//! the kernel PASID, unmap the BARs.

use kernel::{
    debugfs,
    device::{Bound, Core},
    fmt,
    io::{poll::read_poll_timeout, Io},
    iommu::pasid::{GlobalPasid, KernelPasid},
    irq::{self, IrqReturn, ThreadedIrqReturn},
    mdev,
    page::PAGE_SIZE,
    pci, portal,
    prelude::*,
    str::CString,
    sync::aref::ARef,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        new_mutex, Arc, Completion, Mutex,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
    uaccess::UserSliceReader,
};

mod cmd;
mod config;
mod desc;
mod ims;
mod regs;
mod siov;
mod submit;
mod vdsa;

use cmd::{Command, Outcome, WqSet};
use config::{AdiWqs, Plan, KERNEL_GROUP};
use regs::{Capabilities, DeviceState, Tables};
use submit::{Job, JobReport, JobState, Pool, WQ_PORTALS_BYTES};

// TIMEOUT: the DSA architecture gives no bound for an admin command; a reset
// of a busy device drains it first. One second is far above what the
// hardware and the emulated device take.
const CMD_TIMEOUT: Delta = Delta::from_millis(1000);
const CMD_POLL: Delta = Delta::from_micros(100);

/// Bytes of BAR0 whose registers are reached with offsets checked at build
/// time (the general registers); the tables beyond are checked at run time.
const BAR0_MIN: usize = 0x1000;

type Bar0<'a> = pci::Bar<'a, BAR0_MIN>;

/// Software errors logged per interval, and the interval.
const SWERR_LOG_BURST: u32 = 10;
const SWERR_LOG_INTERVAL: Delta = Delta::from_secs(5);

/// State shared by the driver's data, its interrupt handler and its debugfs
/// files (all of which may outlive a borrow of the device).
#[pin_data]
pub(crate) struct Shared {
    pdev: ARef<pci::Device>,
    /// Shared with the IMS domain, which writes the IMS table in it.
    bar0: Arc<pci::DevresBar<BAR0_MIN>>,
    bar2: pci::DevresBar<WQ_PORTALS_BYTES>,
    caps: Capabilities,
    tables: Tables,
    plan: Plan,
    /// The Scalable IOV DVSEC is set up: the WQs can be shared as ADIs.
    siov: bool,
    /// PASID of the host's shared WQ descriptors.
    pasid: u32,
    /// Serialises admin commands: the device runs one at a time.
    #[pin]
    cmd_lock: Mutex<()>,
    /// Signalled by the interrupt handler when a command completes.
    #[pin]
    cmd_done: Completion,
    /// Serialises jobs; their DMA memory and the last report.
    #[pin]
    job: Mutex<JobState>,
    /// Set at unbind: jobs stop submitting.
    stopping: Atomic<bool>,
    /// A job's descriptor never completed: its memory may still be written.
    broken: Atomic<bool>,
    /// Software errors reported by the device; incremented (release) after
    /// the error is stored in `last_swerr`.
    swerrs: Atomic<u32>,
    /// The last software error: `SWERR0`, `SWERR1` and the fault address.
    last_swerr: [Atomic<u64>; 3],
    /// The device halted on an error and is not recovered yet.
    halted: Atomic<bool>,
    /// A halt was seen that the interrupt thread has not started to
    /// recover from.
    recover: Atomic<bool>,
    /// Halts seen, and recoveries done (each a reset, the configuration
    /// and the enables of probe again).
    halts: Atomic<u32>,
    recoveries: Atomic<u32>,
    /// Software errors logged in the current interval, and its start.
    swerr_logged: Atomic<u32>,
    swerr_interval_start: Atomic<i64>,
    /// Time origin of `swerr_interval_start`.
    epoch: Instant<Monotonic>,
    /// The WQs left for assignable device interfaces, if the device can
    /// have any.
    adi: Option<AdiWqs>,
    /// The bitmap of those WQs that a vDSA took.
    #[pin]
    adi_taken: Mutex<u64>,
    /// The portal pages of BAR 2 that vDSAs map to userspace.
    user_portals: Option<portal::UserPortals>,
    /// The host's state of each WQ left for vDSAs, in WQ order.
    adi_slots: KVec<Arc<vdsa::adi::AdiSlot>>,
    /// Calls of the vDSAs' VFIO read, write and ioctl handlers: the slow
    /// path, which the fast path never takes.
    vfio_calls: Atomic<u64>,
    /// The IMS state the host's jobs and debugfs see.
    #[pin]
    ims: ims::Status,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stopping.load(Relaxed)
    }

    /// Runs one admin command and waits for its completion interrupt.
    ///
    /// For probe and unbind and for the vDSAs' callbacks, which run while
    /// the device is bound but cannot prove it: the BAR is reached through
    /// short revocable accesses, dropped before every sleep, and the
    /// command fails with `ENXIO` once the BAR is gone.
    fn exec(&self, command: Command) -> Result<u16> {
        let _guard = self.cmd_lock.lock();
        let status = || Ok(self.bar0.try_access().ok_or(ENXIO)?.read(regs::CMDSTS));
        // An earlier command that never finished (a device in a bad state)
        // must not be overwritten.
        read_poll_timeout(status, |s| !s.active().into_bool(), CMD_POLL, CMD_TIMEOUT)?;
        self.cmd_done.reinit();
        self.bar0
            .try_access()
            .ok_or(ENXIO)?
            .write_reg(command.encode(true)?);
        let signalled = self.cmd_done.wait_for_completion_timeout(CMD_TIMEOUT);
        let sts = status()?;
        if sts.active().into_bool() {
            dev_err!(self.pdev, "{:?} timed out\n", command);
            return Err(ETIMEDOUT);
        }
        if !signalled {
            dev_warn!(self.pdev, "{:?}: no completion interrupt\n", command);
        }
        Outcome::from_status(sts).into_result().inspect_err(|e| {
            dev_err!(self.pdev, "{:?} failed: {:?}\n", command, e);
        })
    }

    /// Writes the host's configuration: its WQs and all engines in one
    /// group, with the sizes of the WQs left for vDSAs. The device is
    /// disabled and reset, so everything else is zero.
    fn configure(&self) -> Result {
        let bar = self.bar0.try_access().ok_or(ENXIO)?;
        let caps = &self.caps;
        for wq in self.plan.wqs() {
            let dwords = config::wqcfg(caps, &wq)?;
            let at = [
                regs::wqcfg::SIZE,
                regs::wqcfg::THRESHOLD,
                regs::wqcfg::MODE,
                regs::wqcfg::LIMITS,
            ];
            for (dword, value) in at.into_iter().zip(dwords) {
                bar.try_write32(value, self.tables.wqcfg_dword(caps, wq.index, dword))?;
            }
        }
        // The vDSAs' WQs: their size and group cannot change once the
        // device is enabled; a vDSA writes the rest.
        if let Some(adi) = self.adi {
            for wq in adi.indices() {
                bar.try_write32(
                    u32::from(adi.size),
                    self.tables.wqcfg_dword(caps, wq, regs::wqcfg::SIZE),
                )?;
            }
        }
        let wqs = self.plan.group_wqs() | self.adi.map_or(0, |a| a.group_wqs());
        if wqs != 0 {
            let engines = if caps.num_engines >= 64 {
                u64::MAX
            } else {
                (1u64 << caps.num_engines) - 1
            };
            bar.try_write64(
                wqs,
                self.tables.grpcfg_qword(KERNEL_GROUP, regs::grpcfg::WQS),
            )?;
            bar.try_write64(
                engines,
                self.tables
                    .grpcfg_qword(KERNEL_GROUP, regs::grpcfg::ENGINES),
            )?;
        }
        // Interrupts for software errors and for a halt.
        bar.write_reg(
            regs::GENCTRL::zeroed()
                .with_softerr_int_en(true)
                .with_halt_int_en(true),
        );
        Ok(())
    }

    /// Enables the device and the host's WQs.
    fn enable(&self) -> Result {
        self.exec(Command::EnableDevice)?;
        for wq in self.plan.wqs() {
            self.exec(Command::EnableWq(wq.index))?;
        }
        Ok(())
    }

    /// Disables the host's WQs and the device (each drains first), then
    /// resets the device.
    fn disable(&self) -> Result {
        for wq in self.plan.wqs() {
            // Best effort: the reset below ends everything anyway.
            let _ = self.exec(Command::DisableWqs(WqSet::one(wq.index)?));
        }
        let _ = self.exec(Command::DisableDevice);
        self.exec(Command::ResetDevice)?;
        Ok(())
    }

    /// Brings the device back from a halt: the reset it asks for, then the
    /// configuration and enables of probe. From the interrupt thread, which
    /// unbind waits for; each command waits for its completion interrupt,
    /// which the hard handler signals.
    #[cold]
    fn recover_from_halt(&self) {
        let reset = match self.bar0.try_access() {
            Some(bar) => u32::from(bar.read(regs::GENSTS).reset_type()),
            None => return,
        };
        let reset_done = match reset {
            // The reset device command clears the IMS table too.
            RESET_SOFTWARE => self
                .exec(Command::ResetDevice)
                .and_then(|_| retry_locked(|| self.pdev.try_restore_msi_state())),
            // The PCI core restores the configuration space, MSI-X and the
            // IMS slots.
            RESET_FLR => retry_locked(|| self.pdev.try_reset_function()),
            _ => Err(EOPNOTSUPP),
        };
        let result = reset_done.and_then(|()| self.reconfigure());
        // After the reset, a halted device halted again: its interrupt found
        // the first halt not recovered from and left it to this thread.
        let again = reset_done.is_ok()
            && self
                .bar0
                .try_access()
                .is_some_and(|bar| bar.read(regs::GENSTS).state() == DeviceState::Halted);
        if again {
            dev_err!(self.pdev, "device halted again during the recovery\n");
            self.halts.fetch_add(1, Release);
            for slot in self.adi_slots.iter() {
                slot.note_halt();
            }
            self.recover.store(true, Relaxed);
            return;
        }
        match result {
            Ok(()) => {
                self.halted.store(false, Relaxed);
                let n = self.recoveries.fetch_add(1, Relaxed) + 1;
                dev_info!(self.pdev, "recovered from the halt ({} recoveries)\n", n);
            }
            Err(e) => dev_err!(
                self.pdev,
                "cannot recover from the halt (reset type {}): {:?}; unbind and bind\n",
                reset,
                e
            ),
        }
    }

    /// Configures and enables the device after a reset, as at probe, with
    /// the WQCFG of every WQ left for vDSAs (their guests enable them).
    fn reconfigure(&self) -> Result {
        let state = self
            .bar0
            .try_access()
            .ok_or(ENXIO)?
            .read(regs::GENSTS)
            .state();
        if state != DeviceState::Disabled {
            dev_err!(self.pdev, "still {:?} after the reset\n", state);
            return Err(EIO);
        }
        self.configure()?;
        for slot in self.adi_slots.iter() {
            let dwords = config::adi_wqcfg(&self.caps, slot.pasid.pasid())?;
            self.write_adi_wqcfg(slot.wq, dwords)?;
        }
        self.enable()?;
        self.reissue_int_handles()
    }

    /// The number of software errors so far and the last one.
    pub(crate) fn software_errors(&self) -> (u32, regs::SoftwareError) {
        let count = self.swerrs.load(Acquire);
        let [e0, e1, addr] = &self.last_swerr;
        let error = regs::SoftwareError {
            e0: regs::SWERR0::from_raw(e0.load(Relaxed)),
            e1: regs::SWERR1::from_raw(e1.load(Relaxed)),
            fault_addr: addr.load(Relaxed),
        };
        (count, error)
    }

    /// Whether a software error may be logged now (at most
    /// `SWERR_LOG_BURST` per `SWERR_LOG_INTERVAL`).
    fn swerr_log_allowed(&self) -> bool {
        let now = (Instant::<Monotonic>::now() - self.epoch).as_nanos();
        let start = self.swerr_interval_start.load(Relaxed);
        if now - start > SWERR_LOG_INTERVAL.as_nanos() {
            self.swerr_interval_start.store(now, Relaxed);
            let seen = self.swerr_logged.xchg(0, Relaxed);
            if seen > SWERR_LOG_BURST {
                dev_warn!(
                    self.pdev,
                    "{} software errors not logged\n",
                    seen - SWERR_LOG_BURST
                );
            }
        }
        self.swerr_logged.fetch_add(1, Relaxed) < SWERR_LOG_BURST
    }

    /// The host's state of WQ `wq`, if it is left for vDSAs.
    pub(crate) fn adi_slot(&self, wq: u16) -> Option<&Arc<vdsa::adi::AdiSlot>> {
        let adi = self.adi?;
        self.adi_slots.get(usize::from(wq.checked_sub(adi.first)?))
    }

    /// Reads, logs and clears the software error register; returns the
    /// error, if there was one.
    fn report_swerr(&self, bar: &Bar0<'_>) -> Option<regs::SoftwareError> {
        // 64-bit registers: read with a run-time alignment check (see
        // `read_caps`).
        let e0 = bar.try_read(regs::SWERR0).ok()?;
        if !e0.valid().into_bool() {
            return None;
        }
        let error = regs::SoftwareError {
            e0,
            e1: bar.try_read(regs::SWERR1).unwrap_or(regs::SWERR1::zeroed()),
            fault_addr: bar
                .try_read(regs::SWERR2)
                .map(|e2| e2.fault_addr().get())
                .unwrap_or(0),
        };
        // Write 1 to clear `valid` and `overflow`: the device records the
        // next error. First: a job that sees the count below go up submits
        // its next descriptor, whose error must not find the register
        // still taken (it would only set `overflow`, and be lost).
        let _ = bar.try_write_reg(
            regs::SWERR0::zeroed()
                .with_valid(true)
                .with_overflow(e0.overflow().into_bool()),
        );
        let [e0_raw, e1_raw, addr] = &self.last_swerr;
        e0_raw.store(e0.into_raw(), Relaxed);
        e1_raw.store(error.e1.into_raw(), Relaxed);
        addr.store(error.fault_addr, Relaxed);
        self.swerrs.fetch_add(1, Release);
        if self.swerr_log_allowed() {
            dev_err!(self.pdev, "{}\n", error);
        }
        Some(error)
    }

    /// The vDSA WQ a software error belongs to: the WQ it names, or the WQ
    /// whose PASID it names.
    fn adi_slot_of(&self, e: &regs::SoftwareError) -> Option<&Arc<vdsa::adi::AdiSlot>> {
        if let Some(wq) = e.wq() {
            return self.adi_slot(wq.into());
        }
        if e.e0.desc_valid().into_bool() {
            let pasid: u32 = e.e0.pasid().into();
            return self.adi_slots.iter().find(|s| s.pasid.pasid() == pasid);
        }
        None
    }
}

/// The interrupt handler of MSI-X vector 0: admin command completion,
/// software errors and halts. The events of the vDSAs' WQs are delivered to
/// them by the handler's thread, which may sleep.
struct EventIrq {
    shared: Arc<Shared>,
}

impl irq::ThreadedHandler for EventIrq {
    fn handle(&self) -> ThreadedIrqReturn {
        let s = &self.shared;
        let Some(bar) = s.bar0.try_access() else {
            return ThreadedIrqReturn::None;
        };
        let cause = bar.read(regs::INTCAUSE);
        if cause.into_raw() == 0 {
            return ThreadedIrqReturn::None;
        }
        // Write 1 to clear what was seen, before handling it, so that a new
        // event raises a new interrupt.
        bar.write_reg(cause);
        let mut wake = false;
        if cause.error().into_bool() {
            if let Some(e) = s.report_swerr(&bar) {
                if let Some(slot) = s.adi_slot_of(&e) {
                    slot.note_swerr(e);
                    wake = true;
                }
            }
        }
        if cause.halt_state().into_bool() {
            let sts = bar.read(regs::GENSTS);
            if sts.state() == DeviceState::Halted && !s.halted.xchg(true, Relaxed) {
                let reset: u32 = sts.reset_type().into();
                dev_err!(s.pdev, "device halted (reset type {})\n", reset);
                s.halts.fetch_add(1, Release);
                for slot in s.adi_slots.iter() {
                    slot.note_halt();
                }
                s.recover.store(true, Relaxed);
                wake = true;
            }
        }
        if cause.command().into_bool() {
            s.cmd_done.complete();
        }
        if wake {
            ThreadedIrqReturn::WakeThread
        } else {
            ThreadedIrqReturn::Handled
        }
    }

    fn handle_threaded(&self) -> IrqReturn {
        // The vDSAs learn of a halt once the device works again, so that
        // the reset their guests answer with finds their WQs ready. A device
        // that halts again during its recovery is recovered again, a few
        // times at most.
        for _ in 0..RECOVERY_ATTEMPTS {
            if !self.shared.recover.xchg(false, Relaxed) {
                break;
            }
            self.shared.recover_from_halt();
        }
        if self.shared.recover.xchg(false, Relaxed) {
            dev_err!(
                self.shared.pdev,
                "device keeps halting: left halted, unbind and bind\n"
            );
        }
        for slot in self.shared.adi_slots.iter() {
            slot.deliver();
        }
        IrqReturn::Handled
    }
}

/// Recoveries in a row from halts that happen while recovering, before the
/// driver gives up (the device stays halted).
const RECOVERY_ATTEMPTS: u32 = 3;

/// `GENSTS.reset_type`: the reset device command, a function level reset.
const RESET_SOFTWARE: u32 = 0;
const RESET_FLR: u32 = 1;

// TIMEOUT: the device lock is held while a driver binds or unbinds, or by
// another reset; a second is far above the first and the last, and an unbind
// that holds it makes the recovery pointless anyway.
const LOCKED_RETRIES: u32 = 50;
const LOCKED_RETRY_DELAY: Delta = Delta::from_millis(20);

/// Runs `f` until it does not fail with `EAGAIN` (the device locked), at
/// most [`LOCKED_RETRIES`] times.
fn retry_locked(f: impl Fn() -> Result) -> Result {
    for _ in 1..LOCKED_RETRIES {
        match f() {
            Err(e) if e == EAGAIN => fsleep(LOCKED_RETRY_DELAY),
            other => return other,
        }
    }
    f()
}

/// Waits until no admin command is active and returns `CMDSTS`.
fn wait_idle(bar: &Bar0<'_>) -> Result<regs::CMDSTS> {
    read_poll_timeout(
        || Ok(bar.read(regs::CMDSTS)),
        |s| !s.active().into_bool(),
        CMD_POLL,
        CMD_TIMEOUT,
    )
}

/// Runs one admin command by polling `CMDSTS`, before the interrupt is set
/// up.
fn exec_polled(bar: &Bar0<'_>, command: Command) -> Result<u16> {
    wait_idle(bar)?;
    bar.write_reg(command.encode(false)?);
    let sts = wait_idle(bar)?;
    Outcome::from_status(sts).into_result()
}

/// Reads the capability registers and the table offsets and decodes them,
/// refusing with one message a device the driver cannot drive.
fn read_caps(pdev: &pci::Device, bar: &Bar0<'_>, bar_len: usize) -> Result<(Capabilities, Tables)> {
    // The 64-bit registers are read with a run-time alignment check: the
    // BAR's I/O region only promises 4-byte alignment at build time. The
    // offsets are 8-byte aligned in a page-aligned BAR, so they pass.
    let caps = Capabilities::decode(
        bar.read(regs::VERSION),
        bar.try_read(regs::GENCAP)?,
        bar.try_read(regs::WQCAP)?,
        bar.try_read(regs::GRPCAP)?,
        bar.try_read(regs::ENGCAP)?,
    )
    .and_then(|caps| {
        let offsets = bar
            .try_read(regs::TABLE_OFFSETS)
            .map_err(|_| regs::CapsError::Reserved("TABLE_OFFSETS"))?;
        Ok((caps, Tables::decode(offsets, &caps, bar_len)?))
    });
    caps.map_err(|e| {
        dev_err!(pdev, "refusing device: {}\n", e);
        ENODEV
    })
}

/// A device's debugfs directory and its files.
type DebugFsDir = Pin<KBox<debugfs::Scope<Arc<Shared>>>>;

/// Per-device state, alive from a successful probe until unbind.
#[pin_data(PinnedDrop)]
struct Dsa<'bound> {
    pdev: &'bound pci::Device<Bound>,
    shared: Arc<Shared>,
    /// The debugfs directory; taken at unbind.
    #[pin]
    debugfs: Mutex<Option<DebugFsDir>>,
    #[pin]
    irq: irq::ThreadedRegistration<'bound, EventIrq>,
    /// Detached at unbind, after the device is reset (the PCI core
    /// requires the device to have no PASID attached when the driver is
    /// gone).
    #[pin]
    pasid: Mutex<Option<KernelPasid>>,
    /// The mdev parent of the vDSAs, if the device can have them; taken
    /// first at unbind.
    #[pin]
    vdsa: Mutex<Option<Pin<KBox<mdev::Parent<vdsa::VdsaDriver>>>>>,
    /// The IMS domain and the host's IMS vectors; taken at unbind, before
    /// the device is reset.
    #[pin]
    ims: Mutex<Option<ims::Ims<'bound>>>,
}

struct IdxdVdcm;

kernel::pci_device_table!(
    PCI_TABLE,
    <IdxdVdcm as pci::Driver>::IdInfo,
    [
        // Sapphire Rapids, DSA 1.0.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x0b25), ()),
        // Granite Rapids-D.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x11fb), ()),
        // Diamond Rapids.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1212), ()),
    ]
);

/// The debugfs `config` file: the device and the host's WQs.
fn show_config(s: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let caps = &s.caps;
    writeln!(
        f,
        "version {}.{}\nwqs {}\nwq_size {}\ngroups {}\nengines {}\nmax_xfer {}",
        caps.version_major,
        caps.version_minor,
        caps.num_wqs,
        caps.total_wq_size,
        caps.num_groups,
        caps.num_engines,
        caps.max_xfer_bytes
    )?;
    writeln!(f, "pasid {}", s.pasid)?;
    if s.siov {
        writeln!(f, "siov yes page_size {PAGE_SIZE}")?;
    } else {
        writeln!(f, "siov no")?;
    }
    if let Some(bar) = s.bar0.try_access() {
        writeln!(f, "state {:?}", bar.read(regs::GENSTS).state())?;
        for wq in s.plan.wqs() {
            let state = bar
                .try_read32(s.tables.wqcfg_dword(caps, wq.index, regs::wqcfg::STATE))
                .map(|v| regs::WqcfgState::from_raw(v).state().get())
                .unwrap_or(0);
            writeln!(
                f,
                "wq {} {} size {} {}",
                wq.index,
                wq.mode.name(),
                wq.size,
                if state == 1 { "enabled" } else { "disabled" }
            )?;
        }
    }
    if let Some(adi) = s.adi {
        writeln!(
            f,
            "vdsa_wqs {}-{} size {} taken {:#x}",
            adi.first,
            adi.last(),
            adi.size,
            *s.adi_taken.lock()
        )?;
        // Each of those WQs: whether the device has it enabled, the host
        // PASID it was bound with, its interrupt handle and completions.
        for slot in s.adi_slots.iter() {
            let enabled = s.wq_enabled(slot.wq);
            write!(
                f,
                "vdsa_wq {} {} pasid {} ",
                slot.wq,
                if enabled { "enabled" } else { "disabled" },
                slot.pasid.pasid()
            )?;
            match slot.handle() {
                Some(h) => write!(f, "handle {h}")?,
                None => write!(f, "handle none")?,
            }
            writeln!(f, " completions {}", slot.completion.raised())?;
        }
    }
    writeln!(f, "vdsa_vfio_calls {}", s.vfio_calls.load(Relaxed))?;
    s.ims.show(f)?;
    writeln!(f, "software_errors {}", s.swerrs.load(Relaxed))?;
    writeln!(f, "halted {}", s.halted.load(Relaxed))?;
    writeln!(f, "halts {}", s.halts.load(Relaxed))?;
    writeln!(f, "recoveries {}", s.recoveries.load(Relaxed))
}

/// Reading `submit`: the last job's report.
fn show_report(s: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let report = s.job.lock().report;
    write!(f, "{report}")
}

/// Writing `submit`: runs a job; fails with `EIO` if a descriptor's outcome
/// was wrong, or with the error that stopped the job.
fn run_job(s: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut text = [0u8; 64];
    let len = reader.len();
    if len > text.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut text[..len])?;
    let job = Job::parse(&text[..len])?;
    let mut state = s.job.lock();
    let report = s.run_job(&state.pool, job);
    state.report = report;
    if report.errno != 0 {
        return Err(Error::from_errno(report.errno));
    }
    if report.failed != 0 {
        return Err(EIO);
    }
    Ok(())
}

impl pci::Driver for IdxdVdcm {
    type IdInfo = ();
    type Data<'bound> = Dsa<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || Self::setup(pdev))
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        let s = &this.shared;
        // The vDSAs go first: removing each waits until userspace has
        // closed it (asked through its request interrupt), and closing
        // disables its WQ.
        drop(this.vdsa.lock().take());
        // Running jobs stop submitting and wait for what they have in
        // flight; removing the files waits for them.
        s.stopping.store(true, Relaxed);
        drop(this.debugfs.lock().take());
        drop(this.ims.lock().take());
        if let Err(e) = s.disable() {
            dev_warn!(pdev, "leaving the device unreset: {:?}\n", e);
        }
        drop(this.pasid.lock().take());
    }
}

impl IdxdVdcm {
    /// Checks, resets and configures the device, and returns the
    /// initialiser of the driver's data, which enables it.
    fn setup<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
    ) -> Result<impl PinInit<Dsa<'bound>, Error> + 'bound> {
        pdev.enable_device_mem()?;
        pdev.set_master();

        let bar = pdev.iomap_region_sized::<BAR0_MIN>(0, c"idxd_vdcm")?;
        let bar_len = usize::try_from(pdev.resource_len(0)?).map_err(|_| ENODEV)?;
        let (caps, tables) = read_caps(pdev, &bar, bar_len)?;

        dev_info!(
            pdev,
            "DSA {}.{}: {} WQs (size {}), {} groups, {} engines, max transfer {} bytes\n",
            caps.version_major,
            caps.version_minor,
            caps.num_wqs,
            caps.total_wq_size,
            caps.num_groups,
            caps.num_engines,
            caps.max_xfer_bytes
        );
        dev_dbg!(pdev, "tables: {:?}\n", tables);

        if !caps.configurable {
            dev_err!(pdev, "refusing device: its configuration is read-only\n");
            return Err(ENODEV);
        }
        let plan = Plan::new(
            &caps,
            module_parameters::dwq_size.value(),
            module_parameters::swq_size.value(),
        )
        .map_err(|e| {
            dev_err!(pdev, "refusing device: {}\n", e);
            EINVAL
        })?;
        if plan.dedicated.is_some() && !portal::has_movdir64b() {
            dev_err!(pdev, "refusing device: the CPU has no MOVDIR64B\n");
            return Err(ENODEV);
        }
        if plan.shared.is_some() && !portal::has_enqcmds() {
            dev_err!(pdev, "refusing device: the CPU has no ENQCMDS\n");
            return Err(ENODEV);
        }

        // Start from a known state, whatever firmware or an earlier driver
        // left behind.
        exec_polled(&bar, Command::ResetDevice).inspect_err(|e| {
            dev_err!(pdev, "device reset failed: {:?}\n", e);
        })?;
        let state = bar.read(regs::GENSTS).state();
        if state != DeviceState::Disabled {
            dev_err!(pdev, "refusing device: still {:?} after reset\n", state);
            return Err(EIO);
        }

        // The mediated devices need the DVSEC; the host's own WQs do not.
        let siov = siov::enable(pdev)
            .inspect_err(|e| dev_warn!(pdev, "no mediated devices: {}\n", e))
            .is_ok();

        // The host's shared WQ tags its DMA with a PASID that translates
        // like the device's own DMA; the ADIs need PASIDs too.
        let pasid = KernelPasid::new(pdev.as_ref()).inspect_err(|e| {
            dev_err!(
                pdev,
                "refusing device: the IOMMU gives it no PASID ({:?})\n",
                e
            );
        })?;

        let bar2 = pdev
            .iomap_region_sized::<WQ_PORTALS_BYTES>(2, c"idxd_vdcm")?
            .into_devres()?;
        let needed = usize::from(caps.num_wqs) * WQ_PORTALS_BYTES;
        if pdev.resource_len(2)? < needed as u64 {
            dev_err!(pdev, "refusing device: BAR2 is too small for the portals\n");
            return Err(ENODEV);
        }

        // Vector 0 carries the device's events; vector 1, if there is one,
        // the host's completion interrupts (see `ims`).
        let bound: &'bound pci::Device<Bound> = pdev;
        let vectors = bound.alloc_irq_vectors_devres(
            1,
            u32::from(ims::MSIX_COMPLETION) + 1,
            pci::IrqTypes::default().with(pci::IrqType::MsiX),
        )?;
        let request = vectors.request(0)?;
        let completion = vectors.request(ims::MSIX_COMPLETION.into()).ok();
        let pasid_value = pasid.pasid();

        let adi = if siov { plan.adi_wqs(&caps) } else { None };
        let user_portals = match adi {
            Some(_) => Some(portal::UserPortals::new(bound, 2, 0, needed as u64)?),
            None => None,
        };

        // Each WQ left for vDSAs has its host PASID for as long as the
        // device is bound (see `vdsa::adi`).
        let mut adi_slots = KVec::new();
        for wq in adi.iter().flat_map(AdiWqs::indices) {
            let pasid = GlobalPasid::new(pdev.as_ref())?;
            adi_slots.push(vdsa::adi::AdiSlot::new(wq, pasid)?, GFP_KERNEL)?;
        }

        let pool = Pool::new(pdev.as_ref())?;
        let shared = Arc::pin_init(
            try_pin_init!(Shared {
                pdev: pdev.into(),
                bar0: Arc::new(bar.into_devres()?, GFP_KERNEL)?,
                bar2,
                caps,
                tables,
                plan,
                siov,
                pasid: pasid_value,
                cmd_lock <- new_mutex!(()),
                cmd_done <- Completion::new(),
                job <- new_mutex!(JobState {
                    pool,
                    report: JobReport::default(),
                }),
                stopping: Atomic::new(false),
                broken: Atomic::new(false),
                swerrs: Atomic::new(0),
                last_swerr: [Atomic::new(0), Atomic::new(0), Atomic::new(0)],
                halted: Atomic::new(false),
                recover: Atomic::new(false),
                halts: Atomic::new(0),
                recoveries: Atomic::new(0),
                swerr_logged: Atomic::new(0),
                // The first error starts an interval.
                swerr_interval_start: Atomic::new(-SWERR_LOG_INTERVAL.as_nanos() - 1),
                epoch: Instant::now(),
                adi,
                adi_taken <- new_mutex!(0),
                user_portals,
                adi_slots,
                vfio_calls: Atomic::new(0),
                ims <- ims::Status::new(),
            }? Error),
            GFP_KERNEL,
        )?;

        let name = CString::try_from_fmt(fmt!("idxd_vdcm-{}", pdev.as_ref().name()))?;
        let scope = KBox::pin_init(
            debugfs::Scope::dir(shared.clone(), &name, |s, dir| {
                dir.read_callback_file(c"config", s, &show_config);
                dir.read_write_callback_file(c"submit", s, &show_report, &run_job);
            }),
            GFP_KERNEL,
        )?;

        let handler = EventIrq {
            shared: shared.clone(),
        };
        Ok(try_pin_init!(Dsa {
            pdev: bound,
            shared: shared.clone(),
            debugfs <- new_mutex!(Some(scope)),
            irq <- irq::ThreadedRegistration::new_static(
                request,
                irq::Flags::SHARED,
                c"idxd_vdcm",
                Ok::<_, Error>(handler),
            ),
            pasid <- new_mutex!(Some(pasid)),
            vdsa <- new_mutex!(None),
            ims <- new_mutex!(None),
        }? Error)
        .pin_chain(|dsa| {
            let s = &dsa.shared;
            s.configure()?;
            s.enable().inspect_err(|_| {
                let _ = s.disable();
            })?;
            *dsa.ims.lock() = Some(ims::Ims::new(
                dsa.pdev,
                s.clone(),
                module_parameters::ims_cycles.value(),
                completion,
            ));
            for wq in s.plan.wqs() {
                dev_info!(
                    dsa.pdev,
                    "WQ {}: {} entries, {}\n",
                    wq.index,
                    wq.size,
                    wq.mode.name()
                );
            }
            if let Some(adi) = s.adi {
                let parent = vdsa::VdsaParent::new(s.clone(), dsa.pdev)
                    .and_then(|data| {
                        KBox::pin_init(mdev::Parent::new(dsa.pdev.as_ref(), data), GFP_KERNEL)
                    })
                    .inspect_err(|_| {
                        let _ = s.disable();
                    })?;
                *dsa.vdsa.lock() = Some(parent);
                dev_info!(
                    dsa.pdev,
                    "vDSAs: {} WQs ({}-{}) of {} entries\n",
                    adi.count,
                    adi.first,
                    adi.last(),
                    adi.size
                );
            }
            Ok(())
        }))
    }
}

#[pinned_drop]
impl PinnedDrop for Dsa<'_> {
    fn drop(self: Pin<&mut Self>) {
        dev_dbg!(
            self.pdev,
            "unbound (DSA {}.{})\n",
            self.shared.caps.version_major,
            self.shared.caps.version_minor
        );
    }
}

kernel::module_pci_driver! {
    type: IdxdVdcm,
    name: "idxd_vdcm",
    authors: ["The vDSA developers"],
    description: "VFIO mediated devices for Intel DSA work queues",
    license: "GPL v2",
    params: {
        dwq_size: u32 {
            default: 16,
            description: "Entries of the host's dedicated WQ (MOVDIR64B); 0: none",
        },
        swq_size: u32 {
            default: 16,
            description: "Entries of the host's shared WQ (ENQCMDS); 0: none",
        },
        unsafe_user_portals: u32 {
            default: 0,
            description: "1: let a vDSA's opener without CAP_SYS_RAWIO map its portals (accepts INTEL-SA-01084)",
        },
        ims_cycles: u32 {
            default: 0,
            description: "Test: allocate and free every IMS vector this many times at probe",
        },
    },
}
