// SPDX-License-Identifier: GPL-2.0

//! What the host keeps for each WQ it leaves for vDSAs (an assignable
//! device interface, ADI), whichever vDSA has the WQ at the moment: its
//! host PASID, the IMS vector its completion interrupts arrive on, and the
//! device events (software errors, halt) waiting to reach the vDSA.
//!
//! The PASID and the IMS vector are allocated once per WQ when the device is
//! bound, not per vDSA: an IMS slot only takes completions of work of the
//! PASID it was allocated for, and the kernel's IMS API fixes that PASID
//! when the vector is allocated, which only the bound device's driver can
//! do. A WQ's vDSAs come one after the other (a vDSA gives its WQ back when
//! its VFIO device is released, after iommufd has detached the PASID), so
//! they can share both. The vector's handler forwards to vector 1 of the
//! vDSA that has the WQ ([`Vector`]); the vDSA's guest gets the vector's
//! interrupt handle from the Request Interrupt Handle command.
//!
//! The shared WQ of the `1swq-v1` vDSAs has one slot per vDSA it serves,
//! each with its own PASID and IMS vector, kept the same way: a vDSA takes
//! a free slot when it is created. Its software errors are routed by the
//! PASID they name.
//!
//! Locking: see "Locking" in Documentation/driver-api/vfio/mdev-idxd.rst
//! ([`AdiSlot::owner`], then the vDSA's command lock, then
//! `Shared::cmd_lock`; [`Vector`] and the pending events are spinlocks taken
//! last, also from hard interrupt context).

use kernel::{
    eventfd::EventFd,
    iommu::pasid::GlobalPasid,
    irq::{self, IrqReturn},
    new_mutex, new_spinlock_irq, portal,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, Mutex, SpinLockIrq,
    },
};

use super::VdsaState;
use crate::{
    config::{AdiSharedWq, AdiWqs},
    regs::SoftwareError,
};

/// The WQs the host leaves for vDSAs, and what it keeps for each.
#[pin_data]
pub(crate) struct AdiPool {
    /// The WQs, if the device can have vDSAs.
    pub(crate) wqs: Option<AdiWqs>,
    /// The bitmap of those WQs that a vDSA took.
    #[pin]
    pub(crate) taken: Mutex<u64>,
    /// The bitmap of the shared WQ's slots that a vDSA took.
    #[pin]
    pub(crate) tenants: Mutex<u64>,
    /// The turns of the vDSAs' descriptors that the shared WQ refused.
    #[pin]
    pub(crate) swq_turns: Turns,
    /// The host's state of each dedicated WQ, in WQ order, then of each
    /// vDSA of the shared WQ.
    pub(crate) slots: KVec<Arc<AdiSlot>>,
    /// The portal pages of BAR 2 that vDSAs map to userspace.
    pub(crate) user_portals: Option<portal::UserPortals>,
}

impl AdiPool {
    /// The pool of `wqs`, with their `slots` and `user_portals`; none
    /// taken.
    pub(crate) fn new(
        wqs: Option<AdiWqs>,
        slots: KVec<Arc<AdiSlot>>,
        user_portals: Option<portal::UserPortals>,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            wqs,
            taken <- new_mutex!(0),
            tenants <- new_mutex!(0),
            swq_turns <- Turns::new(),
            slots,
            user_portals,
        })
    }

    /// The host's state of dedicated WQ `wq`, if it is left for vDSAs.
    pub(crate) fn slot(&self, wq: u16) -> Option<&Arc<AdiSlot>> {
        let wqs = self.wqs?;
        let i = wq.checked_sub(wqs.first).filter(|&i| i < wqs.count)?;
        self.slots.get(usize::from(i))
    }

    /// The shared WQ of the 1swq-v1 vDSAs, if any.
    pub(crate) fn shared_wq(&self) -> Option<AdiSharedWq> {
        self.wqs?.shared
    }

    /// The host's state of the shared WQ's vDSA slot `i`.
    pub(crate) fn tenant(&self, i: u16) -> Option<&Arc<AdiSlot>> {
        let wqs = self.wqs?;
        i.checked_add(wqs.count)
            .and_then(|at| self.slots.get(usize::from(at)))
    }
}

/// Turns for writers whose descriptor the shared WQ refused: they wait in
/// the order they came (the mutex hands itself to its waiters in order),
/// and while any waits, a new writer queues behind it instead of taking
/// the first entry that frees.
#[pin_data]
pub(crate) struct Turns {
    /// Held by the writer whose turn it is.
    #[pin]
    pub(crate) turn: Mutex<()>,
    /// Writers waiting or having their turn.
    pub(crate) waiting: Atomic<u32>,
}

impl Turns {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            turn <- new_mutex!(()),
            waiting: Atomic::new(0),
        })
    }
}

/// An emulated MSI-X vector of a vDSA, signalled through the eventfd
/// userspace gave with `VFIO_DEVICE_SET_IRQS`.
///
/// Masked (`VFIO_IRQ_SET_ACTION_MASK`), it only records that an interrupt
/// is pending; unmasking signals it then. Without an eventfd, interrupts are
/// dropped, as vfio-pci drops those of a vector without a trigger.
#[pin_data]
pub(crate) struct Vector {
    #[pin]
    inner: SpinLockIrq<VectorState>,
    /// Interrupts raised, signalled or not.
    raised: Atomic<u64>,
}

#[derive(Default)]
struct VectorState {
    eventfd: Option<EventFd>,
    masked: bool,
    pending: bool,
    /// Quiesced for migration: interrupts only become pending.
    frozen: bool,
}

impl Vector {
    /// A vector without eventfd, unmasked.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- new_spinlock_irq!(VectorState::default()),
            raised: Atomic::new(0),
        })
    }

    /// Raises the vector. May be called from hard interrupt context.
    pub(crate) fn fire(&self) {
        self.raised.fetch_add(1, Relaxed);
        let mut s = self.inner.lock();
        if s.masked || s.frozen {
            s.pending = true;
        } else if let Some(e) = &s.eventfd {
            e.signal();
        }
    }

    /// Interrupts raised so far.
    pub(crate) fn raised(&self) -> u64 {
        self.raised.load(Relaxed)
    }

    /// Signals the vector through `eventfd` from now on (none: stops
    /// signalling it).
    pub(crate) fn set_trigger(&self, eventfd: Option<EventFd>) {
        // The old context is put outside the lock.
        let _old = core::mem::replace(&mut self.inner.lock().eventfd, eventfd);
    }

    /// Masks the vector.
    pub(crate) fn mask(&self) {
        self.inner.lock().masked = true;
    }

    /// Unmasks the vector and signals what became pending while masked.
    pub(crate) fn unmask(&self) {
        let mut s = self.inner.lock();
        s.masked = false;
        s.signal_pending();
    }

    /// Freezes the vector for migration: from now on, interrupts only
    /// become pending, whatever the mask.
    pub(crate) fn freeze(&self) {
        self.inner.lock().frozen = true;
    }

    /// Ends [`Vector::freeze`]: signals what became pending unless the
    /// vector is masked, or, if `discard`, forgets it.
    pub(crate) fn thaw(&self, discard: bool) {
        let mut s = self.inner.lock();
        s.frozen = false;
        if discard {
            s.pending = false;
        }
        s.signal_pending();
    }

    /// Whether the vector is masked and whether an interrupt is pending, for
    /// a migration stream.
    pub(crate) fn bits(&self) -> (bool, bool) {
        let s = self.inner.lock();
        (s.masked, s.pending)
    }

    /// Sets the mask and the pending interrupt from a migration stream (the
    /// vector stays frozen).
    pub(crate) fn set_bits(&self, masked: bool, pending: bool) {
        let mut s = self.inner.lock();
        s.masked = masked;
        s.pending = pending;
    }

    /// Back to the state after creation: no eventfd, unmasked, nothing
    /// pending.
    pub(crate) fn reset(&self) {
        let _old = core::mem::take(&mut *self.inner.lock());
    }
}

impl VectorState {
    /// Signals the pending interrupt if the vector is neither masked nor
    /// frozen.
    fn signal_pending(&mut self) {
        if self.masked || self.frozen || !core::mem::take(&mut self.pending) {
            return;
        }
        if let Some(e) = &self.eventfd {
            e.signal();
        }
    }
}

/// Device events for the vDSA that has a WQ, noted by the parent's
/// interrupt handler and delivered by its thread.
#[derive(Default, Clone, Copy)]
pub(crate) struct Events {
    /// The first software error of the WQ not delivered yet.
    pub(crate) swerr: Option<SoftwareError>,
    /// More errors came before delivery.
    pub(crate) overflow: bool,
    /// The device halted.
    pub(crate) halt: bool,
}

/// No interrupt handle: the WQ has no IMS vector.
const NO_HANDLE: u32 = u32::MAX;

/// The host's state of one WQ left for vDSAs, or of one vDSA's place on
/// the shared WQ.
#[pin_data]
pub(crate) struct AdiSlot {
    /// The WQ.
    pub(crate) wq: u16,
    /// The WQ is the vDSAs' shared WQ: the slot is one vDSA's place on it.
    pub(crate) shared: bool,
    /// The host PASID the WQ's DMA is tagged with.
    pub(crate) pasid: Arc<GlobalPasid>,
    /// Vector 1 of the vDSA that has the WQ: the WQ's IMS vector raises it.
    #[pin]
    pub(crate) completion: Vector,
    /// The interrupt handle of the WQ's IMS vector, or [`NO_HANDLE`].
    handle: Atomic<u32>,
    /// The IMS slot of that vector, or [`NO_HANDLE`].
    ims_slot: Atomic<u32>,
    /// Interrupt handles of other WQs that the vDSAs of this one revoked
    /// when they resumed a migration stream.
    pub(crate) revoked: Atomic<u64>,
    /// Events not delivered yet.
    #[pin]
    events: SpinLockIrq<Events>,
    /// The vDSA that has the WQ, for event delivery.
    #[pin]
    owner: Mutex<Option<Arc<VdsaState>>>,
}

impl AdiSlot {
    /// The slot of WQ `wq` (`shared`: of a vDSA on the shared WQ `wq`),
    /// whose DMA is tagged with `pasid`.
    pub(crate) fn new(wq: u16, shared: bool, pasid: GlobalPasid) -> Result<Arc<Self>> {
        let pasid = Arc::new(pasid, GFP_KERNEL)?;
        Arc::pin_init(
            pin_init!(Self {
                wq,
                shared,
                pasid,
                completion <- Vector::new(),
                handle: Atomic::new(NO_HANDLE),
                ims_slot: Atomic::new(NO_HANDLE),
                revoked: Atomic::new(0),
                events <- new_spinlock_irq!(Events::default()),
                owner <- new_mutex!(None),
            }),
            GFP_KERNEL,
        )
    }

    /// The interrupt handle of the WQ's IMS vector, if it has one.
    pub(crate) fn handle(&self) -> Option<u16> {
        u16::try_from(self.handle.load(Relaxed)).ok()
    }

    /// Records the handle of the WQ's IMS vector (or that it has none).
    pub(crate) fn set_handle(&self, handle: Option<u16>) {
        self.handle
            .store(handle.map_or(NO_HANDLE, u32::from), Relaxed);
    }

    /// The IMS slot of the WQ's vector, if it has one.
    pub(crate) fn ims_slot(&self) -> Option<u16> {
        u16::try_from(self.ims_slot.load(Relaxed)).ok()
    }

    /// Records the IMS slot and the handle of the WQ's vector (or that it
    /// has none).
    pub(crate) fn set_vector(&self, vector: Option<(u16, u16)>) {
        self.ims_slot
            .store(vector.map_or(NO_HANDLE, |(s, _)| u32::from(s)), Relaxed);
        self.set_handle(vector.map(|(_, h)| h));
    }

    /// Notes a software error of the WQ, for the interrupt thread to
    /// deliver; as the architecture's `SWERR`, keeps the first and counts
    /// the others as an overflow. Called from hard interrupt context.
    pub(crate) fn note_swerr(&self, e: SoftwareError) {
        let mut ev = self.events.lock();
        if ev.swerr.is_some() {
            ev.overflow = true;
        } else {
            ev.swerr = Some(e);
        }
    }

    /// Notes that the device halted. Called from hard interrupt context.
    pub(crate) fn note_halt(&self) {
        self.events.lock().halt = true;
    }

    /// Takes the events noted so far.
    fn take_events(&self) -> Events {
        core::mem::take(&mut *self.events.lock())
    }

    /// Makes `core` the vDSA that receives the WQ's events (none: events
    /// are dropped).
    pub(crate) fn set_owner(&self, core: Option<Arc<VdsaState>>) {
        let old = core::mem::replace(&mut *self.owner.lock(), core);
        // Whatever a previous vDSA did not receive is not for the next.
        let _ = self.take_events();
        drop(old);
    }

    /// Delivers the noted events to the vDSA that has the WQ. May sleep:
    /// from the parent's interrupt thread.
    pub(crate) fn deliver(&self) {
        let owner = self.owner.lock();
        let ev = self.take_events();
        if let Some(core) = owner.as_ref() {
            core.deliver(ev);
        }
    }
}

/// The handler of a WQ's IMS vector: raises vector 1 of the vDSA that has
/// the WQ.
pub(crate) struct CompletionIrq(pub(crate) Arc<AdiSlot>);

impl irq::Handler for CompletionIrq {
    fn handle(&self) -> IrqReturn {
        self.0.completion.fire();
        IrqReturn::Handled
    }
}
