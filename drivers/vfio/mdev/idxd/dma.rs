// SPDX-License-Identifier: GPL-2.0

//! The host's WQs as dmaengine channels.
//!
//! Each WQ the host keeps (see [`crate::config`]) is a `DMA_MEMCPY` channel of one DMA device
//! per DSA, for clients that ask for a channel (`DMA_PRIVATE`: dmatest, or a driver with a
//! filter). The dedicated WQ takes descriptors with MOVDIR64B; the shared WQ with ENQCMDS,
//! tagged with the kernel PASID. A channel has one descriptor slot per WQ entry (less the
//! entries the self-test jobs may take), so the dedicated WQ, which drops what does not fit,
//! never sees more than it holds. Each slot has its completion record; every descriptor asks
//! for a completion interrupt on its WQ's MSI-X entry (WQ `i` on entry `i + 1`, as the
//! upstream idxd driver numbers them), whose threaded handler reads the records and completes
//! the slots.
//!
//! At unbind ([`HostDma::shutdown`]) the channels die first, so no new descriptor reaches the
//! device; the WQs drain; the interrupts are freed; what completed is reported, the rest as
//! aborted; then the DMA device is unregistered. A client that still holds a channel keeps it,
//! and this module, until it releases it (see [`kernel::dmaengine`]).
//!
//! Lock order: the channel's lock (held around [`Driver::prep_memcpy`] and [`Driver::submit`])
//! is the innermost lock; the threaded handler and the shutdown take none around
//! [`Channel::complete`].

use kernel::{
    device::Bound,
    dma::{Coherent, CoherentBox, DmaAddress},
    dmaengine::{self, Channel, Driver, PrepFlags, Registration, TxResult},
    fmt,
    io::{io_read, io_write, IoBase, MmioBackend},
    irq::{self, IrqRequest, IrqReturn, ThreadedHandler},
    pci, portal,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        barrier::{dma_mb, mb, Read, Write},
        Arc,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
};

use crate::{
    cmd::{Command, IntTable, WqSet},
    config::{KernelWq, WqMode},
    desc::{record, Descriptor, Opcode, Status as CompletionStatus, COMPLETION_BYTES},
    regs::WQ_PORTALS_BYTES,
    Shared,
};

/// WQs the host may keep (see [`crate::config::Plan`]): one dedicated, one shared.
pub(crate) const HOST_WQS: usize = 2;

/// Times an ENQCMDS the device refuses is tried before the submission fails (the first try
/// and 100 retries). The pool never holds more than the WQ, so the shared WQ refuses only
/// while another submitter (a self-test job) fills it.
const ENQCMDS_TRIES: u32 = 101;

// TIMEOUT: the drain at unbind waits for the device (the admin command's own timeout); what
// the channel's synchronize waits for is the completions of descriptors the device already
// has, microseconds on hardware and milliseconds on the emulated device. Five seconds means
// the device is stuck; the slots are then reported aborted.
const SYNC_TIMEOUT: Delta = Delta::from_secs(5);
const SYNC_POLL: Delta = Delta::from_micros(200);

/// Entries of a host WQ left to the self-test jobs (`submit`), which submit to the same WQs.
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
const JOB_ENTRIES: usize = crate::submit::JOB_MAX_DEPTH;
#[cfg(not(CONFIG_VFIO_MDEV_IDXD_SELFTEST))]
const JOB_ENTRIES: usize = 0;

/// Stores `cmd` into the shared WQ portal at `offset` of `io` with ENQCMDS, tried up to `tries`
/// times while the WQ refuses it, each refusal reported to `refused`; [`EBUSY`] if every try
/// was refused. Any other error ends it.
pub(crate) fn enqcmds_tried<'a, IO>(
    io: IO,
    offset: usize,
    cmd: &portal::Command,
    tries: u32,
    mut refused: impl FnMut(),
) -> Result
where
    IO: IoBase<'a, Backend = MmioBackend>,
{
    for _ in 0..tries {
        match portal::enqcmds(io, offset, cmd) {
            Err(e) if e == EAGAIN => refused(),
            other => return other,
        }
    }
    Err(EBUSY)
}

/// The MSI-X table entry of the completions of WQ `wq`.
pub(crate) fn msix_entry(wq: u16) -> u16 {
    wq + 1
}

/// What the host WQs' channels show and share with the rest of the driver, in [`Shared`]:
/// their names and counts (for debugfs), and the interrupt handles of their MSI-X entries,
/// which a DSA 2.0 takes back at a reset and gives again (see [`Shared::reissue_int_handles`]).
pub(crate) struct Status([ChanStatus; HOST_WQS]);

struct ChanStatus {
    /// The handle for the WQ's completions.
    handle: Atomic<u32>,
    /// The core's device and channel numbers (`dma<dev>chan<chan>`), as `dev << 32 | chan`;
    /// negative while the WQ has no channel.
    name: Atomic<i64>,
    slots: Atomic<u64>,
    submitted: Atomic<u64>,
    completed: Atomic<u64>,
    failed: Atomic<u64>,
    aborted: Atomic<u64>,
    enqcmds_retries: Atomic<u64>,
}

impl Status {
    /// No channels; the handles of DSA 1.0, which are the MSI-X entries.
    pub(crate) fn new() -> Self {
        Self(core::array::from_fn(|wq| ChanStatus {
            // `wq` is below `HOST_WQS`.
            handle: Atomic::new(u32::from(msix_entry(wq as u16))),
            name: Atomic::new(-1),
            slots: Atomic::new(0),
            submitted: Atomic::new(0),
            completed: Atomic::new(0),
            failed: Atomic::new(0),
            aborted: Atomic::new(0),
            enqcmds_retries: Atomic::new(0),
        }))
    }

    fn of(&self, wq: u16) -> Option<&ChanStatus> {
        self.0.get(usize::from(wq))
    }

    /// The handle for WQ `wq`'s completions.
    fn handle(&self, wq: u16) -> Option<u16> {
        u16::try_from(self.of(wq)?.handle.load(Relaxed)).ok()
    }

    /// Writes the channels' lines of the `config` file.
    pub(crate) fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (wq, c) in self.0.iter().enumerate() {
            let name = c.name.load(Relaxed);
            if name < 0 {
                continue;
            }
            writeln!(
                f,
                "dma_chan wq {} dma{}chan{} slots {} submitted {} completed {} failed {} \
                 aborted {} enqcmds_retries {}",
                wq,
                name >> 32,
                name & 0xffff_ffff,
                c.slots.load(Relaxed),
                c.submitted.load(Relaxed),
                c.completed.load(Relaxed),
                c.failed.load(Relaxed),
                c.aborted.load(Relaxed),
                c.enqcmds_retries.load(Relaxed),
            )?;
        }
        Ok(())
    }
}

impl Shared {
    /// Reports what the host's channels had in flight as aborted, after a reset of the device
    /// (which completes nothing it had).
    pub(crate) fn abort_dma(&self) {
        let Some(dma) = self.dma_live.lock().clone() else {
            return;
        };
        for chan in dma.reg.channels() {
            chan.data().abort(chan);
        }
    }

    /// Asks a DSA 2.0 for the interrupt handles of the host WQs' completion entries.
    pub(crate) fn request_dma_handles(&self) -> Result {
        if self.caps.version_major < 2 {
            return Ok(());
        }
        for wq in self.plan.wqs() {
            let entry = msix_entry(wq.index);
            let handle = self.exec(Command::RequestIntHandle(IntTable::MsiX, entry))?;
            if let Some(c) = self.dma.of(wq.index) {
                c.handle.store(u32::from(handle), Relaxed);
            }
        }
        Ok(())
    }
}

/// The 64 bytes of a slot's descriptor, written by prep and read by submit (both under the
/// channel's lock).
type Words = [Atomic<u64>; 8];

/// The driver's part of a host WQ's channel.
pub(crate) struct HostChan {
    shared: Arc<Shared>,
    wq: KernelWq,
    /// One completion record per slot.
    records: Coherent<[u8]>,
    descs: KVec<Words>,
    /// Scans of the records that may still complete slots (the interrupt's thread, the
    /// shutdown).
    scanning: Atomic<u32>,
}

impl HostChan {
    /// The WQ's status.
    fn status(&self) -> Option<&ChanStatus> {
        self.shared.dma.of(self.wq.index)
    }

    fn count(&self, counter: impl Fn(&ChanStatus) -> &Atomic<u64>, n: u64) {
        if let Some(c) = self.status() {
            counter(c).fetch_add(n, Relaxed);
        }
    }

    fn record_offset(slot: usize) -> usize {
        slot * COMPLETION_BYTES
    }

    /// The offset in BAR 2 of the WQ's unlimited MSI-X portal.
    fn portal(&self) -> usize {
        usize::from(self.wq.index) * WQ_PORTALS_BYTES
    }

    fn store(&self, slot: usize, cmd: &portal::Command) -> Result {
        let words = self.descs.get(slot).ok_or(EINVAL)?;
        for (i, w) in words.iter().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(cmd.0.get(i * 8..i * 8 + 8).ok_or(EINVAL)?);
            w.store(u64::from_le_bytes(b), Relaxed);
        }
        Ok(())
    }

    fn load(&self, slot: usize) -> Result<portal::Command> {
        let words = self.descs.get(slot).ok_or(EINVAL)?;
        let mut cmd = portal::Command::zeroed();
        for (i, w) in words.iter().enumerate() {
            cmd.0
                .get_mut(i * 8..i * 8 + 8)
                .ok_or(EINVAL)?
                .copy_from_slice(&w.load(Relaxed).to_le_bytes());
        }
        Ok(cmd)
    }

    /// The outcome of slot `slot`'s descriptor if the device wrote its record; the record is
    /// cleared for the next one.
    fn take_outcome(&self, slot: usize) -> Result<Option<TxResult>> {
        let at = Self::record_offset(slot) + record::STATUS;
        let status: u8 = io_read!(&self.records, [try: at]);
        if status == 0 {
            return Ok(None);
        }
        // The status byte is written last: the rest of the record is there.
        dma_mb(Read);
        io_write!(&self.records, [try: at], 0u8);
        Ok(Some(match CompletionStatus::decode(status) {
            CompletionStatus::Success => TxResult::Done,
            // Bit 7 of the status byte: the fault was on a write.
            CompletionStatus::PageFault if status & 0x80 != 0 => TxResult::WriteFailed,
            CompletionStatus::PageFault => TxResult::ReadFailed,
            _ => TxResult::Aborted,
        }))
    }

    /// Reports every slot whose record the device wrote. Returns how many.
    fn scan(&self, chan: &Channel<HostDmaDriver>) -> usize {
        self.scanning.fetch_add(1, Relaxed);
        let mut n = 0;
        for slot in 0..chan.slots() {
            if let Ok(Some(result)) = self.take_outcome(slot) {
                match result {
                    TxResult::Done => self.count(|c| &c.completed, 1),
                    _ => self.count(|c| &c.failed, 1),
                }
                chan.complete(slot, result);
                n += 1;
            }
        }
        self.scanning.fetch_sub(1, Relaxed);
        n
    }

    /// Reports what the device finished, and the rest of what it had as aborted.
    fn abort(&self, chan: &Channel<HostDmaDriver>) -> usize {
        self.scan(chan);
        let n = chan.abort_outstanding();
        self.count(|c| &c.aborted, n as u64);
        if n > 0 {
            dev_warn!(
                self.shared.pdev,
                "WQ {}: {} descriptors did not complete; reported aborted\n",
                self.wq.index,
                n
            );
        }
        n
    }
}

/// The dmaengine driver of the host's WQs.
pub(crate) struct HostDmaDriver;

#[vtable]
impl Driver for HostDmaDriver {
    type Chan = HostChan;

    fn prep_memcpy(
        chan: &HostChan,
        slot: usize,
        dst: DmaAddress,
        src: DmaAddress,
        len: usize,
        _flags: PrepFlags,
    ) -> Result {
        let s = &chan.shared;
        let size = u32::try_from(len).map_err(|_| EINVAL)?;
        if size == 0 || u64::from(size) > s.caps.max_xfer_bytes {
            return Err(EINVAL);
        }
        // Every descriptor raises its completion: the records are read on it.
        let handle = s.dma.handle(chan.wq.index).ok_or(EINVAL)?;
        let offset = HostChan::record_offset(slot);
        let cmd = Descriptor {
            pasid: s.pasid,
            privileged: true,
            opcode: Opcode::Memmove as u8,
            completion: chan.records.dma_address() + offset as DmaAddress,
            src,
            dst,
            size,
            int_handle: Some(handle),
        }
        .encode()?;
        io_write!(&chan.records, [try: offset + record::STATUS], 0u8);
        chan.store(slot, &cmd)
    }

    fn submit(chan: &HostChan, slot: usize) -> Result {
        let cmd = chan.load(slot)?;
        let bar = chan.shared.bar2.try_access().ok_or(ENODEV)?;
        // The cleared record and the client's source reach memory before the device reads
        // the descriptor (a portal store is not ordered after earlier stores).
        mb(Write);
        match chan.wq.mode {
            WqMode::Dedicated => portal::movdir64b(&*bar, chan.portal(), &cmd)?,
            WqMode::Shared => enqcmds_tried(&*bar, chan.portal(), &cmd, ENQCMDS_TRIES, || {
                chan.count(|c| &c.enqcmds_retries, 1)
            })?,
        }
        chan.count(|c| &c.submitted, 1);
        Ok(())
    }

    fn synchronize(chan: &Channel<Self>) {
        let data = chan.data();
        let start = Instant::<Monotonic>::now();
        while chan.busy() > 0 || data.scanning.load(Relaxed) > 0 {
            if start.elapsed() > SYNC_TIMEOUT {
                data.abort(chan);
                return;
            }
            fsleep(SYNC_POLL);
        }
    }
}

/// The completion interrupt of one host WQ.
struct CompletionIrq {
    dma: Arc<Channels>,
    index: usize,
}

impl ThreadedHandler for CompletionIrq {
    fn handle_threaded(&self) -> IrqReturn {
        match self.dma.reg.channel(self.index) {
            Some(chan) if chan.data().scan(chan) > 0 => IrqReturn::Handled,
            _ => IrqReturn::None,
        }
    }
}

/// The registered DMA device.
pub(crate) struct Channels {
    reg: Registration<HostDmaDriver>,
}

/// The host WQs' channels and their interrupts, from probe to unbind.
pub(crate) struct HostDma<'bound> {
    dma: Arc<Channels>,
    irqs: KVec<Pin<KBox<irq::ThreadedRegistration<'bound, CompletionIrq>>>>,
}

impl<'bound> HostDma<'bound> {
    /// Registers one channel per host WQ of `shared`, with the completion interrupt of each
    /// (`requests`, in the order of the plan's WQs).
    pub(crate) fn new(
        pdev: &'bound pci::Device<Bound>,
        shared: &Arc<Shared>,
        requests: KVec<IrqRequest<'bound>>,
    ) -> Result<Self> {
        let mut chans = KVec::new();
        let mut wq_requests = KVec::new();
        for (wq, request) in shared.plan.wqs().zip(requests) {
            let slots = usize::from(wq.size).saturating_sub(JOB_ENTRIES);
            if slots == 0 {
                dev_warn!(
                    pdev,
                    "WQ {}: no channel (its {} entries are the self-test jobs')\n",
                    wq.index,
                    wq.size
                );
                continue;
            }
            let records = CoherentBox::<[u8]>::zeroed_slice(
                pdev.as_ref(),
                slots * COMPLETION_BYTES,
                GFP_KERNEL,
            )?
            .into();
            let mut descs = KVec::with_capacity(slots, GFP_KERNEL)?;
            for _ in 0..slots {
                descs.push([const { Atomic::new(0u64) }; 8], GFP_KERNEL)?;
            }
            let chan = HostChan {
                shared: shared.clone(),
                wq,
                records,
                descs,
                scanning: Atomic::new(0),
            };
            chans.push((chan, slots), GFP_KERNEL)?;
            wq_requests.push(request, GFP_KERNEL)?;
        }
        if chans.is_empty() {
            return Err(ENODEV);
        }
        shared.request_dma_handles()?;
        let reg = Registration::new(
            pdev.as_ref(),
            dmaengine::Config {
                private: true,
                // Any byte alignment: the device copies bytes.
                copy_align: 0,
            },
            chans,
        )?;
        let dma = Arc::new(Channels { reg }, GFP_KERNEL)?;
        let mut irqs = KVec::new();
        for (index, request) in wq_requests.into_iter().enumerate() {
            let handler = CompletionIrq {
                dma: dma.clone(),
                index,
            };
            irqs.push(
                KBox::pin_init(
                    irq::ThreadedRegistration::new_static(
                        request,
                        irq::Flags::TRIGGER_NONE,
                        c"idxd_vdcm-dma",
                        Ok::<_, Error>(handler),
                    ),
                    GFP_KERNEL,
                )?,
                GFP_KERNEL,
            )?;
        }
        for chan in dma.reg.channels() {
            let (dev, id) = chan.ids();
            let d = chan.data();
            if let Some(c) = d.status() {
                c.slots.store(chan.slots() as u64, Relaxed);
                c.name.store(i64::from(dev) << 32 | i64::from(id), Relaxed);
            }
            dev_info!(
                pdev,
                "WQ {}: channel dma{}chan{} ({} slots)\n",
                d.wq.index,
                dev,
                id,
                chan.slots()
            );
        }
        *shared.dma_live.lock() = Some(dma.clone());
        Ok(Self { dma, irqs })
    }

    /// Ends the channels, before the device is disabled: see the module's documentation.
    pub(crate) fn shutdown(self, shared: &Shared) {
        let Self { dma, mut irqs } = self;
        // The halt recovery no longer sees the channels (and its reference, which the
        // channels' own reference to `shared` would keep in a cycle, is gone).
        drop(shared.dma_live.lock().take());
        dma.reg.kill();
        for chan in dma.reg.channels() {
            let wq = chan.data().wq.index;
            // Best effort: what the device does not finish is reported aborted below.
            if let Ok(set) = WqSet::one(wq) {
                let _ = shared.exec(Command::DrainWqs(set));
            }
        }
        // Freeing an interrupt waits for its thread.
        while let Some(irq) = irqs.pop() {
            drop(irq);
        }
        for chan in dma.reg.channels() {
            let data = chan.data();
            data.abort(chan);
            if shared.caps.version_major >= 2 {
                if let Some(h) = shared.dma.handle(data.wq.index) {
                    // Best effort: the reset at unbind drops all handles anyway.
                    let _ = shared.exec(Command::ReleaseIntHandle(IntTable::MsiX, h));
                }
            }
            if let Some(c) = data.status() {
                c.name.store(-1, Relaxed);
            }
        }
        // The last reference: the DMA device is unregistered.
        drop(dma);
    }
}
