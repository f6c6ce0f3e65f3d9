// SPDX-License-Identifier: GPL-2.0

//! Migration (the VFIO migration uAPI, version 2) and DMA dirty logging.
//!
//! A device that migrates sets [`Operations::MIGRATION_FLAGS`] (`MIGRATION_STOP_COPY` at least)
//! and implements [`Operations::migration_set_state`], [`Operations::migration_get_state`] and
//! [`Operations::migration_data_size`]: all three, or none (checked when the device is
//! registered). The VFIO core handles `VFIO_DEVICE_FEATURE` itself and calls them with no lock
//! held; the driver serialises them with a lock of its own, and walks a request to a distant
//! state one arc at a time with [`Device::next_migration_state`].
//!
//! A device that reports the pages its DMA dirtied implements [`Operations::log_start`],
//! [`Operations::log_stop`] and [`Operations::log_read_and_clear`] (all three, or none).
//!
//! # The data files
//!
//! The device state travels through a file the driver creates when the device enters a state
//! that transfers data: [`MigrationStream::saving`] (`STOP_COPY`: userspace reads the stream) or
//! [`MigrationStream::resuming`] (`RESUMING`: userspace writes it). The driver returns the
//! [`MigrationFile`] to the VFIO core, which installs it as the file descriptor it hands
//! userspace, and keeps the [`MigrationStream`] to end the file when the device leaves that
//! state, is reset or closed ([`MigrationStream::disable`]), and to take the stream it was given
//! ([`MigrationStream::finish`]).
//!
//! A data file may outlive the device, its last close and its removal: userspace holds the file
//! descriptor as long as it likes. So the file owns what it serves (the stream's bytes, the
//! position, whether it is ended, the check of a resuming stream) and holds no reference to the
//! device; the driver reaches the file, never the other way round. Once ended, the file's reads
//! and writes fail with `ENODEV`. The file holds a reference to the driver's module, whose code
//! the check is.
//!
//! # Lock order
//!
//! The driver's migration lock (taken in `migration_set_state`), then the file's lock (taken by
//! [`MigrationStream`]'s methods, and by the file's `read(2)` and `write(2)`), then `mmap_lock`
//! (the file's reads and writes copy from and to user memory under its lock). So the driver must
//! not take its migration lock where `mmap_lock` is held (in [`Operations::mmap`], for example),
//! and the check of a resuming stream runs under the file's lock and reaches no device.
//!
//! C header: [`include/linux/vfio.h`](srctree/include/linux/vfio.h)

use super::{flags, operations::VTable, Device, Operations};
use crate::{
    alloc::KVVec,
    bindings,
    error::{from_err_ptr, to_result},
    module::this_module,
    new_mutex,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex},
    types::ForeignOwnable,
    uaccess::{UserPtr, UserSlice, UserSliceReader, UserSliceWriter},
};
use core::{marker::PhantomData, mem::ManuallyDrop, ops::RangeInclusive, ptr::NonNull};

/// A state of the migration state machine (`enum vfio_device_mig_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MigState {
    /// An arc failed and left the device in an unknown state; only `VFIO_DEVICE_RESET` leaves it.
    Error = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_ERROR,
    /// Stopped: no DMA, no interrupts, no change of the device's state.
    Stop = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_STOP,
    /// Running normally.
    Running = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_RUNNING,
    /// Stopped, with the device state readable from the saving data file.
    StopCopy = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_STOP_COPY,
    /// Stopped, loading the device state written to the resuming data file.
    Resuming = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_RESUMING,
    /// Running, but issuing no peer-to-peer DMA and no interrupts (`MIGRATION_P2P`).
    RunningP2p = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_RUNNING_P2P,
    /// Running, with the device state readable ahead of the stop (`MIGRATION_PRE_COPY`).
    PreCopy = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_PRE_COPY,
    /// [`MigState::PreCopy`] without peer-to-peer DMA (both flags).
    PreCopyP2p = bindings::vfio_device_mig_state_VFIO_DEVICE_STATE_PRE_COPY_P2P,
}

impl MigState {
    /// The migration flags a device needs to support the state.
    pub const fn required_flags(self) -> u32 {
        match self {
            Self::RunningP2p => flags::MIGRATION_P2P,
            Self::PreCopy => flags::MIGRATION_PRE_COPY,
            Self::PreCopyP2p => flags::MIGRATION_PRE_COPY | flags::MIGRATION_P2P,
            _ => 0,
        }
    }
}

impl TryFrom<u32> for MigState {
    type Error = Error;

    /// Decodes a state from userspace: `EINVAL` if it names none.
    fn try_from(v: u32) -> Result<Self> {
        const ALL: [MigState; 8] = [
            MigState::Error,
            MigState::Stop,
            MigState::Running,
            MigState::StopCopy,
            MigState::Resuming,
            MigState::RunningP2p,
            MigState::PreCopy,
            MigState::PreCopyP2p,
        ];
        ALL.into_iter().find(|&s| s as u32 == v).ok_or(EINVAL)
    }
}

impl<T: Operations> Device<T> {
    /// Returns the next state on the way from `cur` to `new`: a single arc of the state machine
    /// the device supports, through `vfio_mig_get_next_state()`.
    ///
    /// Fails with `EINVAL` if the device does not support `cur` or `new`, or if no path leads to
    /// `new` (from [`MigState::Error`], for example).
    pub fn next_migration_state(&self, cur: MigState, new: MigState) -> Result<MigState> {
        let supported = |s: MigState| s.required_flags() & !T::MIGRATION_FLAGS == 0;
        // The C function warns about an unsupported current state, a bug of the driver that
        // this refuses instead.
        if !supported(cur) || !supported(new) {
            return Err(EINVAL);
        }
        let mut next = 0;
        // SAFETY: The device is valid for the call; `next` is a valid place for the result.
        to_result(unsafe {
            bindings::vfio_mig_get_next_state(self.as_raw(), cur as u32, new as u32, &mut next)
        })?;
        MigState::try_from(next)
    }
}

/// What a data file holds.
struct Stream {
    /// Saving: the whole stream. Resuming: the bytes written so far.
    data: KVVec<u8>,
    /// Saving: the next byte to read.
    pos: usize,
    /// Resuming: the most bytes the stream may have.
    max: usize,
    /// The device left the state the file serves: reads and writes fail with `ENODEV`.
    ended: bool,
    /// Resuming: a write was refused, and with it the stream.
    refused: bool,
}

/// Checks the first `data.len()` bytes of a stream written to a resuming file.
type Check = KBox<dyn Fn(&[u8]) -> Result + Send + Sync>;

/// The part of a data file that both the file and the driver's [`MigrationStream`] reach.
#[pin_data]
struct DataFile {
    #[pin]
    stream: Mutex<Stream>,
    /// Resuming: the check of each write.
    check: Option<Check>,
}

impl DataFile {
    fn read(&self, writer: &mut UserSliceWriter) -> Result<usize> {
        let mut s = self.stream.lock();
        if s.ended {
            return Err(ENODEV);
        }
        let pos = s.pos;
        let n = writer.len().min(s.data.len() - pos);
        writer.write_slice(&s.data[pos..pos + n])?;
        s.pos = pos + n;
        Ok(n)
    }

    fn write(&self, reader: &mut UserSliceReader) -> Result<usize> {
        let mut s = self.stream.lock();
        if s.ended {
            return Err(ENODEV);
        }
        if s.refused {
            return Err(EINVAL);
        }
        let n = reader.len();
        let start = s.data.len();
        let Some(end) = start.checked_add(n).filter(|&end| end <= s.max) else {
            // Longer than any stream the driver takes.
            s.refused = true;
            return Err(EINVAL);
        };
        s.data.resize(end, 0, GFP_KERNEL)?;
        if let Err(e) = reader.read_slice(&mut s.data[start..]) {
            s.data.truncate(start);
            return Err(e);
        }
        if let Some(Err(e)) = self.check.as_ref().map(|check| check(&s.data)) {
            s.refused = true;
            return Err(e);
        }
        Ok(n)
    }
}

/// The driver's handle of a data file (see the module documentation).
pub struct MigrationStream(Arc<DataFile>);

impl MigrationStream {
    /// Creates a data file from which userspace reads `data`, then end of file.
    pub fn saving<T: Operations>(data: KVVec<u8>) -> Result<(Self, MigrationFile)> {
        Self::create::<T>(data, 0, None)
    }

    /// Creates a data file to which userspace writes a stream of at most `max` bytes.
    ///
    /// Each write appends to the stream, whose first bytes, all written so far, `check` then
    /// checks: a write past `max` bytes, or one the check refuses, fails with `EINVAL`, and so
    /// does every later one. The check runs under the file's lock, and may run after the
    /// device is gone: it must reach no device.
    pub fn resuming<T: Operations>(
        max: usize,
        check: impl Fn(&[u8]) -> Result + Send + Sync + 'static,
    ) -> Result<(Self, MigrationFile)> {
        let check = KBox::new(check, GFP_KERNEL)? as Check;
        Self::create::<T>(KVVec::new(), max, Some(check))
    }

    fn create<T: Operations>(
        data: KVVec<u8>,
        max: usize,
        check: Option<Check>,
    ) -> Result<(Self, MigrationFile)> {
        let resuming = check.is_some();
        let data = Arc::pin_init(
            pin_init!(DataFile {
                stream <- new_mutex!(Stream {
                    data,
                    pos: 0,
                    max,
                    ended: false,
                    refused: false,
                }),
                check,
            }),
            GFP_KERNEL,
        )?;
        let private = data.clone().into_foreign();
        let mode = if resuming {
            bindings::O_WRONLY
        } else {
            bindings::O_RDONLY
        };
        // SAFETY: The name is a C string and the operations live forever. The file owns
        // `private` from now on: its `release` callback gives it back.
        let file = unsafe {
            bindings::anon_inode_getfile(
                c"vfio_mig".as_char_ptr(),
                FileVTable::<T>::FOPS_REF,
                private,
                mode as c_int,
            )
        };
        let file = match from_err_ptr(file) {
            Ok(file) => file,
            Err(e) => {
                // SAFETY: No file was created, so `private` is still ours, from `into_foreign`.
                drop(unsafe { Arc::<DataFile>::from_foreign(private) });
                return Err(e);
            }
        };
        // SAFETY: `file` is a new file that nobody else uses yet. `stream_open` marks it a
        // stream (no position, no seeking) and cannot fail.
        unsafe { bindings::stream_open((*file).f_inode, file) };
        // INVARIANT: The reference from `anon_inode_getfile` is ours.
        // SAFETY: `file` is not an error pointer, so not null.
        let file = MigrationFile(unsafe { NonNull::new_unchecked(file) });
        Ok((Self(data), file))
    }

    /// Ends the file: its reads and writes fail with `ENODEV` from now on.
    pub fn disable(&self) {
        self.0.stream.lock().ended = true;
    }

    /// Ends a resuming file and returns the stream written to it, or `EINVAL` if a write was
    /// refused.
    pub fn finish(&self) -> Result<KVVec<u8>> {
        let mut s = self.0.stream.lock();
        let was_ended = core::mem::replace(&mut s.ended, true);
        if was_ended || s.refused {
            return Err(EINVAL);
        }
        Ok(core::mem::take(&mut s.data))
    }
}

/// A data file, as [`Operations::migration_set_state`] returns it to the VFIO core.
///
/// # Invariants
///
/// `self.0` is a file created by [`MigrationStream`], and we own one reference to it.
pub struct MigrationFile(NonNull<bindings::file>);

// SAFETY: A reference to a file may be dropped on any thread.
unsafe impl Send for MigrationFile {}

impl MigrationFile {
    /// Gives the reference to the caller.
    fn into_raw(self) -> *mut bindings::file {
        ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Drop for MigrationFile {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant) and give it back once.
        unsafe { bindings::fput(self.0.as_ptr()) };
    }
}

/// The `file_operations` of a data file of a `Device<T>`.
struct FileVTable<T: Operations>(PhantomData<T>);

impl<T: Operations> FileVTable<T> {
    const FOPS: bindings::file_operations = bindings::file_operations {
        // A resuming file calls the driver's check, so it pins the driver's module.
        owner: this_module::<T::OwnerModule>().as_ptr(),
        read: Some(Self::read),
        write: Some(Self::write),
        release: Some(Self::release),
        ..pin_init::zeroed()
    };

    const FOPS_REF: &'static bindings::file_operations = &Self::FOPS;

    /// # Safety
    ///
    /// `file` must be a data file created by [`MigrationStream`] with these operations, not yet
    /// released, and the result must not be used after the file operation returns.
    unsafe fn data<'a>(file: *mut bindings::file) -> ArcBorrow<'a, DataFile> {
        // SAFETY: `private_data` is the `Arc<DataFile>` given to `anon_inode_getfile` (safety
        // requirements), given back only by `release`, which runs after every read and write of
        // the file has returned.
        unsafe { Arc::<DataFile>::borrow((*file).private_data) }
    }

    /// # Safety
    ///
    /// Only the VFS may call it, as the `read` operation of a file with `FOPS`.
    unsafe extern "C" fn read(
        file: *mut bindings::file,
        buf: *mut c_char,
        count: usize,
        _ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: `file` is a data file with these operations, in one of its operations.
        let data = unsafe { Self::data(file) };
        let mut writer = UserSlice::new(UserPtr::from_ptr(buf.cast()), count).writer();
        match data.read(&mut writer) {
            // At most `count`, which the VFS bounds by `MAX_RW_COUNT`.
            Ok(n) => n as isize,
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// Only the VFS may call it, as the `write` operation of a file with `FOPS`.
    unsafe extern "C" fn write(
        file: *mut bindings::file,
        buf: *const c_char,
        count: usize,
        _ppos: *mut bindings::loff_t,
    ) -> isize {
        // SAFETY: `file` is a data file with these operations, in one of its operations.
        let data = unsafe { Self::data(file) };
        let mut reader = UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), count).reader();
        match data.write(&mut reader) {
            // At most `count`, which the VFS bounds by `MAX_RW_COUNT`.
            Ok(n) => n as isize,
            Err(e) => e.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// Only the VFS may call it, as the `release` operation of a file with `FOPS`.
    unsafe extern "C" fn release(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: `private_data` is the `Arc<DataFile>` given to `anon_inode_getfile`, given back
        // here once: no operation of the file runs any more.
        drop(unsafe { Arc::<DataFile>::from_foreign((*file).private_data) });
        0
    }
}

/// The IOVA ranges whose dirty pages [`Operations::log_start`] starts logging, disjoint.
pub struct LogRanges<'a> {
    root: *mut bindings::rb_root_cached,
    count: u32,
    _p: PhantomData<&'a bindings::rb_root_cached>,
}

impl LogRanges<'_> {
    /// The number of ranges (at least 1).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The ranges, first to last IOVA of each, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = RangeInclusive<u64>> + '_ {
        let mut node: *mut bindings::interval_tree_node = core::ptr::null_mut();
        let mut first = true;
        core::iter::from_fn(move || {
            node = if first {
                first = false;
                // SAFETY: `root` is the VFIO core's tree, valid while `self` is borrowed.
                unsafe { bindings::interval_tree_iter_first(self.root, 0, c_ulong::MAX) }
            } else if node.is_null() {
                return None;
            } else {
                // SAFETY: `node` is a node of the tree, which does not change while `self` is
                // borrowed.
                unsafe { bindings::interval_tree_iter_next(node, 0, c_ulong::MAX) }
            };
            // SAFETY: A non-null `node` is a valid node of the tree.
            let n = unsafe { node.as_ref() }?;
            Some(n.start as u64..=n.last as u64)
        })
    }
}

/// The dirty bitmap userspace asked [`Operations::log_read_and_clear`] to fill, for the IOVA
/// range `[iova, iova + length)` given with it.
pub struct IovaBitmap<'a> {
    bitmap: NonNull<bindings::iova_bitmap>,
    iova: u64,
    length: u64,
    _p: PhantomData<&'a mut bindings::iova_bitmap>,
}

impl IovaBitmap<'_> {
    /// Marks the pages of `[iova, iova + length)` dirty, as far as they are in the bitmap's range
    /// (the rest is ignored).
    pub fn set(&mut self, iova: u64, length: u64) {
        let start = iova.max(self.iova);
        let end = iova
            .saturating_add(length)
            .min(self.iova.saturating_add(self.length));
        if start >= end {
            return;
        }
        // SAFETY: The bitmap is valid while `self` is borrowed, and `[start, end)` is inside the
        // range it covers. Both fit in `unsigned long` and `size_t`, as the VFIO core checked
        // `iova + length <= ULONG_MAX`.
        unsafe {
            bindings::iova_bitmap_set(
                self.bitmap.as_ptr(),
                start as c_ulong,
                (end - start) as usize,
            )
        };
    }
}

impl<T: Operations> VTable<T> {
    const MIG_OPS: bindings::vfio_migration_ops = bindings::vfio_migration_ops {
        migration_set_state: Some(Self::migration_set_state),
        migration_get_state: Some(Self::migration_get_state),
        migration_get_data_size: Some(Self::migration_get_data_size),
    };

    const LOG_OPS: bindings::vfio_log_ops = bindings::vfio_log_ops {
        log_start: Some(Self::log_start),
        log_stop: Some(Self::log_stop),
        log_read_and_clear: Some(Self::log_read_and_clear),
    };

    /// The migration operations of the device, if it migrates.
    pub(super) const MIG_OPS_REF: Option<&'static bindings::vfio_migration_ops> = {
        let all =
            T::HAS_MIGRATION_SET_STATE && T::HAS_MIGRATION_GET_STATE && T::HAS_MIGRATION_DATA_SIZE;
        let any =
            T::HAS_MIGRATION_SET_STATE || T::HAS_MIGRATION_GET_STATE || T::HAS_MIGRATION_DATA_SIZE;
        assert!(
            all == any,
            "implement all three migration operations, or none"
        );
        assert!(
            all == (T::MIGRATION_FLAGS & flags::MIGRATION_STOP_COPY != 0),
            "a device that migrates supports MIGRATION_STOP_COPY, and one that does not sets no flag"
        );
        assert!(
            T::MIGRATION_FLAGS
                & !(flags::MIGRATION_STOP_COPY | flags::MIGRATION_P2P | flags::MIGRATION_PRE_COPY)
                == 0,
            "unknown migration flag"
        );
        if all {
            Some(&Self::MIG_OPS)
        } else {
            None
        }
    };

    /// The DMA logging operations of the device, if it logs.
    pub(super) const LOG_OPS_REF: Option<&'static bindings::vfio_log_ops> = {
        let all = T::HAS_LOG_START && T::HAS_LOG_STOP && T::HAS_LOG_READ_AND_CLEAR;
        let any = T::HAS_LOG_START || T::HAS_LOG_STOP || T::HAS_LOG_READ_AND_CLEAR;
        assert!(
            all == any,
            "implement all three DMA logging operations, or none"
        );
        if all {
            Some(&Self::LOG_OPS)
        } else {
            None
        }
    };

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `migration_set_state` callback of `VTable<T>`.
    unsafe extern "C" fn migration_set_state(
        vdev: *mut bindings::vfio_device,
        new: bindings::vfio_device_mig_state,
    ) -> *mut bindings::file {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match MigState::try_from(new).and_then(|new| T::migration_set_state(dev, new)) {
            Ok(Some(file)) => file.into_raw(),
            Ok(None) => core::ptr::null_mut(),
            Err(e) => e.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `migration_get_state` callback of `VTable<T>`,
    /// with `state` valid for writes.
    unsafe extern "C" fn migration_get_state(
        vdev: *mut bindings::vfio_device,
        state: *mut bindings::vfio_device_mig_state,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match T::migration_get_state(dev) {
            Ok(s) => {
                // SAFETY: `state` is valid for writes (safety requirements).
                unsafe { *state = s as u32 };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `migration_get_data_size` callback of
    /// `VTable<T>`, with `size` valid for writes.
    unsafe extern "C" fn migration_get_data_size(
        vdev: *mut bindings::vfio_device,
        size: *mut c_ulong,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match T::migration_data_size(dev) {
            Ok(n) => {
                // SAFETY: `size` is valid for writes (safety requirements).
                unsafe { *size = n as c_ulong };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `log_start` callback of `VTable<T>`, with `ranges`
    /// a tree of `nnodes` disjoint ranges and `page_size` valid for reads and writes.
    unsafe extern "C" fn log_start(
        vdev: *mut bindings::vfio_device,
        ranges: *mut bindings::rb_root_cached,
        nnodes: u32,
        page_size: *mut u64,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let ranges = LogRanges {
            root: ranges,
            count: nnodes,
            _p: PhantomData,
        };
        // SAFETY: `page_size` is valid for reads and writes during the callback (safety
        // requirements).
        let page_size = unsafe { &mut *page_size };
        match T::log_start(dev, &ranges, page_size) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `log_stop` callback of `VTable<T>`.
    unsafe extern "C" fn log_stop(vdev: *mut bindings::vfio_device) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match T::log_stop(dev) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `log_read_and_clear` callback of `VTable<T>`,
    /// with `dirty` the bitmap of the IOVA range `[iova, iova + length)`.
    unsafe extern "C" fn log_read_and_clear(
        vdev: *mut bindings::vfio_device,
        iova: c_ulong,
        length: c_ulong,
        dirty: *mut bindings::iova_bitmap,
    ) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let Some(bitmap) = NonNull::new(dirty) else {
            return EINVAL.to_errno();
        };
        let mut bitmap = IovaBitmap {
            bitmap,
            iova: iova as u64,
            length: length as u64,
            _p: PhantomData,
        };
        match T::log_read_and_clear(dev, iova as u64, length as u64, &mut bitmap) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}
