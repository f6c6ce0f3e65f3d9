// SPDX-License-Identifier: GPL-2.0

//! DMA engine providers of memory-to-memory copies.
//!
//! C headers: [`include/linux/dmaengine.h`](srctree/include/linux/dmaengine.h), and the
//! providers' part in [`drivers/dma/dmaengine.h`](srctree/drivers/dma/dmaengine.h).
//!
//! A driver implements [`Driver`] and registers its channels with [`Registration::new`]; the
//! dmaengine core then hands them to clients (`dma_request_channel()`, dmatest, async_tx).
//!
//! # Rules
//!
//! - **Channels are fixed.** All of a device's channels are registered with it and live as long
//!   as it does: until the [`Registration`] is dropped *and* the last client released its
//!   channel, which may be after the driver unbound. The core holds a reference on the driver's
//!   module for each client, so the callbacks below stay loaded. Nothing of a channel is freed
//!   under a client: the core's `device_release` callback frees the channels, and the core
//!   touches no channel after dropping the reference that runs it (`dma_release_channel()`
//!   drops it last).
//! - **Descriptor slots.** Each channel has a fixed pool of slots, sized by the driver, each
//!   with its `dma_async_tx_descriptor`. A slot is free, prepared (prep gave it to a client),
//!   submitted (the hardware has it), or terminated (the hardware has it, its client gave it
//!   up). Prep takes a free slot or fails: it never sleeps or allocates. `tx_submit` calls
//!   [`Driver::submit`] and assigns the cookie; the driver reports the hardware's completion of a
//!   slot with [`Channel::complete`]. A `tx_submit` of a slot that is not prepared fails with
//!   `EINVAL`; only submitted or terminated slots complete.
//! - **One lock per channel.** A spinlock, taken with interrupts off, serializes prep, submit,
//!   completion, terminate and the channel's death. [`Driver::prep_memcpy`] and
//!   [`Driver::submit`] run under it: they must not sleep, and must not call back into the
//!   channel.
//! - **Callbacks run with no lock held**, in the context of the driver's call to
//!   [`Channel::complete`] (for a driver, its threaded interrupt handler): after the slot's
//!   unmap data is released and the slot is free again, so a callback may prepare and submit
//!   again, or terminate the channel.
//! - **Completion order.** Slots complete in the order the hardware finishes them, so the
//!   device says `DMA_COMPLETION_NO_ORDER` and `tx_status` answers `DMA_OUT_OF_ORDER`: clients
//!   learn of completion from their callback.
//! - **Death.** [`Registration::kill`] (done at the latest by the registration's drop) marks
//!   every channel dead: prep fails, `tx_submit` fails with `ENODEV`, and the driver's
//!   [`Driver::prep_memcpy`] and [`Driver::submit`] are never called again. Slots the hardware
//!   still has are completed by the driver ([`Channel::complete`]) or given up as aborted
//!   ([`Channel::abort_outstanding`]) once the hardware no longer runs them.
//! - **`T::Chan` is dropped** in the core's `device_release` callback, under its
//!   `dma_list_mutex`: its `Drop` must not call the dmaengine API.
//!
//! Lock order: a driver's locks taken around [`Channel::complete`] or
//! [`Channel::abort_outstanding`] come before the channel's lock; the core's `dma_list_mutex`
//! comes before it too (`device_free_chan_resources`, `device_synchronize`).

use crate::{
    alloc::{flags::GFP_KERNEL, KBox, KVec},
    bindings,
    device::{Bound, Device},
    dma::DmaAddress,
    error::{code::*, to_result, Result},
    ffi::{c_int, c_ulong, c_void},
    new_spinlock_irq,
    prelude::*,
    sync::SpinLockIrq,
    types::Opaque,
};
use core::{marker::PhantomData, mem::size_of, pin::Pin, ptr::NonNull};

/// The flags a client gives prep (`enum dma_ctrl_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrepFlags(c_ulong);

impl PrepFlags {
    /// The client wants the completion signalled (`DMA_PREP_INTERRUPT`): a descriptor without
    /// it may complete without an interrupt.
    pub fn interrupt(self) -> bool {
        self.0 & bindings::dma_ctrl_flags_DMA_PREP_INTERRUPT as c_ulong != 0
    }

    /// The raw flags.
    pub fn raw(self) -> c_ulong {
        self.0
    }
}

/// How a descriptor ended, as its client's `callback_result` learns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxResult {
    /// The copy was done.
    Done,
    /// The device could not read the source.
    ReadFailed,
    /// The device could not write the destination.
    WriteFailed,
    /// The copy was not done (aborted, or the device went away).
    Aborted,
}

impl TxResult {
    fn raw(self) -> bindings::dmaengine_tx_result {
        match self {
            Self::Done => bindings::dmaengine_tx_result_DMA_TRANS_NOERROR,
            Self::ReadFailed => bindings::dmaengine_tx_result_DMA_TRANS_READ_FAILED,
            Self::WriteFailed => bindings::dmaengine_tx_result_DMA_TRANS_WRITE_FAILED,
            Self::Aborted => bindings::dmaengine_tx_result_DMA_TRANS_ABORTED,
        }
    }
}

/// A provider of memory-to-memory copies on a fixed set of channels.
#[vtable]
pub trait Driver: Sized + Send + Sync + 'static {
    /// The driver's data of one channel.
    type Chan: Send + Sync;

    /// Prepares slot `slot` of `chan` for a copy of `len` bytes from `src` to `dst` (addresses
    /// of the device the channels were registered for). Called under the channel's lock, with
    /// interrupts off: it must not sleep. An error makes prep return no descriptor.
    fn prep_memcpy(
        chan: &Self::Chan,
        slot: usize,
        dst: DmaAddress,
        src: DmaAddress,
        len: usize,
        flags: PrepFlags,
    ) -> Result;

    /// Hands slot `slot` of `chan`, prepared, to the hardware. Called under the channel's lock,
    /// with interrupts off: it must not sleep. On error the slot is free again and the client's
    /// `tx_submit` returns the error.
    fn submit(chan: &Self::Chan, slot: usize) -> Result;

    /// Returns once every slot of `chan` that was submitted has been reported with
    /// [`Channel::complete`] or [`Channel::abort_outstanding`], and no callback of it runs.
    /// May sleep. Called by the core before it frees the channel's resources and by clients
    /// (`dmaengine_synchronize()`).
    fn synchronize(_chan: &Channel<Self>) {
        build_error!(crate::error::VTABLE_DEFAULT_ERROR)
    }
}

/// A client's callback, moved out of its descriptor under the channel's lock and called after.
struct Callback {
    callback: bindings::dma_async_tx_callback,
    callback_result: bindings::dma_async_tx_callback_result,
    param: *mut c_void,
}

impl Callback {
    /// Moves the callback out of `tx`, leaving none.
    ///
    /// # Safety
    ///
    /// `tx` must be a valid descriptor, its fields not written concurrently.
    unsafe fn take(tx: *mut bindings::dma_async_tx_descriptor) -> Self {
        // SAFETY: `tx` is valid and not written concurrently (safety requirements).
        unsafe {
            let cb = Self {
                callback: (*tx).callback.take(),
                callback_result: (*tx).callback_result.take(),
                param: (*tx).callback_param,
            };
            (*tx).callback_param = core::ptr::null_mut();
            cb
        }
    }

    /// Calls the callback, if any, as `dmaengine_desc_callback_invoke()` does: the one that
    /// takes a result first.
    fn invoke(self, result: TxResult) {
        let res = bindings::dmaengine_result {
            result: result.raw(),
            residue: 0,
        };
        if let Some(f) = self.callback_result {
            // SAFETY: the client set this callback and its parameter for this descriptor; it is
            // called once, with no lock held.
            unsafe { f(self.param, &res) };
        } else if let Some(f) = self.callback {
            // SAFETY: as above.
            unsafe { f(self.param) };
        }
    }
}

/// The state of a descriptor slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Free,
    Prepared,
    Submitted,
    Terminated,
}

/// What the channel's lock protects.
struct State {
    /// Killed: no prep or submit reaches the driver any more.
    dead: bool,
    slots: KVec<Slot>,
    /// Where the search for a free slot starts.
    next: usize,
}

impl State {
    /// Slots the hardware has.
    fn busy(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Submitted | Slot::Terminated))
            .count()
    }
}

/// One channel: the core's `dma_chan`, the descriptors of its slots and the driver's data.
#[pin_data]
pub struct Channel<T: Driver> {
    chan: Opaque<bindings::dma_chan>,
    #[pin]
    state: SpinLockIrq<State>,
    /// One per slot; never moved once the channel is registered (the vector is never grown).
    txds: KVec<Opaque<bindings::dma_async_tx_descriptor>>,
    data: T::Chan,
}

// SAFETY: the core's `dma_chan` and the descriptors are used through raw pointers by the core
// and by this module, which writes their fields under the channel's lock (the core's own
// fields under its own locks); the rest is `Send`.
unsafe impl<T: Driver> Send for Channel<T> {}
// SAFETY: as for `Send`; shared references only lock or read.
unsafe impl<T: Driver> Sync for Channel<T> {}

impl<T: Driver> Channel<T> {
    /// The driver's data of the channel.
    pub fn data(&self) -> &T::Chan {
        &self.data
    }

    /// The number of descriptor slots.
    pub fn slots(&self) -> usize {
        self.txds.len()
    }

    /// Slots the hardware has (submitted, or terminated by their client and not yet completed).
    pub fn busy(&self) -> usize {
        self.state.lock().busy()
    }

    /// The channel's name (`dmaXchanY`) as the core gives it: its device's and its own number.
    pub fn ids(&self) -> (i32, i32) {
        let chan = self.chan.get();
        // SAFETY: `chan` is valid; `device` and `chan_id` are set at registration and only read.
        unsafe { ((*(*chan).device).dev_id, (*chan).chan_id) }
    }

    /// Reports that the hardware finished slot `slot` with `result`: the cookie completes, the
    /// client's unmap data is released, the slot is free again and the client's callback runs
    /// (not for a terminated slot). A slot the hardware did not have is ignored.
    ///
    /// Must not be called with the channel's lock held, and not from hard interrupt context
    /// (the callback may sleep-check); the usual place is a threaded interrupt handler.
    pub fn complete(&self, slot: usize, result: TxResult) {
        let Some(tx) = self.txds.get(slot).map(Opaque::get) else {
            return;
        };
        let mut cb = None;
        {
            let mut st = self.state.lock();
            let was = st.slots[slot];
            if !matches!(was, Slot::Submitted | Slot::Terminated) {
                return;
            }
            // SAFETY: `tx` is this channel's descriptor, given a cookie at submit; the lock
            // serializes the channel's cookies.
            unsafe { bindings::dma_cookie_complete(tx) };
            if was == Slot::Submitted {
                // SAFETY: `tx` is valid; its client set the callback before submitting, and
                // the lock is held.
                cb = Some(unsafe { Callback::take(tx) });
            }
            // SAFETY: `tx` is valid; the unmap data is its client's, released once.
            unsafe { bindings::dma_descriptor_unmap(tx) };
            st.slots[slot] = Slot::Free;
        }
        if let Some(cb) = cb {
            cb.invoke(result);
        }
    }

    /// Completes every slot the hardware still has as [`TxResult::Aborted`], for a driver whose
    /// hardware will not complete them (disabled, reset or gone). Returns how many.
    pub fn abort_outstanding(&self) -> usize {
        let mut n = 0;
        for slot in 0..self.slots() {
            let busy = matches!(
                self.state.lock().slots[slot],
                Slot::Submitted | Slot::Terminated
            );
            if busy {
                self.complete(slot, TxResult::Aborted);
                n += 1;
            }
        }
        n
    }

    /// Marks the channel dead; see the module's rules.
    fn kill(&self) {
        let mut st = self.state.lock();
        st.dead = true;
        for s in st.slots.iter_mut() {
            if *s == Slot::Prepared {
                *s = Slot::Free;
            }
        }
    }

    /// # Safety
    ///
    /// `chan` must be the `dma_chan` of a `Channel<T>` registered with this module.
    unsafe fn from_chan<'a>(chan: *mut bindings::dma_chan) -> &'a Self {
        // SAFETY: `chan` is the `chan` field of a live `Channel<T>` (safety requirements;
        // channels live until the device's release).
        unsafe { &*crate::container_of!(Opaque::cast_from(chan).cast_mut(), Self, chan) }
    }

    /// The channel and slot of descriptor `tx`, if it is one of this module's.
    ///
    /// # Safety
    ///
    /// `tx` must be a descriptor this module gave a client.
    unsafe fn from_tx<'a>(tx: *mut bindings::dma_async_tx_descriptor) -> Option<(&'a Self, usize)> {
        // SAFETY: `tx` is valid (safety requirements) and its `chan` was set at prep.
        let chan = unsafe { Self::from_chan((*tx).chan) };
        let base = chan.txds.as_ptr() as usize;
        let off = (tx as usize).checked_sub(base)?;
        let slot = off / size_of::<Opaque<bindings::dma_async_tx_descriptor>>();
        (slot < chan.slots() && off % size_of::<Opaque<bindings::dma_async_tx_descriptor>>() == 0)
            .then_some((chan, slot))
    }
}

/// The allocation the core's `dma_device` lives in, with the channels; freed by the core's
/// `device_release` callback, or at a failed registration.
struct Inner<T: Driver> {
    dma: Opaque<bindings::dma_device>,
    chans: KVec<Pin<KBox<Channel<T>>>>,
}

/// How a device's channels are offered.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Only for clients that ask for a channel by name or filter (`DMA_PRIVATE`), not for
    /// async_tx's or `dma_find_channel()`'s.
    pub private: bool,
    /// The alignment of copies, as a power of two of bytes (`copy_align`).
    pub copy_align: u8,
}

/// A registered DMA device: its channels are offered to clients until it is dropped (or
/// [`Registration::kill`]ed).
pub struct Registration<T: Driver> {
    inner: NonNull<Inner<T>>,
    _p: PhantomData<T>,
}

// SAFETY: the registration only unregisters and hands out shared references to channels,
// which are `Sync`.
unsafe impl<T: Driver> Send for Registration<T> {}
// SAFETY: as above.
unsafe impl<T: Driver> Sync for Registration<T> {}

impl<T: Driver> Registration<T> {
    /// Registers a DMA device for `dev` (bound to its driver: the core takes the driver's
    /// module as the channels' owner) with one channel per item of `chans`: the driver's data
    /// and the number of descriptor slots.
    pub fn new(
        dev: &Device<Bound>,
        config: Config,
        chans: impl IntoIterator<Item = (T::Chan, usize)>,
    ) -> Result<Self> {
        let mut list = KVec::new();
        for (data, slots) in chans {
            if slots == 0 {
                return Err(EINVAL);
            }
            let mut txds = KVec::with_capacity(slots, GFP_KERNEL)?;
            let mut states = KVec::with_capacity(slots, GFP_KERNEL)?;
            for _ in 0..slots {
                txds.push(Opaque::zeroed(), GFP_KERNEL)?;
                states.push(Slot::Free, GFP_KERNEL)?;
            }
            let chan = KBox::pin_init(
                pin_init!(Channel {
                    chan: Opaque::zeroed(),
                    state <- new_spinlock_irq!(State {
                        dead: false,
                        slots: states,
                        next: 0,
                    }),
                    txds,
                    data,
                }),
                GFP_KERNEL,
            )?;
            list.push(chan, GFP_KERNEL)?;
        }
        if list.is_empty() {
            return Err(EINVAL);
        }
        let inner = KBox::new(
            Inner {
                dma: Opaque::zeroed(),
                chans: list,
            },
            GFP_KERNEL,
        )?;
        let inner = NonNull::from(KBox::leak(inner));
        // SAFETY: `inner` was just leaked and is not shared yet.
        let dma = unsafe { inner.as_ref() }.dma.get();
        let align: bindings::dmaengine_alignment = config.copy_align.into();
        // SAFETY: `dma` is zeroed and not registered; `dev` is valid and bound.
        unsafe {
            bindings::dma_device_init(dma, dev.as_raw(), config.private, align);
            (*dma).device_alloc_chan_resources = Some(Self::alloc_chan_resources);
            (*dma).device_free_chan_resources = Some(Self::free_chan_resources);
            (*dma).device_prep_dma_memcpy = Some(Self::prep_dma_memcpy);
            (*dma).device_tx_status = Some(Self::tx_status);
            (*dma).device_issue_pending = Some(Self::issue_pending);
            (*dma).device_terminate_all = Some(Self::terminate_all);
            (*dma).device_synchronize = Some(Self::synchronize);
            (*dma).device_release = Some(Self::release);
        }
        // SAFETY: as above; each channel is pinned in its box, which the device owns.
        for chan in unsafe { inner.as_ref() }.chans.iter() {
            let c = chan.chan.get();
            // SAFETY: `c` is zeroed and not registered; `dma` is valid.
            unsafe {
                bindings::dma_chan_add(dma, c);
                bindings::dma_cookie_init(c);
            }
        }
        // SAFETY: `dma` is filled in as the core requires; its memory stays valid until the
        // `release` callback, which the core calls only after a successful registration.
        let ret = to_result(unsafe { bindings::dma_async_device_register(dma) });
        if let Err(e) = ret {
            // SAFETY: a failed registration keeps no reference to `inner`, leaked above.
            drop(unsafe { KBox::from_raw(inner.as_ptr()) });
            return Err(e);
        }
        Ok(Self {
            inner,
            _p: PhantomData,
        })
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: the registration holds the core's initial reference: `inner` lives until the
        // registration's drop unregisters the device.
        unsafe { self.inner.as_ref() }
    }

    /// Channel `index`, in the order given to [`Registration::new`].
    pub fn channel(&self, index: usize) -> Option<&Channel<T>> {
        self.inner().chans.get(index).map(|c| &**c)
    }

    /// The channels.
    pub fn channels(&self) -> impl Iterator<Item = &Channel<T>> {
        self.inner().chans.iter().map(|c| &**c)
    }

    /// Marks every channel dead (see the module's rules); the device stays registered, so
    /// clients keep their channels until they release them. Idempotent.
    pub fn kill(&self) {
        for chan in self.channels() {
            chan.kill();
        }
    }

    /// # Safety
    ///
    /// `dma` must be the `dma_device` of an `Inner<T>` registered by this module.
    unsafe fn inner_of<'a>(dma: *mut bindings::dma_device) -> &'a Inner<T> {
        // SAFETY: `dma` is the `dma` field of a live `Inner<T>` (safety requirements).
        unsafe { &*crate::container_of!(Opaque::cast_from(dma).cast_mut(), Inner<T>, dma) }
    }

    extern "C" fn alloc_chan_resources(chan: *mut bindings::dma_chan) -> c_int {
        // SAFETY: the core calls this with one of the channels registered by `new`.
        let c = unsafe { Channel::<T>::from_chan(chan) };
        let st = c.state.lock();
        if st.dead {
            return ENODEV.to_errno();
        }
        c_int::try_from(st.slots.len()).unwrap_or(c_int::MAX)
    }

    extern "C" fn free_chan_resources(chan: *mut bindings::dma_chan) {
        // SAFETY: as in `alloc_chan_resources`.
        let c = unsafe { Channel::<T>::from_chan(chan) };
        let mut st = c.state.lock();
        // Prepared and never submitted: the last client is gone.
        for s in st.slots.iter_mut() {
            if *s == Slot::Prepared {
                *s = Slot::Free;
            }
        }
    }

    extern "C" fn prep_dma_memcpy(
        chan: *mut bindings::dma_chan,
        dst: DmaAddress,
        src: DmaAddress,
        len: usize,
        flags: c_ulong,
    ) -> *mut bindings::dma_async_tx_descriptor {
        // SAFETY: as in `alloc_chan_resources`.
        let c = unsafe { Channel::<T>::from_chan(chan) };
        let mut st = c.state.lock();
        if st.dead {
            return core::ptr::null_mut();
        }
        let n = st.slots.len();
        let Some(slot) = (0..n)
            .map(|i| (st.next + i) % n)
            .find(|&i| st.slots[i] == Slot::Free)
        else {
            return core::ptr::null_mut();
        };
        if T::prep_memcpy(&c.data, slot, dst, src, len, PrepFlags(flags)).is_err() {
            return core::ptr::null_mut();
        }
        st.slots[slot] = Slot::Prepared;
        st.next = (slot + 1) % n;
        let tx = c.txds[slot].get();
        // SAFETY: `tx` is the slot's descriptor, which no client has (it was free); `chan` is
        // its channel.
        unsafe { bindings::dma_txd_prepare(tx, chan, flags, Some(Self::tx_submit)) };
        tx
    }

    extern "C" fn tx_submit(tx: *mut bindings::dma_async_tx_descriptor) -> bindings::dma_cookie_t {
        // SAFETY: the core calls this only for descriptors whose `tx_submit` is this function,
        // which `prep_dma_memcpy` set: ours.
        let Some((c, slot)) = (unsafe { Channel::<T>::from_tx(tx) }) else {
            return EINVAL.to_errno();
        };
        let mut st = c.state.lock();
        if st.slots[slot] != Slot::Prepared {
            return EINVAL.to_errno();
        }
        if st.dead {
            st.slots[slot] = Slot::Free;
            return ENODEV.to_errno();
        }
        if let Err(e) = T::submit(&c.data, slot) {
            st.slots[slot] = Slot::Free;
            return e.to_errno();
        }
        st.slots[slot] = Slot::Submitted;
        // SAFETY: `tx` is valid; the channel's lock serializes its cookies. The completion,
        // which needs the cookie, takes the same lock.
        unsafe { bindings::dma_cookie_assign(tx) }
    }

    extern "C" fn tx_status(
        _chan: *mut bindings::dma_chan,
        _cookie: bindings::dma_cookie_t,
        _state: *mut bindings::dma_tx_state,
    ) -> bindings::dma_status {
        // Completions are out of order: clients learn of them from their callbacks.
        bindings::dma_status_DMA_OUT_OF_ORDER
    }

    extern "C" fn issue_pending(_chan: *mut bindings::dma_chan) {
        // `tx_submit` hands each descriptor to the hardware.
    }

    extern "C" fn terminate_all(chan: *mut bindings::dma_chan) -> c_int {
        // SAFETY: as in `alloc_chan_resources`.
        let c = unsafe { Channel::<T>::from_chan(chan) };
        let mut st = c.state.lock();
        for (slot, s) in st.slots.iter_mut().enumerate() {
            match *s {
                Slot::Prepared => *s = Slot::Free,
                Slot::Submitted => {
                    // The hardware still has it: its completion frees the slot, without the
                    // callback.
                    // Its client gave it up: the callback is forgotten.
                    // SAFETY: the slot's descriptor is valid; the lock is held.
                    let _forgotten: Callback = unsafe { Callback::take(c.txds[slot].get()) };
                    *s = Slot::Terminated;
                }
                Slot::Free | Slot::Terminated => {}
            }
        }
        0
    }

    extern "C" fn synchronize(chan: *mut bindings::dma_chan) {
        // SAFETY: as in `alloc_chan_resources`.
        let c = unsafe { Channel::<T>::from_chan(chan) };
        if T::HAS_SYNCHRONIZE {
            T::synchronize(c);
        }
    }

    extern "C" fn release(dma: *mut bindings::dma_device) {
        // SAFETY: the core calls this once, for a device registered by `new`, when its last
        // reference is gone: no client or registration uses `inner` any more.
        let inner = unsafe { Self::inner_of(dma) };
        // SAFETY: `inner` was leaked from a `KBox` by `new`.
        drop(unsafe { KBox::from_raw(core::ptr::from_ref(inner).cast_mut()) });
    }
}

impl<T: Driver> Drop for Registration<T> {
    fn drop(&mut self) {
        self.kill();
        let dma = self.inner().dma.get();
        // SAFETY: `dma` was registered by `new`. Unregistering drops the registration's
        // reference, which may free `inner` (`release`): it is not used after.
        unsafe { bindings::dma_async_device_unregister(dma) };
    }
}
