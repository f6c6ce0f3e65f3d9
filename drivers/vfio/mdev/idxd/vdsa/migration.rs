// SPDX-License-Identifier: GPL-2.0

//! Migration of a vDSA: the VFIO migration state machine with `STOP_COPY`
//! and `P2P`, the stream that carries the guest-visible state, and the DMA
//! dirty log.
//!
//! The vDSA's state is all emulated and guest-visible: the configuration
//! space, the registers, the two vectors' mask and pending bits. Nothing is
//! left inside the device once the physical WQ is disabled, which waits for
//! the descriptors in flight. So:
//!
//! - RUNNING -> RUNNING_P2P quiesces: the vectors freeze (interrupts only
//!   become pending), the physical WQ is disabled if the guest enabled it,
//!   and the device events noted meanwhile are folded into the registers.
//!   From then on BAR0 writes fail with `EBUSY`; reads, the configuration
//!   space, `VFIO_DEVICE_SET_IRQS` and `mmap(2)` still work. RUNNING_P2P and
//!   STOP are the same quiesced device.
//! - STOP -> STOP_COPY saves the state into a stream of [`STREAM_LEN`]
//!   bytes, read from the data file.
//! - STOP -> RESUMING opens a data file whose writes are checked as they
//!   come (see [`decode`]): a bad stream is refused at `write(2)`, before the
//!   VMM starts the guest. RESUMING -> STOP checks it again and applies it.
//!   A guest interrupt handle other than this vDSA's is revoked: forgotten,
//!   with `INTCAUSE` bit 31, which the guest's driver answers by asking for a
//!   new handle.
//! - RUNNING_P2P -> RUNNING enables the physical WQ again if the registers
//!   say so and thaws the vectors; after a stream was applied it also raises
//!   vector 1 once and vector 0 if a cause is pending, since an interrupt
//!   the source raised just before its stop may have been lost on the way.
//!
//! Lock order: the migration lock ([`Migration`]), then the data file's
//! lock, the WQ's owner lock, the command lock (see "Locking" in
//! Documentation/driver-api/vfio/mdev-idxd.rst).

use kernel::{
    alloc::KVVec,
    prelude::*,
    sync::atomic::Relaxed,
    vfio::{self, IovaBitmap, LogRanges, MigState, MigrationFile, MigrationStream},
};

use super::{
    bar0::{self, Backing},
    cfgspace::{ConfigSpace, Identity, USED_DWORDS},
    vcmd, Vdsa, VdsaState,
};

/// The stream's magic.
const MAGIC: [u8; 8] = *b"vDSAmig\0";
/// The stream's major version: a destination refuses any other.
const MAJOR: u16 = 1;
/// The stream's minor version: a destination refuses a newer one.
const MINOR: u16 = 0;
/// Bytes of the header: magic, major, minor, flags, length, CRC32C.
const HEADER_LEN: usize = 8 + 2 + 2 + 4 + 4 + 4;
/// Bytes of the identity and of the backing.
const IDENTITY_LEN: usize = 2 + 2 + 1 + 2 + 2;
const BACKING_LEN: usize = 8 + 4 * 8 + 2 + 1 + 1 + 1;
/// Bytes of a stream of version 1.0.
pub(crate) const STREAM_LEN: usize =
    HEADER_LEN + IDENTITY_LEN + BACKING_LEN + 4 * USED_DWORDS + bar0::State::ENCODED_LEN + 1;

/// Writes little-endian values into a stream.
pub(crate) struct StreamWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl StreamWriter<'_> {
    fn bytes(&mut self, b: &[u8]) {
        // The encoders write exactly `STREAM_LEN` bytes into a buffer of
        // that size; `get_mut` only guards against a miscount.
        if let Some(d) = self.buf.get_mut(self.pos..self.pos + b.len()) {
            d.copy_from_slice(b);
        }
        self.pos += b.len();
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
}

/// Reads little-endian values from a stream whose length was checked.
pub(crate) struct StreamReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl StreamReader<'_> {
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0; N];
        // The caller checked the length; past it, zeros.
        if let Some(s) = self.buf.get(self.pos..self.pos + N) {
            a.copy_from_slice(s);
        }
        self.pos += N;
        a
    }

    pub(crate) fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    pub(crate) fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    pub(crate) fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// A boolean: 0 or 1, `EINVAL` otherwise.
    pub(crate) fn bool(&mut self) -> Result<bool> {
        match self.u8() {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(EINVAL),
        }
    }
}

/// CRC32C (Castagnoli) of `data`, as the stream's header carries it.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let lsb = crc & 1;
            crc = (crc >> 1) ^ (0x82f6_3b78 & 0u32.wrapping_sub(lsb));
        }
    }
    !crc
}

/// Everything of a vDSA that migrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// What the configuration space shows of the parent.
    pub(crate) identity: Identity,
    /// What the registers show of the physical WQ.
    pub(crate) backing: Backing,
    /// The header and capabilities of the configuration space.
    pub(crate) config: [u32; USED_DWORDS],
    /// The registers.
    pub(crate) regs: bar0::State,
    /// Vectors 0 and 1: masked, pending.
    pub(crate) vectors: [(bool, bool); 2],
}

/// Encodes `s` as a stream of version 1.0.
pub(crate) fn encode(s: &Snapshot) -> [u8; STREAM_LEN] {
    let mut buf = [0u8; STREAM_LEN];
    let mut w = StreamWriter {
        buf: &mut buf,
        pos: 0,
    };
    w.bytes(&MAGIC);
    w.u16(MAJOR);
    w.u16(MINOR);
    w.u32(0);
    w.u32(STREAM_LEN as u32);
    // The CRC, filled in below.
    w.u32(0);
    let id = &s.identity;
    w.u16(id.vendor);
    w.u16(id.device);
    w.u8(id.revision);
    w.u16(id.subsystem_vendor);
    w.u16(id.subsystem);
    let b = &s.backing;
    w.u64(b.gencap.into_raw());
    for q in b.opcap {
        w.u64(q);
    }
    w.u16(b.wq_size);
    w.u8(b.priority);
    w.u8(b.max_xfer_shift);
    w.u8(b.max_batch_shift);
    for d in s.config {
        w.u32(d);
    }
    s.regs.encode(&mut w);
    let [(m0, p0), (m1, p1)] = s.vectors;
    w.u8(u8::from(m0) | u8::from(p0) << 1 | u8::from(m1) << 2 | u8::from(p1) << 3);
    let crc = crc32c(&buf[HEADER_LEN..]);
    buf[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
    buf
}

/// Checks the header at the start of `data` (at least [`HEADER_LEN`]
/// bytes): magic, version 1.0, no flags, the length of version 1.0.
fn check_header(data: &[u8]) -> Result {
    let mut r = StreamReader { buf: data, pos: 0 };
    let magic: [u8; 8] = r.array();
    let (major, minor, flags, len) = (r.u16(), r.u16(), r.u32(), r.u32());
    if magic != MAGIC || major != MAJOR || minor > MINOR || flags != 0 || len != STREAM_LEN as u32 {
        return Err(EINVAL);
    }
    Ok(())
}

/// Checks the first bytes of a stream, as they are written: the header once
/// it is complete, everything once the stream is (see [`decode`]).
pub(crate) fn check_prefix(data: &[u8], identity: Identity, backing: &Backing) -> Result {
    if data.len() >= HEADER_LEN {
        check_header(data)?;
    }
    if data.len() == STREAM_LEN {
        decode(data, identity, backing)?;
    }
    Ok(())
}

/// Decodes a stream for a vDSA showing `identity` and `backing`, checking
/// every field: the header, the CRC, the same identity and backing, a
/// configuration space whose read-only bits are this vDSA's, registers in a
/// state the virtual command engine leaves, vector bits that are booleans.
/// Fails with `EINVAL` otherwise.
pub(crate) fn decode(data: &[u8], identity: Identity, backing: &Backing) -> Result<Snapshot> {
    if data.len() != STREAM_LEN {
        return Err(EINVAL);
    }
    check_header(data)?;
    let crc = u32::from_le_bytes([
        data[HEADER_LEN - 4],
        data[HEADER_LEN - 3],
        data[HEADER_LEN - 2],
        data[HEADER_LEN - 1],
    ]);
    if crc != crc32c(&data[HEADER_LEN..]) {
        return Err(EINVAL);
    }
    let mut r = StreamReader {
        buf: data,
        pos: HEADER_LEN,
    };
    let id = Identity {
        vendor: r.u16(),
        device: r.u16(),
        revision: r.u8(),
        subsystem_vendor: r.u16(),
        subsystem: r.u16(),
    };
    let gencap = r.u64();
    let b = Backing {
        gencap: crate::regs::GENCAP::from_raw(gencap),
        opcap: [0; 4].map(|_| r.u64()),
        wq_size: r.u16(),
        priority: r.u8(),
        max_xfer_shift: r.u8(),
        max_batch_shift: r.u8(),
    };
    if id != identity || b != *backing || gencap != backing.gencap.into_raw() {
        return Err(EINVAL);
    }
    let config = [0; USED_DWORDS].map(|_| r.u32());
    ConfigSpace::check_saved(identity, &config)?;
    let regs = bar0::State::decode(&mut r)?;
    let v = r.u8();
    if v & !0xf != 0 {
        return Err(EINVAL);
    }
    let bit = |i: u8| v & (1 << i) != 0;
    Ok(Snapshot {
        identity: id,
        backing: b,
        config,
        regs,
        vectors: [(bit(0), bit(1)), (bit(2), bit(3))],
    })
}

/// The migration state of a vDSA, under its migration lock.
pub(crate) struct Migration {
    /// The state of the VFIO migration state machine.
    state: MigState,
    /// The data file of `STOP_COPY` or `RESUMING`.
    stream: Option<MigrationStream>,
    /// The device was quiesced; RUNNING brings it back.
    quiesced: bool,
    /// A stream was applied since the device was quiesced.
    resumed: bool,
    /// Dirty logging, if started.
    log: Option<DirtyLog>,
}

/// The dirty log: the vDSA's WQ writes guest memory wherever its guest's
/// descriptors say, so it reports every page of a range as dirty unless it
/// knows the WQ has not run since it last reported the range.
struct DirtyLog {
    /// The WQ enables ([`VdsaState::wq_runs`]) when `clean` was started.
    runs: u64,
    /// The WQ was disabled when the log started and has not been enabled
    /// since: it wrote nothing since, every range is clean.
    idle: bool,
    /// Ranges reported since `runs`, while the WQ was disabled: clean until
    /// it is enabled again.
    clean: KVec<(u64, u64)>,
}

/// Ranges remembered as clean at most: a VMM asks for a few ranges, each in
/// a few pieces, at every report; past this, ranges are reported dirty.
const CLEAN_RANGES: usize = 64;

impl Migration {
    /// A vDSA that runs, with no migration in progress.
    pub(crate) const fn new() -> Self {
        Self {
            state: MigState::Running,
            stream: None,
            quiesced: false,
            resumed: false,
            log: None,
        }
    }

    /// Ends the data file, if any.
    fn end_stream(&mut self) {
        if let Some(s) = self.stream.take() {
            s.disable();
        }
    }
}

impl VdsaState {
    /// The state a stream carries, read under the command lock.
    fn snapshot(&self) -> Snapshot {
        let _cmd = self.cmd.lock();
        Snapshot {
            identity: self.identity,
            backing: self.backing,
            config: self.cfg.save(),
            regs: self.regs.state(),
            vectors: [self.vector0.bits(), self.adi.completion.bits()],
        }
    }

    /// RUNNING -> RUNNING_P2P: freezes the vectors, disables the physical
    /// WQ (which waits for what is in flight) and folds in the events noted
    /// meanwhile.
    fn quiesce(&self) -> Result {
        {
            let _cmd = self.cmd.lock();
            self.vector0.freeze();
            self.adi.completion.freeze();
            self.quiesced.store(true, Relaxed);
            // A WQ that is not enabled is left as it is (`phys_wq`); the
            // host logged a command's failure.
            if vcmd::PhysWq::disable_wq(self).is_err() {
                self.quiesced.store(false, Relaxed);
                self.vector0.thaw(false);
                self.adi.completion.thaw(false);
                return Err(EIO);
            }
        }
        // Events of the last descriptors, noted by the parent's interrupt
        // handler: the thread may not have delivered them yet.
        self.adi.deliver();
        Ok(())
    }

    /// RUNNING_P2P -> RUNNING: the physical WQ enabled again if the
    /// registers say so, the vectors thawed; after a stream was applied,
    /// vector 1 raised once and vector 0 if a cause is pending.
    fn unquiesce(&self, resumed: bool) -> Result {
        let _cmd = self.cmd.lock();
        let regs = &self.regs;
        if regs.wq_enabled() && regs.device_state() == crate::regs::DeviceState::Enabled {
            vcmd::PhysWq::enable_wq(self).map_err(|_| EIO)?;
        }
        self.quiesced.store(false, Relaxed);
        if resumed {
            self.adi.completion.fire();
            if regs.state().intcause() != 0 {
                self.vector0.fire();
            }
        }
        self.vector0.thaw(false);
        self.adi.completion.thaw(false);
        Ok(())
    }

    /// RESUMING -> STOP: applies `s` (from [`decode`]); revokes the guest's
    /// interrupt handle if it is not this vDSA's (the interrupt waits in the
    /// frozen vector 0).
    fn apply(&self, s: &Snapshot) {
        let _cmd = self.cmd.lock();
        self.cfg.restore(&s.config);
        self.regs.restore(&s.regs);
        self.vector0.set_bits(s.vectors[0].0, s.vectors[0].1);
        self.adi.completion.set_bits(s.vectors[1].0, s.vectors[1].1);
        if s.regs.int_handle().is_some() && s.regs.int_handle() != self.adi.handle() {
            vcmd::revoke_int_handle(&self.regs, self);
            self.adi.revoked.fetch_add(1, Relaxed);
        }
    }
}

impl Vdsa {
    /// One arc of the state machine, from `mig.state` to `next`.
    fn step(&self, mig: &mut Migration, next: MigState) -> Result<Option<MigrationFile>> {
        use MigState::*;
        let core = &self.core;
        let file = match (mig.state, next) {
            (Running, RunningP2p) => {
                core.quiesce()?;
                mig.quiesced = true;
                None
            }
            (RunningP2p, Running) => {
                core.unquiesce(mig.resumed)?;
                mig.quiesced = false;
                mig.resumed = false;
                None
            }
            (RunningP2p, Stop) | (Stop, RunningP2p) => None,
            (Stop, StopCopy) => {
                let mut data = KVVec::with_capacity(STREAM_LEN, GFP_KERNEL)?;
                data.extend_from_slice(&encode(&core.snapshot()), GFP_KERNEL)?;
                let (stream, file) = MigrationStream::saving::<Self>(data)?;
                mig.stream = Some(stream);
                Some(file)
            }
            (StopCopy, Stop) => {
                mig.end_stream();
                None
            }
            (Stop, Resuming) => {
                let (identity, backing) = (core.identity, core.backing);
                let (stream, file) = MigrationStream::resuming::<Self>(STREAM_LEN, move |d| {
                    check_prefix(d, identity, &backing)
                })?;
                mig.stream = Some(stream);
                Some(file)
            }
            (Resuming, Stop) => {
                // A refused or short stream leaves the device untouched, in
                // RESUMING; VFIO_DEVICE_RESET gets it out.
                let data = mig.stream.take().ok_or(EINVAL)?.finish()?;
                let s = decode(&data, core.identity, &core.backing)?;
                core.apply(&s);
                mig.resumed = true;
                None
            }
            _ => return Err(EINVAL),
        };
        mig.state = next;
        Ok(file)
    }

    /// Moves to `new`, one arc at a time.
    pub(super) fn set_migration_state(
        dev: &vfio::Device<Self>,
        new: MigState,
    ) -> Result<Option<MigrationFile>> {
        let mut mig = dev.mig.lock();
        let mut file = None;
        while mig.state != new {
            let next = dev.next_migration_state(mig.state, new)?;
            // A file of an intermediate state is dropped: the VFIO core
            // returns only the last arc's.
            file = dev.step(&mut mig, next)?;
        }
        Ok(file)
    }

    /// The migration state.
    pub(super) fn migration_state(&self) -> MigState {
        self.mig.lock().state
    }

    /// Back to RUNNING with no migration in progress, for a reset or the
    /// last close: the data file ended, the vectors thawed with what was
    /// pending forgotten. The caller resets the device.
    pub(super) fn end_migration(&self, close: bool) {
        let mut mig = self.mig.lock();
        mig.end_stream();
        mig.state = MigState::Running;
        mig.quiesced = false;
        mig.resumed = false;
        if close {
            mig.log = None;
        }
        self.core.quiesced.store(false, Relaxed);
        self.core.vector0.thaw(true);
        self.core.adi.completion.thaw(true);
    }

    /// Starts the dirty log (`EBUSY` if it runs).
    pub(super) fn log_start(&self, _ranges: &LogRanges<'_>, page_size: &mut u64) -> Result {
        let mut mig = self.mig.lock();
        if mig.log.is_some() {
            return Err(EBUSY);
        }
        // The log is per range, not per page: any page size the bitmap
        // takes works. Give the bitmap's smallest if the one asked is not.
        if *page_size < 4096 || !page_size.is_power_of_two() {
            *page_size = 4096;
        }
        // Under the command lock, the WQ is neither enabled nor disabled.
        let _cmd = self.core.cmd.lock();
        mig.log = Some(DirtyLog {
            runs: self.core.wq_runs.load(Relaxed),
            idle: !self.core.shared.wq_enabled(self.core.adi.wq),
            clean: KVec::new(),
        });
        Ok(())
    }

    /// Stops the dirty log.
    pub(super) fn log_stop(&self) {
        self.mig.lock().log = None;
    }

    /// Reports `[iova, iova + length)` dirty unless the WQ stayed disabled
    /// since the log started or since the range was last reported.
    pub(super) fn log_report(&self, iova: u64, length: u64, dirty: &mut IovaBitmap<'_>) -> Result {
        let mut mig = self.mig.lock();
        let log = mig.log.as_mut().ok_or(EINVAL)?;
        let core = &self.core;
        // Under the command lock, the WQ is neither enabled nor disabled.
        let _cmd = core.cmd.lock();
        let runs = core.wq_runs.load(Relaxed);
        if runs != log.runs {
            log.clean.clear();
            log.runs = runs;
            log.idle = false;
        }
        let running = core.shared.wq_enabled(core.adi.wq);
        let end = iova.saturating_add(length);
        let clean = !running && (log.idle || log.clean.iter().any(|&(a, b)| a <= iova && end <= b));
        if !clean {
            dirty.set(iova, length);
            if !running && log.clean.len() < CLEAN_RANGES {
                log.clean.push((iova, end), GFP_KERNEL)?;
            }
        }
        Ok(())
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_vdsa_migration)]
mod tests {
    use super::*;
    use crate::vdsa::bar0::{fixture::backing, Registers, Written};

    fn identity() -> Identity {
        Identity {
            vendor: 0x8086,
            device: 0x0b25,
            revision: 1,
            subsystem_vendor: 0x8086,
            subsystem: 0,
        }
    }

    /// A snapshot of a vDSA its guest enabled, with an interrupt handle.
    fn snapshot() -> Result<Snapshot> {
        let regs = Registers::new(&backing())?;
        let cfg = ConfigSpace::new(identity());
        cfg.write(4, &[0x06, 0x04])?;
        // GENCTRL: both interrupts.
        assert_eq!(regs.write(0x88, 4, 3)?, Written::Stored);
        let mut s = Snapshot {
            identity: identity(),
            backing: backing(),
            config: cfg.save(),
            regs: regs.state(),
            vectors: [(true, false), (false, true)],
        };
        // The state a stream of an enabled device with a handle holds.
        let mut buf = encode(&s);
        let off = HEADER_LEN + IDENTITY_LEN + BACKING_LEN + 4 * USED_DWORDS;
        buf[off + 4..off + 8].copy_from_slice(&1u32.to_le_bytes());
        buf[off + 60] = 1;
        buf[off + 61] = 1;
        buf[off + 62..off + 64].copy_from_slice(&5u16.to_le_bytes());
        let crc = crc32c(&buf[HEADER_LEN..]);
        buf[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
        s = decode(&buf, identity(), &backing())?;
        Ok(s)
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn round_trip() -> Result {
        let s = snapshot()?;
        assert_eq!(s.regs.int_handle(), Some(5));
        let buf = encode(&s);
        assert_eq!(buf.len(), STREAM_LEN);
        assert_eq!(decode(&buf, identity(), &backing())?, s);
        assert_eq!(check_prefix(&buf, identity(), &backing()), Ok(()));
        Ok(())
    }

    #[test]
    fn every_byte_mutated_is_refused() -> Result {
        let buf = encode(&snapshot()?);
        for i in 0..STREAM_LEN {
            for flip in [0x01u8, 0x80] {
                let mut bad = buf;
                bad[i] ^= flip;
                let refused = decode(&bad, identity(), &backing()) == Err(EINVAL);
                if !refused {
                    pr_err!("byte {i} ^ {flip:#x} accepted\n");
                }
                assert!(refused);
            }
        }
        Ok(())
    }

    /// Each field changed to a value the vDSA cannot be in, with the CRC
    /// made right: refused by the field's check, not only by the CRC.
    #[test]
    fn every_field_checked() -> Result {
        let buf = encode(&snapshot()?);
        let body = HEADER_LEN;
        let regs = body + IDENTITY_LEN + BACKING_LEN + 4 * USED_DWORDS;
        let cases: &[(usize, &[u8])] = &[
            (8, &[2, 0]),                                                   // major
            (10, &[1, 0]),                                                  // minor
            (12, &[1, 0, 0, 0]),                                            // flags
            (16, &[0, 0, 0, 0]),                                            // length
            (body, &[0x87, 0x80]),                                          // vendor
            (body + 4, &[2]),                                               // revision
            (body + IDENTITY_LEN + 40, &[99]),                              // WQ size
            (body + IDENTITY_LEN + BACKING_LEN, &[0xff, 0xff, 0xff, 0xff]), // IDs
            (body + IDENTITY_LEN + BACKING_LEN + 0x10, &[0, 0, 0, 0]),      // BAR0 type
            (regs, &[4, 0, 0, 0]),                                          // GENCTRL event log
            (regs + 4, &[2, 0, 0, 0]),                                      // GENSTS draining
            (regs + 4, &[0, 0, 0, 0]),                                      // disabled, WQ enabled
            (regs + 8, &[4, 0, 0, 0]),                                      // INTCAUSE occupancy
            (regs + 16, &[0, 0, 0, 0x80]),                                  // CMDSTS active
            (regs + 20, &[0x40, 0, 0, 0, 0, 0, 0, 0]),                      // SWERR privileged
            (regs + 20, &[0, 0, 1, 0, 0, 0, 0, 0]),                         // SWERR WQ 1
            (regs + 44, &[1, 0, 0, 0, 0, 0, 0, 0]),                         // SWERR3
            (regs + 52, &[1, 0, 0, 0]),                                     // MSIX_PERM reserved
            (regs + 60, &[2]),         // WQ enabled not a boolean
            (regs + 61, &[0]),         // no handle, handle 5
            (STREAM_LEN - 1, &[0x10]), // vector bits
        ];
        for &(off, bytes) in cases {
            let mut bad = buf;
            bad[off..off + bytes.len()].copy_from_slice(bytes);
            let crc = crc32c(&bad[HEADER_LEN..]);
            bad[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
            let refused = decode(&bad, identity(), &backing()) == Err(EINVAL);
            if bad == buf || !refused {
                pr_err!("offset {off}: {bytes:?} unchanged or accepted\n");
            }
            assert_ne!(bad, buf);
            assert!(refused);
        }
        Ok(())
    }

    #[test]
    fn truncated_and_overlong_refused() -> Result {
        let buf = encode(&snapshot()?);
        for n in 0..STREAM_LEN {
            assert_eq!(decode(&buf[..n], identity(), &backing()), Err(EINVAL));
            // The prefix check accepts what may still become the stream.
            assert_eq!(check_prefix(&buf[..n], identity(), &backing()), Ok(()));
        }
        let mut long = KVec::new();
        long.extend_from_slice(&buf, GFP_KERNEL)?;
        long.push(0, GFP_KERNEL)?;
        assert_eq!(decode(&long, identity(), &backing()), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn another_vdsa_refused() -> Result {
        let buf = encode(&snapshot()?);
        let other = Identity {
            device: 0x11fb,
            ..identity()
        };
        assert_eq!(decode(&buf, other, &backing()), Err(EINVAL));
        let bigger = Backing {
            wq_size: backing().wq_size * 2,
            ..backing()
        };
        assert_eq!(decode(&buf, identity(), &bigger), Err(EINVAL));
        assert_eq!(check_prefix(&buf, identity(), &bigger), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn header_checked_as_soon_as_written() -> Result {
        let mut buf = encode(&snapshot()?);
        buf[0] = b'x';
        assert_eq!(
            check_prefix(&buf[..HEADER_LEN - 1], identity(), &backing()),
            Ok(())
        );
        assert_eq!(
            check_prefix(&buf[..HEADER_LEN], identity(), &backing()),
            Err(EINVAL)
        );
        Ok(())
    }
}
