// SPDX-License-Identifier: GPL-2.0

//! The DSA as its driver keeps it: the state that the driver's data, its
//! interrupt handler, its debugfs files and the vDSAs share ([`Shared`]),
//! and the admin commands that configure, enable, disable and reset the
//! device.

use kernel::{
    io::{poll::read_poll_timeout, Io},
    pci,
    prelude::*,
    sync::{aref::ARef, atomic::Atomic, Arc, Completion, Mutex},
    time::Delta,
};

#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
use crate::submit::Jobs;
use crate::{
    cmd::{Command, Outcome, WqSet},
    config::{self, Plan, KERNEL_GROUP},
    dma,
    halt::HaltState,
    ims,
    regs::{self, Capabilities, Tables},
    swerr::SwerrLog,
    vdsa::adi::AdiPool,
};

// TIMEOUT: the DSA architecture gives no bound for an admin command; a reset
// of a busy device drains it first. One second is far above what the
// hardware and the emulated device take.
const CMD_TIMEOUT: Delta = Delta::from_millis(1000);
const CMD_POLL: Delta = Delta::from_micros(100);

/// Bytes of BAR0 whose registers are reached with offsets checked at build
/// time (the general registers); the tables beyond are checked at run time.
pub(crate) const BAR0_MIN: usize = 0x1000;

pub(crate) type Bar0<'a> = pci::Bar<'a, BAR0_MIN>;

/// State shared by the driver's data, its interrupt handler, its debugfs
/// files and the vDSAs (all of which may outlive a borrow of the device).
#[pin_data]
pub(crate) struct Shared {
    pub(crate) pdev: ARef<pci::Device>,
    /// Shared with the IMS domain, which writes the IMS table in it.
    pub(crate) bar0: Arc<pci::DevresBar<BAR0_MIN>>,
    /// The portals of the host's WQs.
    pub(crate) bar2: pci::DevresBar<{ regs::WQ_PORTALS_BYTES }>,
    pub(crate) caps: Capabilities,
    pub(crate) tables: Tables,
    pub(crate) plan: Plan,
    /// The Scalable IOV DVSEC is set up: the WQs can be shared as ADIs.
    pub(crate) siov: bool,
    /// PASID of the host's shared WQ descriptors.
    pub(crate) pasid: u32,
    /// Serialises admin commands: the device runs one at a time.
    #[pin]
    pub(crate) cmd_lock: Mutex<()>,
    /// Signalled by the interrupt handler when a command completes.
    #[pin]
    pub(crate) cmd_done: Completion,
    /// The host's self-test jobs (debugfs `submit`).
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    #[pin]
    pub(crate) jobs: Jobs,
    /// Halts and the recoveries from them.
    pub(crate) halt: HaltState,
    /// Software errors reported by the device.
    pub(crate) swerr: SwerrLog,
    /// The WQs left for vDSAs.
    #[pin]
    pub(crate) adi: AdiPool,
    /// Calls of the vDSAs' VFIO read, write and ioctl handlers: the slow
    /// path, which the fast path never takes.
    pub(crate) vfio_calls: Atomic<u64>,
    /// The IMS state the host's jobs and debugfs see.
    #[pin]
    pub(crate) ims: ims::Status,
    /// The host WQs' dmaengine channels, as debugfs shows them, and their
    /// interrupt handles.
    pub(crate) dma: dma::Status,
    /// The host WQs' channels while the device is bound, for the halt
    /// recovery (see `dma`); taken at unbind.
    #[pin]
    pub(crate) dma_live: Mutex<Option<Arc<dma::Channels>>>,
}

impl Shared {
    /// Runs one admin command and waits for its completion interrupt.
    ///
    /// For probe and unbind and for the vDSAs' callbacks, which run while
    /// the device is bound but cannot prove it: the BAR is reached through
    /// short revocable accesses, dropped before every sleep, and the
    /// command fails with `ENXIO` once the BAR is gone.
    pub(crate) fn exec(&self, command: Command) -> Result<u16> {
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
    pub(crate) fn configure(&self) -> Result {
        let bar = self.bar0.try_access().ok_or(ENXIO)?;
        let caps = &self.caps;
        // The host's WQs, and the shared WQ of the 1swq-v1 vDSAs, which is
        // the host's to configure and enable (the vDSAs only submit to it).
        let host = self
            .plan
            .wqs()
            .map(|wq| (wq.index, config::wqcfg(caps, &wq)));
        let swq = self.adi.shared_wq().map(|s| (s.index, s.wqcfg(caps)));
        for (wq, dwords) in Iterator::chain(host, swq) {
            let at = [
                regs::wqcfg::SIZE,
                regs::wqcfg::THRESHOLD,
                regs::wqcfg::MODE,
                regs::wqcfg::LIMITS,
            ];
            for (dword, value) in at.into_iter().zip(dwords?) {
                bar.try_write32(value, self.tables.wqcfg_dword(caps, wq, dword))?;
            }
        }
        // The dedicated WQs of the vDSAs: their size and group cannot
        // change once the device is enabled; a vDSA writes the rest.
        if let Some(adi) = self.adi.wqs {
            for wq in adi.indices() {
                bar.try_write32(
                    u32::from(adi.size),
                    self.tables.wqcfg_dword(caps, wq, regs::wqcfg::SIZE),
                )?;
            }
        }
        let wqs = self.plan.group_wqs() | self.adi.wqs.map_or(0, |a| a.group_wqs());
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

    /// The WQs the host enables: its own and the vDSAs' shared WQ.
    fn enabled_wqs(&self) -> impl Iterator<Item = u16> {
        let swq = self.adi.shared_wq().map(|s| s.index);
        Iterator::chain(self.plan.wqs().map(|wq| wq.index), swq)
    }

    /// Enables the device, the host's WQs and the vDSAs' shared WQ.
    pub(crate) fn enable(&self) -> Result {
        self.exec(Command::EnableDevice)?;
        for wq in self.enabled_wqs() {
            self.exec(Command::EnableWq(wq))?;
        }
        Ok(())
    }

    /// Disables the host's WQs, the vDSAs' shared WQ and the device (each
    /// drains first), then resets the device.
    pub(crate) fn disable(&self) -> Result {
        for wq in self.enabled_wqs() {
            // Best effort: the reset below ends everything anyway.
            let _ = self.exec(Command::DisableWqs(WqSet::one(wq)?));
        }
        let _ = self.exec(Command::DisableDevice);
        self.exec(Command::ResetDevice)?;
        Ok(())
    }
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
pub(crate) fn exec_polled(bar: &Bar0<'_>, command: Command) -> Result<u16> {
    wait_idle(bar)?;
    bar.write_reg(command.encode(false)?);
    let sts = wait_idle(bar)?;
    Outcome::from_status(sts).into_result()
}
/// Reads the capability registers and the table offsets and decodes them,
/// refusing with one message a device the driver cannot drive.
pub(crate) fn read_caps(
    pdev: &pci::Device,
    bar: &Bar0<'_>,
    bar_len: usize,
) -> Result<(Capabilities, Tables)> {
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
