// SPDX-License-Identifier: GPL-2.0

//! Halts: a fatal error of the device (`GENSTS.state` halted), and the
//! recovery from it.
//!
//! The interrupt handler marks a halt and shows it to every vDSA's WQ
//! ([`Shared::note_halt`]); its thread recovers ([`Shared::recover_halts`]):
//! the reset `GENSTS.reset_type` asks for (the reset device command, or a
//! function level reset through the PCI core), then the configuration of
//! probe again (the host's WQs, the sizes and the WQCFG of every WQ left
//! for vDSAs, each with its host PASID), the device and the host's WQs
//! enabled, the IMS slots written back. Descriptors in flight are lost: a
//! host job waiting for them fails, and the halt is shown to every vDSA as
//! the architecture shows it to a guest (`GENSTS` halted,
//! `INTCAUSE.halt_state`, vector 0); the vDSA's WQ comes back when its guest
//! resets the device and enables the WQ again. The IMS vectors keep their
//! slots, so on DSA 1.0, where the slot is the interrupt handle, the handles
//! keep working; on 2.0 they are requested again.

use kernel::{
    io::Io,
    prelude::*,
    sync::atomic::{Atomic, Relaxed, Release},
    time::{delay::fsleep, Delta, Instant, Monotonic},
};

use crate::{cmd::Command, config, regs, regs::DeviceState, Shared};

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

// TIMEOUT: a recovery is a reset and the configuration of probe, which
// take milliseconds; a function level reset may wait for the device lock
// (`LOCKED_RETRIES` times `LOCKED_RETRY_DELAY`). Past that, the recovery
// failed and the device stays halted.
const RECOVERY_WAIT: Delta = Delta::from_secs(2);
const RECOVERY_POLL: Delta = Delta::from_millis(1);

/// The device's halts.
pub(crate) struct HaltState {
    /// The device halted on an error and is not recovered yet.
    pub(crate) halted: Atomic<bool>,
    /// A halt was seen that the interrupt thread has not started to
    /// recover from.
    recover: Atomic<bool>,
    /// Halts seen; incremented (release) after `halted` is set.
    pub(crate) halts: Atomic<u32>,
    /// Recoveries done (each a reset, the configuration and the enables of
    /// probe again).
    pub(crate) recoveries: Atomic<u32>,
}

impl HaltState {
    /// No halt seen.
    pub(crate) fn new() -> Self {
        Self {
            halted: Atomic::new(false),
            recover: Atomic::new(false),
            halts: Atomic::new(0),
            recoveries: Atomic::new(0),
        }
    }
}

impl Shared {
    /// Counts a halt, shows it to the vDSAs' WQs and leaves the recovery to
    /// the interrupt thread. Called from hard interrupt context.
    pub(crate) fn note_halt(&self) {
        self.halt.halts.fetch_add(1, Release);
        for slot in self.adi.slots.iter() {
            slot.note_halt();
        }
        self.halt.recover.store(true, Relaxed);
    }

    /// Waits until the device is recovered from a halt, for
    /// [`RECOVERY_WAIT`] at most: a vDSA's command for the physical device
    /// waits for the recovery of a halt the vDSA is not shown yet (shown
    /// once the device works again, see [`Shared::recover_halts`]), rather
    /// than reach a halted device or one being reconfigured. May sleep.
    pub(crate) fn wait_recovered(&self) {
        let start = Instant::<Monotonic>::now();
        while self.halt.halted.load(Relaxed) && start.elapsed() < RECOVERY_WAIT {
            fsleep(RECOVERY_POLL);
        }
    }

    /// Recovers from the halts noted, from the interrupt thread. The vDSAs
    /// learn of a halt once the device works again, so that the reset
    /// their guests answer with finds their WQs ready. A device that halts
    /// again during its recovery is recovered again, a few times at most.
    pub(crate) fn recover_halts(&self) {
        for _ in 0..RECOVERY_ATTEMPTS {
            if !self.halt.recover.xchg(false, Relaxed) {
                return;
            }
            self.recover_from_halt();
        }
        if self.halt.recover.xchg(false, Relaxed) {
            dev_err!(
                self.pdev,
                "device keeps halting: left halted, unbind and bind\n"
            );
        }
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
        if reset_done.is_ok() {
            // The reset dropped what the host's channels had in flight.
            self.abort_dma();
        }
        let result = reset_done.and_then(|()| self.reconfigure());
        // The device halted again after the reset: its interrupt handler
        // found the first halt not yet recovered from (`halted` still set),
        // so it left this one to be noted here.
        let again = reset_done.is_ok()
            && self
                .bar0
                .try_access()
                .is_some_and(|bar| bar.read(regs::GENSTS).state() == DeviceState::Halted);
        if again {
            dev_err!(self.pdev, "device halted again during the recovery\n");
            self.note_halt();
            return;
        }
        match result {
            Ok(()) => {
                self.halt.halted.store(false, Relaxed);
                let n = self.halt.recoveries.fetch_add(1, Relaxed) + 1;
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
        for slot in self.adi.slots.iter().filter(|s| !s.shared) {
            let dwords = config::adi_wqcfg(&self.caps, slot.pasid.pasid())?;
            self.write_adi_wqcfg(slot.wq, dwords)?;
        }
        self.enable()?;
        self.reissue_int_handles()
    }
}

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
