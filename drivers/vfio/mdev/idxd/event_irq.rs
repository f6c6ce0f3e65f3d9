// SPDX-License-Identifier: GPL-2.0

//! The interrupt of the device's events (MSI-X vector 0): admin command
//! completions, software errors and halts.

use kernel::{
    io::Io,
    irq::{self, IrqReturn, ThreadedIrqReturn},
    prelude::*,
    sync::{atomic::Relaxed, Arc},
};

use crate::{regs, regs::DeviceState, Shared};

/// The interrupt handler of MSI-X vector 0: admin command completion,
/// software errors and halts. The events of the vDSAs' WQs are delivered to
/// them by the handler's thread, which may sleep.
pub(crate) struct EventIrq {
    pub(crate) shared: Arc<Shared>,
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
            if sts.state() == DeviceState::Halted && !s.halt.halted.xchg(true, Relaxed) {
                let reset: u32 = sts.reset_type().into();
                dev_err!(s.pdev, "device halted (reset type {})\n", reset);
                s.note_halt();
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
        self.shared.recover_halts();
        for slot in self.shared.adi.slots.iter() {
            slot.deliver();
        }
        IrqReturn::Handled
    }
}
