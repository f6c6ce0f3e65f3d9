// SPDX-License-Identifier: GPL-2.0

//! Software errors: what the device reports in `SWERR` when it cannot
//! report an error in a completion record. The interrupt handler reads and
//! clears the register, keeps the last error, logs it (rate limited) and
//! routes it to the vDSA whose WQ or PASID it names.

use kernel::{
    io::Io,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed, Release},
        Arc,
    },
    time::{Delta, Instant, Monotonic},
};

use crate::{device::Bar0, regs, vdsa::adi::AdiSlot, Shared};

/// Software errors logged per interval, and the interval.
const SWERR_LOG_BURST: u32 = 10;
const SWERR_LOG_INTERVAL: Delta = Delta::from_secs(5);

/// The software errors seen, and their logging.
pub(crate) struct SwerrLog {
    /// Software errors reported by the device; incremented (release) after
    /// the error is stored in `last`.
    pub(crate) count: Atomic<u32>,
    /// The last software error: `SWERR0`, `SWERR1` and the fault address.
    last: [Atomic<u64>; 3],
    /// Software errors logged in the current interval, and its start.
    logged: Atomic<u32>,
    interval_start: Atomic<i64>,
    /// Time origin of `interval_start`.
    epoch: Instant<Monotonic>,
}

impl SwerrLog {
    /// No error seen.
    pub(crate) fn new() -> Self {
        Self {
            count: Atomic::new(0),
            last: [Atomic::new(0), Atomic::new(0), Atomic::new(0)],
            logged: Atomic::new(0),
            // The first error starts an interval.
            interval_start: Atomic::new(-SWERR_LOG_INTERVAL.as_nanos() - 1),
            epoch: Instant::now(),
        }
    }

    /// The number of software errors so far and the last one.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn last(&self) -> (u32, regs::SoftwareError) {
        let count = self.count.load(kernel::sync::atomic::Acquire);
        let [e0, e1, addr] = &self.last;
        let error = regs::SoftwareError {
            e0: regs::SWERR0::from_raw(e0.load(Relaxed)),
            e1: regs::SWERR1::from_raw(e1.load(Relaxed)),
            fault_addr: addr.load(Relaxed),
        };
        (count, error)
    }

    /// Keeps `error` as the last one and counts it.
    fn record(&self, error: &regs::SoftwareError) {
        let [e0, e1, addr] = &self.last;
        e0.store(error.e0.into_raw(), Relaxed);
        e1.store(error.e1.into_raw(), Relaxed);
        addr.store(error.fault_addr, Relaxed);
        self.count.fetch_add(1, Release);
    }

    /// Whether a software error may be logged now (at most
    /// `SWERR_LOG_BURST` per `SWERR_LOG_INTERVAL`); logs how many were not
    /// when an interval ends.
    fn log_allowed(&self, pdev: &kernel::pci::Device) -> bool {
        let now = (Instant::<Monotonic>::now() - self.epoch).as_nanos();
        let start = self.interval_start.load(Relaxed);
        if now - start > SWERR_LOG_INTERVAL.as_nanos() {
            self.interval_start.store(now, Relaxed);
            let seen = self.logged.xchg(0, Relaxed);
            if seen > SWERR_LOG_BURST {
                dev_warn!(
                    pdev,
                    "{} software errors not logged\n",
                    seen - SWERR_LOG_BURST
                );
            }
        }
        self.logged.fetch_add(1, Relaxed) < SWERR_LOG_BURST
    }
}

impl Shared {
    /// Reads, logs and clears the software error register; returns the
    /// error, if there was one.
    pub(crate) fn report_swerr(&self, bar: &Bar0<'_>) -> Option<regs::SoftwareError> {
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
        self.swerr.record(&error);
        if self.swerr.log_allowed(&self.pdev) {
            dev_err!(self.pdev, "{}\n", error);
        }
        Some(error)
    }

    /// The vDSA WQ a software error belongs to: the dedicated WQ it names,
    /// or the WQ or shared-WQ vDSA whose PASID it names.
    pub(crate) fn adi_slot_of(&self, e: &regs::SoftwareError) -> Option<&Arc<AdiSlot>> {
        let swq = self.adi.shared_wq().map(|s| s.index);
        if let Some(wq) = e.wq().map(u16::from).filter(|&wq| Some(wq) != swq) {
            return self.adi.slot(wq);
        }
        if e.e0.desc_valid().into_bool() {
            let pasid: u32 = e.e0.pasid().into();
            return self.adi.slots.iter().find(|s| s.pasid.pasid() == pasid);
        }
        None
    }
}
