// SPDX-License-Identifier: GPL-2.0

//! Kernel submission: the host's own descriptors through its WQs.
//!
//! A dedicated WQ takes descriptors with MOVDIR64B; the host keeps no more
//! in flight than the WQ holds, so none is dropped. A shared WQ takes them
//! with ENQCMDS, which the device may refuse while the WQ is full; the
//! submission is retried a bounded number of times. Every descriptor asks for
//! a completion record in coherent DMA memory, which the host polls; an error
//! the device cannot report there is a software error, which the interrupt
//! handler records.
//!
//! Operators reach this path through debugfs (`submit`): a job of a few
//! descriptors of one operation, with the results checked byte for byte and
//! the rate reported; it is the device's health check and benchmark.

use core::fmt;
use kernel::{
    device::{Bound, Device},
    dma::{Coherent, CoherentBox},
    io::{poll::read_poll_timeout, Io},
    portal,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed},
        new_mutex, Mutex,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
};

use crate::{
    config::{KernelWq, WqMode},
    desc::{record, Descriptor, Opcode, Status, COMPLETION_BYTES},
    job_irqs::JobVector,
    regs::{SoftwareError, IMS_PORTALS, WQ_PORTALS_BYTES},
    Shared,
};

/// Times an ENQCMDS the device refuses is retried before giving up.
const ENQCMDS_RETRIES: u32 = 1000;

// TIMEOUT: a descriptor of the sizes a job allows (`JOB_MAX_BYTES`) takes
// microseconds on hardware and milliseconds on the emulated device; one
// second means the device is stuck.
const COMPLETION_TIMEOUT: Delta = Delta::from_millis(1000);
/// Busy polling before sleeping between polls of a completion record.
const COMPLETION_SPIN: Delta = Delta::from_micros(100);
const COMPLETION_SLEEP: Delta = Delta::from_micros(50);
/// Time a job waits after its completion interrupts arrived, for late extra
/// ones.
const IRQ_SETTLE: Delta = Delta::from_millis(20);

/// Largest transfer of one job's descriptors.
pub(crate) const JOB_MAX_BYTES: u32 = 16 * 1024;
/// Most descriptors of one job.
pub(crate) const JOB_MAX_COUNT: u32 = 1_000_000;
/// Most descriptors one job keeps in flight.
pub(crate) const JOB_MAX_DEPTH: usize = 8;

/// What a job does with each descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobOp {
    /// Copy a pattern; the destination must equal it.
    Memmove,
    /// Fill with an 8-byte pattern; every byte must match it.
    Fill,
    /// Compare equal buffers, then buffers differing at one byte; the
    /// result and the offset of the difference must be the right ones.
    Compare,
    /// An opcode the device does not have: must fail with the
    /// architected "unsupported opcode" status.
    BadOpcode,
    /// A destination the IOMMU does not map: must fail with a page fault at
    /// that address.
    Fault,
    /// A completion record address the IOMMU does not map: the copy is
    /// done, but the device cannot write the record and must report a
    /// software error (completion record translation fault) naming the WQ,
    /// the opcode and the address. One descriptor at a time, as the device
    /// records one software error until the host clears it.
    BadRecord,
}

impl JobOp {
    fn parse(word: &[u8]) -> Option<Self> {
        Some(match word {
            b"memmove" => Self::Memmove,
            b"fill" => Self::Fill,
            b"compare" => Self::Compare,
            b"badop" => Self::BadOpcode,
            b"fault" => Self::Fault,
            b"badrec" => Self::BadRecord,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Memmove => "memmove",
            Self::Fill => "fill",
            Self::Compare => "compare",
            Self::BadOpcode => "badop",
            Self::Fault => "fault",
            Self::BadRecord => "badrec",
        }
    }
}

/// How a job's descriptors signal their completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobIrq {
    /// No interrupt: the host polls the completion records.
    Poll,
    /// An interrupt on each of the host's IMS job vectors in turn.
    Ims,
    /// An interrupt on the first IMS job vector (kernel PASID).
    Ims1,
    /// An interrupt on the host's MSI-X completion vector.
    MsiX,
}

/// A job written to the `submit` file:
/// `<op> <dwq|swq> <bytes> <count> [ims|ims1|msix]`.
///
/// With `ims` or `ims1`, the descriptors go through the WQ's IMS portal and
/// ask for a completion interrupt on the host's IMS job vectors (see
/// [`crate::ims`]); with `msix`, through the MSI-X portal on the host's
/// completion vector. Each descriptor's interrupt is waited for, and each
/// vector's handler must count exactly the completions it may raise:
/// descriptors naming a vector of another PASID must complete with "invalid
/// interrupt handle" and raise nothing, a masked vector nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Job {
    pub(crate) op: JobOp,
    pub(crate) mode: WqMode,
    pub(crate) bytes: u32,
    pub(crate) count: u32,
    /// How descriptors signal their completion.
    pub(crate) irq: JobIrq,
}

impl Job {
    /// Parses a job, refusing anything else with `EINVAL`.
    pub(crate) fn parse(text: &[u8]) -> Result<Self> {
        let mut words = text
            .split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        let op = words.next().and_then(JobOp::parse).ok_or(EINVAL)?;
        let mode = match words.next().ok_or(EINVAL)? {
            b"dwq" => WqMode::Dedicated,
            b"swq" => WqMode::Shared,
            _ => return Err(EINVAL),
        };
        let mut number = || -> Result<u32> {
            let w = words.next().ok_or(EINVAL)?;
            let s = core::str::from_utf8(w).map_err(|_| EINVAL)?;
            s.parse::<u32>().map_err(|_| EINVAL)
        };
        let bytes = number()?;
        let count = number()?;
        let irq = match words.next() {
            None => JobIrq::Poll,
            Some(b"ims") => JobIrq::Ims,
            Some(b"ims1") => JobIrq::Ims1,
            Some(b"msix") => JobIrq::MsiX,
            Some(_) => return Err(EINVAL),
        };
        if words.next().is_some()
            || (irq != JobIrq::Poll && op == JobOp::BadRecord)
            || !(1..=JOB_MAX_BYTES).contains(&bytes)
            || !(1..=JOB_MAX_COUNT).contains(&count)
        {
            return Err(EINVAL);
        }
        Ok(Self {
            op,
            mode,
            bytes,
            count,
            irq,
        })
    }
}

/// The outcome of the last job, as the `submit` file shows it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JobReport {
    pub(crate) job: Option<Job>,
    pub(crate) wq: u16,
    pub(crate) done: u32,
    pub(crate) failed: u32,
    pub(crate) retries: u64,
    pub(crate) elapsed_ns: u64,
    /// Status of the first failure (0: none).
    pub(crate) first_status: u8,
    /// Error that stopped the job (0: none).
    pub(crate) errno: i32,
    /// Completion interrupts counted by the IMS vectors' handlers, and
    /// expected.
    pub(crate) irqs: u64,
    pub(crate) irqs_expected: u64,
}

impl fmt::Display for JobReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(job) = self.job else {
            return writeln!(f, "no job yet");
        };
        let per_s = (u64::from(self.done) * 1_000_000_000)
            .checked_div(self.elapsed_ns)
            .unwrap_or(0);
        writeln!(
            f,
            "op={} wq={} mode={} bytes={} count={} done={} failed={} first_status={:#04x} \
             errno={} enqcmds_retries={} ns={} desc_per_s={} kib_per_s={}",
            job.op.name(),
            self.wq,
            job.mode.name(),
            job.bytes,
            job.count,
            self.done,
            self.failed,
            self.first_status,
            self.errno,
            self.retries,
            self.elapsed_ns,
            per_s,
            per_s * u64::from(job.bytes) / 1024
        )?;
        if job.irq != JobIrq::Poll {
            writeln!(f, "irqs={} irqs_expected={}", self.irqs, self.irqs_expected)?;
        }
        Ok(())
    }
}

/// The source pattern of descriptor `seq`, byte `i`.
fn pattern(seq: u32, i: usize) -> u8 {
    // Truncation intended: a byte that changes with the offset and the
    // descriptor.
    (i as u32)
        .wrapping_mul(31)
        .wrapping_add(seq.wrapping_mul(7)) as u8
}

/// The fill pattern of descriptor `seq`.
fn fill_pattern(seq: u32) -> u64 {
    0x0123_4567_89ab_cdefu64.rotate_left(seq % 64) ^ u64::from(seq)
}

/// An address no DMA mapping of the kernel covers (above 48 bits of IOVA
/// space, the most the host's domains use).
const UNMAPPED_IOVA: u64 = 0xfff0_0000_0000_0000;
/// An opcode no DSA defines.
const BAD_OPCODE: u8 = 0x3f;
/// Software error of a completion record address that does not translate.
const SWERR_RECORD_FAULT: u8 = 0x1a;
/// Status of a descriptor whose completion interrupt handle is invalid.
const STATUS_INT_HANDLE_INVALID: u8 = 0x19;

/// The buffers and the completion record of one descriptor in flight.
struct Slot {
    src: Coherent<[u8]>,
    dst: Coherent<[u8]>,
    record: Coherent<[u8]>,
}

/// DMA memory for jobs, allocated at probe: buffers for `JOB_MAX_DEPTH`
/// descriptors of `JOB_MAX_BYTES` and their completion records.
pub(crate) struct Pool {
    slots: KVec<Slot>,
}

impl Pool {
    pub(crate) fn new(dev: &Device<Bound>) -> Result<Self> {
        let bytes = JOB_MAX_BYTES as usize;
        let mut slots = KVec::with_capacity(JOB_MAX_DEPTH, GFP_KERNEL)?;
        for _ in 0..JOB_MAX_DEPTH {
            // Coherent allocations are page aligned: the record is 32-byte
            // aligned as the device requires.
            slots.push(
                Slot {
                    src: CoherentBox::<[u8]>::zeroed_slice(dev, bytes, GFP_KERNEL)?.into(),
                    dst: CoherentBox::<[u8]>::zeroed_slice(dev, bytes, GFP_KERNEL)?.into(),
                    record: CoherentBox::<[u8]>::zeroed_slice(dev, COMPLETION_BYTES, GFP_KERNEL)?
                        .into(),
                },
                GFP_KERNEL,
            )?;
        }
        Ok(Self { slots })
    }
}

/// Serialised job state: the pool and the last report.
pub(crate) struct JobState {
    pub(crate) pool: Pool,
    pub(crate) report: JobReport,
}

/// The host's jobs.
#[pin_data]
pub(crate) struct Jobs {
    /// Serialises jobs; their DMA memory and the last report.
    #[pin]
    pub(crate) state: Mutex<JobState>,
    /// Set at unbind: jobs stop submitting.
    stopping: Atomic<bool>,
    /// A job's descriptor never completed: its memory may still be written.
    broken: Atomic<bool>,
}

impl Jobs {
    /// No job yet; jobs use `pool`.
    pub(crate) fn new(pool: Pool) -> impl PinInit<Self> {
        pin_init!(Self {
            state <- new_mutex!(JobState {
                pool,
                report: JobReport::default(),
            }),
            stopping: Atomic::new(false),
            broken: Atomic::new(false),
        })
    }

    /// Makes running jobs stop submitting (at unbind).
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Relaxed);
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Relaxed)
    }
}

/// A completion record as read back.
struct Record([u8; COMPLETION_BYTES]);

/// How the device reported a descriptor's outcome.
enum Outcome {
    /// In its completion record.
    Record(Record),
    /// As a software error.
    SoftwareError(SoftwareError),
}

impl Outcome {
    /// The status or error code, for the report.
    fn code(&self) -> u8 {
        match self {
            Self::Record(r) => r.status(),
            Self::SoftwareError(e) => e.code(),
        }
    }
}

/// Polls `read` until `done`, busy for `COMPLETION_SPIN`, then sleeping
/// until `COMPLETION_TIMEOUT`.
fn poll<T>(read: impl Fn() -> Result<T>, done: impl Fn(&T) -> bool) -> Result<T> {
    read_poll_timeout(&read, &done, Delta::ZERO, COMPLETION_SPIN)
        .or_else(|_| read_poll_timeout(&read, &done, COMPLETION_SLEEP, COMPLETION_TIMEOUT))
}

impl Record {
    fn read(slot: &Slot) -> Self {
        let mut r = [0u8; COMPLETION_BYTES];
        (&slot.record).copy_to_slice(&mut r);
        Self(r)
    }

    fn status(&self) -> u8 {
        self.0[record::STATUS]
    }

    fn result(&self) -> u8 {
        self.0[record::RESULT]
    }

    fn bytes(&self) -> u32 {
        let b = &self.0[record::BYTES..record::BYTES + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn fault_addr(&self) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.0[record::FAULT_ADDR..record::FAULT_ADDR + 8]);
        u64::from_le_bytes(b)
    }
}

impl Shared {
    /// Runs `job` to the end or to the first error that stops it, and
    /// returns its report. Descriptors whose outcome is wrong are counted as
    /// failed; the job goes on.
    pub(crate) fn run_job(&self, pool: &Pool, job: Job) -> JobReport {
        let mut report = JobReport {
            job: Some(job),
            ..Default::default()
        };
        let wq = match job.mode {
            WqMode::Dedicated => self.plan.dedicated,
            WqMode::Shared => self.plan.shared,
        };
        let Some(wq) = wq else {
            report.errno = ENODEV.to_errno();
            return report;
        };
        report.wq = wq.index;
        if self.jobs.broken.load(Relaxed) {
            // A descriptor never completed: the device may still write to
            // the pool.
            report.errno = EIO.to_errno();
            return report;
        }
        if let Err(e) = self.run_job_on(pool, job, &wq, &mut report) {
            report.errno = e.to_errno();
        }
        report
    }

    fn run_job_on(&self, pool: &Pool, job: Job, wq: &KernelWq, report: &mut JobReport) -> Result {
        // The device takes nothing while halted, until recovered; a halt
        // counted from now on took what the job had in flight. (A halt is
        // marked before it is counted: seeing the count, the job sees the
        // mark, unless a recovery cleared it since.)
        let halts = self.halt.halts.load(Acquire);
        if self.halt.halted.load(Relaxed) {
            return Err(EIO);
        }
        let mut scratch = KVec::from_elem(0u8, JOB_MAX_BYTES as usize, GFP_KERNEL)?;
        let vectors = self.ims.with_jobs(|j| j.for_job(job.irq))?;
        let mut counts_before = KVec::with_capacity(vectors.len(), GFP_KERNEL)?;
        for v in vectors.iter() {
            counts_before.push(v.counter.get(), GFP_KERNEL)?;
        }
        let mut irqs_expected = KVec::from_elem(0u64, vectors.len(), GFP_KERNEL)?;
        // With IMS vectors, at most one descriptor per vector is in flight,
        // and its interrupt is waited for before the vector is used again:
        // two messages of one vector before the CPU takes the first would
        // be one interrupt.
        let depth = if job.op == JobOp::BadRecord {
            1
        } else {
            usize::from(wq.size)
                .min(pool.slots.len())
                .min(job.count as usize)
                .min(if job.irq == JobIrq::Poll {
                    usize::MAX
                } else {
                    vectors.len()
                })
        };
        // The vector of descriptor `seq`, and whether it is one the
        // descriptor's work may not raise.
        let target = |seq: u32| {
            let at = (seq as usize).checked_rem(vectors.len())?;
            let v = vectors.get(at)?;
            let refused = v
                .pasid
                .is_some_and(|p| wq.mode == WqMode::Dedicated || p != self.pasid);
            Some((at, v, refused))
        };
        // Descriptor number in each slot, if one is in flight there, and the
        // count of software errors before it was submitted.
        let mut in_flight = [None::<(u32, u32)>; JOB_MAX_DEPTH];

        let start = Instant::<Monotonic>::now();
        let mut unmeasured = Delta::ZERO;
        let mut next = 0u32;
        let mut i = 0usize;
        let mut result = Ok(());
        loop {
            let slot = &pool.slots[i];
            if let Some((seq, swerrs)) = in_flight[i] {
                let outcome = match self.wait_outcome(job.op, slot, swerrs) {
                    Ok(o) => o,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                };
                in_flight[i] = None;
                if let Some((at, v, false)) = target(seq).filter(|(_, v, _)| !v.masked) {
                    let want = irqs_expected.get(at).copied().unwrap_or(0);
                    let before = counts_before.get(at).copied().unwrap_or(0);
                    // A lost interrupt shows in the final check.
                    let _ = poll(|| Ok(v.counter.get().wrapping_sub(before)), |n| *n >= want);
                }
                let t = Instant::<Monotonic>::now();
                let refused = target(seq).is_some_and(|(_, _, r)| r);
                let ok = self.check(job, wq, seq, refused, slot, &outcome, &mut scratch);
                unmeasured += t.elapsed();
                report.done += 1;
                if !ok {
                    report.failed += 1;
                    if report.first_status == 0 {
                        report.first_status = outcome.code();
                    }
                }
            }
            if self.jobs.stopping() {
                result = Err(ECANCELED);
            } else if next < job.count {
                let t = Instant::<Monotonic>::now();
                let handle = target(next).map(|(at, v, refused)| {
                    if let Some(n) = irqs_expected.get_mut(at).filter(|_| !refused && !v.masked) {
                        *n = n.saturating_add(1);
                    }
                    v.handle
                });
                let desc = self
                    .prepare(job, next, slot, &mut scratch)
                    .and_then(|()| self.descriptor(job, next, slot, handle));
                unmeasured += t.elapsed();
                let (swerrs, _) = self.swerr.last();
                if let Err(e) = desc.and_then(|desc| self.submit(job, wq, &desc, report)) {
                    result = Err(e);
                    break;
                }
                in_flight[i] = Some((next, swerrs));
                next += 1;
            }
            if in_flight.iter().all(Option::is_none) && (next == job.count || result.is_err()) {
                break;
            }
            i = (i + 1).checked_rem(depth).unwrap_or(0);
        }
        // Whatever stopped the job, the device must be done with the buffers
        // before they are used again.
        for (slot, entry) in pool.slots.iter().zip(in_flight) {
            let Some((_, swerrs)) = entry else {
                continue;
            };
            if self.wait_outcome(job.op, slot, swerrs).is_err() {
                if self.halt.halts.load(Acquire) != halts {
                    // A halted device writes nothing more, and the reset
                    // that recovers it drops what it held.
                    dev_warn!(self.pdev, "WQ {}: descriptors lost in a halt\n", wq.index);
                    return Err(EIO);
                }
                dev_err!(self.pdev, "WQ {}: a descriptor never completed\n", wq.index);
                self.jobs.broken.store(true, Relaxed);
                return Err(ETIMEDOUT);
            }
        }
        let elapsed = start.elapsed() - unmeasured;
        report.elapsed_ns = u64::try_from(elapsed.as_nanos()).unwrap_or(0);
        if job.irq != JobIrq::Poll {
            self.check_irqs(&vectors, &counts_before, &irqs_expected, report);
        }
        result
    }

    /// Waits for the completion interrupts the job's IMS vectors expect,
    /// then checks that each handler counted exactly those.
    fn check_irqs(
        &self,
        vectors: &[JobVector],
        before: &[u64],
        expected: &[u64],
        report: &mut JobReport,
    ) {
        let counted = || {
            vectors
                .iter()
                .zip(before)
                .map(|(v, b)| v.counter.get().wrapping_sub(*b))
        };
        // The device writes the record before it raises the interrupt.
        let _ = poll(
            || Ok(()),
            |&()| counted().zip(expected).all(|(got, want)| got >= *want),
        );
        // Late extra interrupts would show up here.
        fsleep(IRQ_SETTLE);
        report.irqs_expected = expected.iter().fold(0, |a, n| a.saturating_add(*n));
        report.irqs = counted().fold(0, u64::saturating_add);
        for ((v, got), want) in vectors.iter().zip(counted()).zip(expected) {
            if got != *want {
                dev_err!(
                    self.pdev,
                    "IMS slot {}: {} completion interrupts, expected {}\n",
                    v.slot,
                    got,
                    want
                );
                report.failed += 1;
            }
        }
    }

    /// Fills the buffers of descriptor `seq` and clears its completion
    /// record.
    fn prepare(&self, job: Job, seq: u32, slot: &Slot, scratch: &mut [u8]) -> Result {
        (&slot.record).copy_from_slice(&[0u8; COMPLETION_BYTES]);
        let bytes = job.bytes as usize;
        match job.op {
            JobOp::Memmove | JobOp::Compare | JobOp::BadRecord => {
                for (i, b) in scratch.iter_mut().enumerate() {
                    *b = pattern(seq, i);
                }
                (&slot.src).copy_from_slice(scratch);
                if job.op == JobOp::Compare && seq % 2 == 1 {
                    // Odd descriptors differ at one byte.
                    let at = (seq as usize / 2).checked_rem(bytes).unwrap_or(0);
                    scratch[at] ^= 0xff;
                }
                if job.op != JobOp::Compare {
                    scratch.fill(0);
                }
                (&slot.dst).copy_from_slice(scratch);
            }
            JobOp::Fill => {
                scratch.fill(0);
                (&slot.dst).copy_from_slice(scratch);
            }
            JobOp::BadOpcode | JobOp::Fault => {}
        }
        Ok(())
    }

    fn descriptor(
        &self,
        job: Job,
        seq: u32,
        slot: &Slot,
        int_handle: Option<u16>,
    ) -> Result<portal::Command> {
        let completion = if job.op == JobOp::BadRecord {
            UNMAPPED_IOVA
        } else {
            slot.record.dma_address()
        };
        let (opcode, src, dst) = match job.op {
            JobOp::Memmove | JobOp::BadRecord => (
                Opcode::Memmove as u8,
                slot.src.dma_address(),
                slot.dst.dma_address(),
            ),
            JobOp::Fill => (
                Opcode::Fill as u8,
                fill_pattern(seq),
                slot.dst.dma_address(),
            ),
            JobOp::Compare => (
                Opcode::Compare as u8,
                slot.src.dma_address(),
                slot.dst.dma_address(),
            ),
            JobOp::BadOpcode => (BAD_OPCODE, slot.src.dma_address(), slot.dst.dma_address()),
            JobOp::Fault => (Opcode::Memmove as u8, slot.src.dma_address(), UNMAPPED_IOVA),
        };
        Descriptor {
            pasid: self.pasid,
            privileged: true,
            opcode,
            completion,
            src,
            dst,
            size: job.bytes,
            int_handle,
        }
        .encode()
    }

    /// Stores one descriptor into the WQ's unlimited MSI-X portal, or its
    /// IMS portal for a job with IMS vectors.
    fn submit(
        &self,
        job: Job,
        wq: &KernelWq,
        cmd: &portal::Command,
        report: &mut JobReport,
    ) -> Result {
        let offset = usize::from(wq.index) * WQ_PORTALS_BYTES
            + match job.irq {
                JobIrq::Ims | JobIrq::Ims1 => IMS_PORTALS,
                JobIrq::Poll | JobIrq::MsiX => 0,
            };
        let bar = self.bar2.try_access().ok_or(ENXIO)?;
        match wq.mode {
            WqMode::Dedicated => portal::movdir64b(&*bar, offset, cmd),
            WqMode::Shared => {
                crate::dma::enqcmds_tried(&*bar, offset, cmd, ENQCMDS_RETRIES, || {
                    report.retries += 1
                })
            }
        }
    }

    /// Waits for the outcome of the descriptor in flight in `slot`: its
    /// completion record, or for a [`JobOp::BadRecord`] the software error
    /// after the `swerrs` seen before it was submitted.
    fn wait_outcome(&self, op: JobOp, slot: &Slot, swerrs: u32) -> Result<Outcome> {
        let outcome = if op == JobOp::BadRecord {
            poll(|| Ok(self.swerr.last()), |(n, _)| *n != swerrs)
                .map(|(_, e)| Outcome::SoftwareError(e))
        } else {
            poll(|| Ok(Record::read(slot)), |r| r.status() != 0).map(Outcome::Record)
        };
        outcome.inspect_err(|_| dev_err!(self.pdev, "a descriptor did not complete in time\n"))
    }

    /// Checks the outcome of completed descriptor `seq`.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        job: Job,
        wq: &KernelWq,
        seq: u32,
        refused: bool,
        slot: &Slot,
        outcome: &Outcome,
        scratch: &mut [u8],
    ) -> bool {
        // Whether the destination's first `job.bytes` bytes are `expected(i)`.
        let mut dst_is = |expected: &dyn Fn(usize) -> u8| {
            (&slot.dst).copy_to_slice(scratch);
            scratch[..job.bytes as usize]
                .iter()
                .enumerate()
                .all(|(i, &b)| b == expected(i))
        };
        let rec = match outcome {
            Outcome::Record(rec) => rec,
            Outcome::SoftwareError(e) => {
                return job.op == JobOp::BadRecord
                    && e.code() == SWERR_RECORD_FAULT
                    && e.wq().map(u16::from) == Some(wq.index)
                    && e.opcode() == Some(Opcode::Memmove as u8)
                    && e.e0.fault_rw().into_bool()
                    && e.fault_addr == UNMAPPED_IOVA
                    && dst_is(&|i| pattern(seq, i));
            }
        };
        let status = Status::decode(rec.status());
        // Work that succeeds but names a vector it may not raise.
        if refused && matches!(job.op, JobOp::Memmove | JobOp::Fill | JobOp::Compare) {
            return status == Status::Error(STATUS_INT_HANDLE_INVALID);
        }
        match job.op {
            JobOp::Memmove => status == Status::Success && dst_is(&|i| pattern(seq, i)),
            JobOp::Fill => {
                let pat = fill_pattern(seq).to_le_bytes();
                status == Status::Success && dst_is(&|i| pat[i % 8])
            }
            JobOp::Compare => {
                if seq % 2 == 0 {
                    status == Status::Success && rec.result() == 0
                } else {
                    let expected = (seq / 2).checked_rem(job.bytes).unwrap_or(0);
                    status == Status::Success && rec.result() == 1 && rec.bytes() == expected
                }
            }
            JobOp::BadOpcode => status == Status::Error(0x10),
            JobOp::Fault => status == Status::PageFault && rec.fault_addr() == UNMAPPED_IOVA,
            // The device wrote a record at an address it must not reach.
            JobOp::BadRecord => false,
        }
    }
}
