// SPDX-License-Identifier: GPL-2.0

//! DSA control registers (BAR0), declared once.
//!
//! Offsets and fields follow the DSA architecture specification; the upstream
//! C driver's `drivers/dma/idxd/registers.h` describes the same layout. Logic
//! elsewhere uses the typed accessors generated here, never raw shifts.

use kernel::{fmt, io::register, num::Bounded, prelude::*};

register! {
    /// Device version. The whole register reads 0x100 on DSA 1.0 and 0x200
    /// on DSA 2.0: the major version is in bits 15:8.
    pub(crate) VERSION(u32) @ 0x00 {
        /// Major version of the DSA architecture.
        15:8 major;
        /// Minor version of the DSA architecture.
        7:0 minor;
    }

    /// General capabilities.
    pub(crate) GENCAP(u64) @ 0x10 {
        /// Descriptors may ask to block on a page fault.
        0:0 block_on_fault;
        /// Overlapping source and destination are allowed for memory move.
        1:1 overlap_copy;
        /// The cache control flag may direct writes to memory.
        2:2 cache_control_mem;
        /// The cache control flag may direct writes to the cache.
        3:3 cache_control_cache;
        /// The command capabilities register (CMDCAP) is present.
        4:4 cmd_cap;
        /// Destination readback is supported.
        8:8 dest_readback;
        /// Drain descriptors support readback.
        9:9 drain_readback;
        /// Event log support.
        13:12 evl_support;
        /// Batch continuation is supported.
        15:15 batch_continuation;
        /// Log2 of the maximum transfer size in bytes.
        20:16 max_xfer_shift;
        /// Log2 of the maximum number of descriptors in a batch.
        24:21 max_batch_shift;
        /// Size of the interrupt message storage (IMS) in units of 256 entries.
        30:25 max_ims_mult;
        /// The configuration registers are writable (software configures
        /// groups and WQs).
        31:31 config_en;
    }

    /// Work queue capabilities.
    pub(crate) WQCAP(u64) @ 0x20 {
        /// Total number of WQ entries that can be shared among WQs.
        15:0 total_wq_size;
        /// Number of WQs.
        23:16 num_wqs;
        /// Log2 of the WQCFG stride in units of 32 bytes.
        27:24 wqcfg_size;
        /// Shared WQs (ENQCMD/ENQCMDS) are supported.
        48:48 shared_mode;
        /// Dedicated WQs (MOVDIR64B) are supported.
        49:49 dedicated_mode;
        /// WQs can be configured to not use ATS.
        50:50 wq_ats_support;
        /// WQ priority is supported.
        51:51 priority;
        /// WQ occupancy is reported.
        52:52 occupancy;
        /// WQ occupancy interrupts are supported.
        53:53 occupancy_int;
        /// Per-WQ operation configuration is supported.
        54:54 op_config;
        /// WQs can be configured to not use page requests.
        55:55 wq_prs_support;
    }

    /// Group capabilities.
    pub(crate) GRPCAP(u64) @ 0x30 {
        /// Number of groups.
        7:0 num_groups;
        /// Total number of read buffers.
        15:8 total_rdbufs;
        /// Read buffer control is supported.
        16:16 rdbuf_ctrl;
        /// Read buffer limits are supported.
        17:17 rdbuf_limit;
        /// Progress limits are supported.
        18:18 progress_limit;
    }

    /// Engine capabilities.
    pub(crate) ENGCAP(u64) @ 0x38 {
        /// Number of engines.
        7:0 num_engines;
    }

    /// Offsets of the configuration tables, in units of 256 bytes from the
    /// start of BAR0 (first half of the 128-bit register).
    pub(crate) TABLE_OFFSETS(u64) @ 0x60 {
        /// Group configuration table.
        15:0 grpcfg;
        /// WQ configuration table.
        31:16 wqcfg;
        /// MSI-X permissions table.
        47:32 msix_perm;
        /// Interrupt message storage.
        63:48 ims;
    }

    /// General configuration.
    pub(crate) GENCFG(u32) @ 0x80 {
        /// Read buffer limit for all groups.
        7:0 rdbuf_limit;
        /// User-mode interrupts (descriptors from user privilege may ask
        /// for completion interrupts).
        12:12 user_int_en;
        /// Event log enable.
        13:13 evl_en;
    }

    /// General control.
    pub(crate) GENCTRL(u32) @ 0x88 {
        /// Interrupt on a software error.
        0:0 softerr_int_en;
        /// Interrupt when the device halts.
        1:1 halt_int_en;
        /// Interrupt on an event log entry.
        2:2 evl_int_en;
    }

    /// General status.
    pub(crate) GENSTS(u32) @ 0x90 {
        /// Device state.
        1:0 state => DeviceState;
        /// Reset needed to leave the halted state.
        3:2 reset_type;
    }

    /// Interrupt cause; write 1 to clear.
    pub(crate) INTCAUSE(u32) @ 0x98 {
        /// A software error was recorded in SWERR.
        0:0 error;
        /// An admin command completed.
        1:1 command;
        /// A WQ occupancy interrupt fired.
        2:2 occupancy;
        /// A performance counter overflowed.
        3:3 perfmon_overflow;
        /// The device entered the halted state.
        4:4 halt_state;
        /// An event log entry was written.
        5:5 event_log;
        /// Interrupt handles were revoked.
        31:31 int_handle_revoked;
    }

    /// Admin command (writing it starts the command).
    pub(crate) CMD(u32) @ 0xa0 {
        /// Command-specific operand.
        19:0 operand;
        /// Command code.
        24:20 code;
        /// Interrupt (MSI-X vector 0) when the command completes.
        31:31 int_req;
    }

    /// Status of the last admin command.
    pub(crate) CMDSTS(u32) @ 0xa8 {
        /// Error code, 0 on success.
        7:0 err;
        /// Command-specific result (an interrupt handle).
        23:8 result;
        /// The command is still running.
        31:31 active;
    }

    /// Supported admin commands: bit N is set when command code N is.
    pub(crate) CMDCAP(u32) @ 0xb0 {
        31:0 codes;
    }

    /// Operations the device supports (first of four quadwords): bit N is
    /// set when opcode N is.
    pub(crate) OPCAP(u64) @ 0x40 {
        63:0 opcodes;
    }

    /// Software error, first quadword. `valid` and `overflow` are write 1
    /// to clear.
    pub(crate) SWERR0(u64) @ 0xc0 {
        /// An error is recorded.
        0:0 valid;
        /// More errors happened while this one was recorded.
        1:1 overflow;
        /// `operation`, `pasid` and `privileged` describe the descriptor.
        2:2 desc_valid;
        /// `wq_idx` is valid.
        3:3 wq_idx_valid;
        /// The error happened on a descriptor in a batch.
        4:4 batch;
        /// The faulting access was a write.
        5:5 fault_rw;
        /// The descriptor was privileged.
        6:6 privileged;
        /// Error code: a completion status or a submission error.
        15:8 error;
        /// WQ of the descriptor.
        23:16 wq_idx;
        /// Opcode of the descriptor.
        39:32 operation;
        /// PASID of the descriptor.
        59:40 pasid;
    }

    /// Software error, second quadword.
    pub(crate) SWERR1(u64) @ 0xc8 {
        /// Index of the descriptor in its batch.
        15:0 batch_idx;
        /// Invalid flags of the descriptor.
        63:32 invalid_flags;
    }

    /// Software error, third quadword: the faulting address.
    pub(crate) SWERR2(u64) @ 0xd0 {
        63:0 fault_addr;
    }
}

kernel::bitfield! {
    /// WQCFG dword 0: the WQ's share of the device's WQ entries.
    pub(crate) struct WqcfgSize(u32) {
        /// Entries of this WQ.
        15:0 size;
    }
}

kernel::bitfield! {
    /// WQCFG dword 1: occupancy above which the limited portals refuse.
    pub(crate) struct WqcfgThreshold(u32) {
        /// Threshold in entries.
        15:0 threshold;
    }
}

kernel::bitfield! {
    /// WQCFG dword 2: mode, priority, PASID and privilege.
    pub(crate) struct WqcfgMode(u32) {
        /// Dedicated (MOVDIR64B) rather than shared (ENQCMD/ENQCMDS).
        0:0 dedicated;
        /// Block on fault.
        1:1 block_on_fault;
        /// Priority among the WQs of a group, 1 to 15.
        7:4 priority;
        /// PASID of a dedicated WQ's descriptors.
        27:8 pasid;
        /// DMA is tagged with a PASID (required for a shared WQ).
        28:28 pasid_en;
        /// A dedicated WQ's descriptors are privileged; a shared WQ
        /// accepts privileged descriptors.
        29:29 privileged;
    }
}

kernel::bitfield! {
    /// WQCFG dword 3: limits of the WQ's descriptors.
    pub(crate) struct WqcfgLimits(u32) {
        /// Log2 of the largest transfer.
        4:0 max_xfer_shift;
        /// Log2 of the largest batch.
        8:5 max_batch_shift;
    }
}

kernel::bitfield! {
    /// WQCFG dword 6: WQ state.
    pub(crate) struct WqcfgState(u32) {
        /// Occupancy of the WQ.
        15:0 occupancy;
        /// The WQ is enabled.
        31:30 state;
    }
}

kernel::bitfield! {
    /// MSI-X permissions entry (first dword of 8 bytes per MSI-X vector):
    /// who may ask for completion interrupts on the vector.
    pub(crate) struct MsixPerm(u32) {
        /// Descriptors cannot ask for interrupts on this vector.
        2:2 ignore;
        /// Only descriptors with `pasid` may ask for interrupts on it.
        3:3 pasid_en;
        /// PASID allowed to use the vector.
        31:12 pasid;
    }
}

/// WQCFG dwords.
pub(crate) mod wqcfg {
    /// [`super::WqcfgSize`].
    pub(crate) const SIZE: usize = 0;
    /// [`super::WqcfgThreshold`].
    pub(crate) const THRESHOLD: usize = 1;
    /// [`super::WqcfgMode`].
    pub(crate) const MODE: usize = 2;
    /// [`super::WqcfgLimits`].
    pub(crate) const LIMITS: usize = 3;
    /// [`super::WqcfgState`].
    pub(crate) const STATE: usize = 6;
}

/// GRPCFG quadwords: 0 to 3 are the bitmap of the group's WQs, 4 the bitmap
/// of its engines, 5 its flags.
pub(crate) mod grpcfg {
    /// First quadword of the WQ bitmap.
    pub(crate) const WQS: usize = 0;
    /// The engine bitmap.
    pub(crate) const ENGINES: usize = 4;
}

/// Device states reported in `GENSTS.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceState {
    /// Disabled: configuration is writable.
    Disabled,
    /// Enabled.
    Enabled,
    /// Draining, on the way to disabled.
    Draining,
    /// Halted by an error; a reset is needed.
    Halted,
}

impl From<Bounded<u32, 2>> for DeviceState {
    fn from(v: Bounded<u32, 2>) -> Self {
        match v.get() {
            0 => Self::Disabled,
            1 => Self::Enabled,
            2 => Self::Draining,
            _ => Self::Halted,
        }
    }
}

impl From<DeviceState> for Bounded<u32, 2> {
    fn from(s: DeviceState) -> Self {
        match s {
            DeviceState::Disabled => Bounded::<u32, 2>::new::<0>(),
            DeviceState::Enabled => Bounded::<u32, 2>::new::<1>(),
            DeviceState::Draining => Bounded::<u32, 2>::new::<2>(),
            DeviceState::Halted => Bounded::<u32, 2>::new::<3>(),
        }
    }
}

/// Bytes of the portal pages of one WQ in BAR 2: unlimited and limited
/// portals whose descriptors interrupt through MSI-X, then unlimited and
/// limited ones whose descriptors interrupt through IMS.
pub(crate) const WQ_PORTALS_BYTES: usize = 4 * PORTAL_PAGE_BYTES;
/// Offset of the IMS portal pages in a WQ's portal pages.
pub(crate) const IMS_PORTALS: usize = 2 * PORTAL_PAGE_BYTES;
/// Bytes of one portal page.
pub(crate) const PORTAL_PAGE_BYTES: usize = 0x1000;

/// Bytes in one unit of the `TABLE_OFFSETS` fields.
pub(crate) const TABLE_OFFSET_UNIT: usize = 0x100;
/// Bytes of one group's entry in the GRPCFG table.
const GRPCFG_BYTES: usize = 64;
/// Bytes of one IMS entry.
const IMS_ENTRY_BYTES: usize = 16;

/// Smallest WQCFG stride in bytes (`WQCAP.wqcfg_size` counts from it).
const WQCFG_MIN_BYTES: u32 = 32;

/// Why a device's capability registers are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CapsError {
    /// The architecture version is not one this driver knows.
    UnknownVersion(u32),
    /// The device has no WQ, group or engine to configure.
    NoResources,
    /// The WQ entries cannot give each WQ at least one.
    WqSizeTooSmall {
        /// Total WQ entries.
        total: u16,
        /// Number of WQs.
        wqs: u8,
    },
    /// Neither dedicated nor shared WQs are supported.
    NoWqMode,
    /// A capability field holds a value the architecture does not allow.
    Reserved(&'static str),
    /// A configuration table does not fit in BAR0.
    TableOutsideBar(&'static str),
}

impl fmt::Display for CapsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownVersion(v) => write!(f, "unknown DSA version {v:#x}"),
            Self::NoResources => write!(f, "no WQ, group or engine"),
            Self::WqSizeTooSmall { total, wqs } => {
                write!(f, "total WQ size {total} is below the number of WQs {wqs}")
            }
            Self::NoWqMode => write!(f, "neither dedicated nor shared WQs"),
            Self::Reserved(field) => write!(f, "reserved value in {field}"),
            Self::TableOutsideBar(table) => write!(f, "the {table} table lies outside BAR0"),
        }
    }
}

/// Software error: a descriptor was written to a WQ that is not enabled.
pub(crate) const SWERR_WQ_NOT_ENABLED: u8 = 0x31;
/// Software error: a descriptor was written to a dedicated WQ that is full.
pub(crate) const SWERR_WQ_FULL: u8 = 0x32;

/// A software error as the device records it in `SWERR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SoftwareError {
    pub(crate) e0: SWERR0,
    pub(crate) e1: SWERR1,
    /// `SWERR2`: the address of a fault.
    pub(crate) fault_addr: u64,
}

impl SoftwareError {
    /// The error code: a completion status or a submission error.
    pub(crate) fn code(&self) -> u8 {
        self.e0.error().into()
    }

    /// The WQ the error happened on, if the device names it.
    pub(crate) fn wq(&self) -> Option<u8> {
        self.e0
            .wq_idx_valid()
            .into_bool()
            .then(|| self.e0.wq_idx().into())
    }

    /// The opcode of the descriptor, if the device describes it.
    pub(crate) fn opcode(&self) -> Option<u8> {
        self.e0
            .desc_valid()
            .into_bool()
            .then(|| self.e0.operation().into())
    }
}

impl fmt::Display for SoftwareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "software error {:#04x}", self.code())?;
        if self.e0.batch().into_bool() {
            let index: u16 = self.e1.batch_idx().into();
            write!(f, " in a batch (descriptor {index})")?;
        }
        match self.wq() {
            Some(wq) => write!(f, ": WQ {wq}")?,
            None => write!(f, ": no WQ")?,
        }
        if let Some(opcode) = self.opcode() {
            let pasid: u32 = self.e0.pasid().into();
            let who = if self.e0.privileged().into_bool() {
                "privileged"
            } else {
                "user"
            };
            write!(f, ", opcode {opcode:#04x}, PASID {pasid:#x} ({who})")?;
            let flags: u32 = self.e1.invalid_flags().into();
            if flags != 0 {
                write!(f, ", invalid flags {flags:#x}")?;
            }
        }
        if self.fault_addr != 0 {
            let access = if self.e0.fault_rw().into_bool() {
                "write"
            } else {
                "read"
            };
            write!(f, ", {access} fault at {:#x}", self.fault_addr)?;
        }
        if self.e0.overflow().into_bool() {
            write!(f, " (more errors lost)")?;
        }
        Ok(())
    }
}

/// The device's capabilities, decoded and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capabilities {
    /// Major architecture version (1 or 2).
    pub(crate) version_major: u8,
    /// Minor architecture version.
    pub(crate) version_minor: u8,
    /// Largest transfer of one descriptor, in bytes.
    pub(crate) max_xfer_bytes: u64,
    /// Largest batch, in descriptors.
    pub(crate) max_batch_size: u32,
    /// IMS entries the device provides.
    pub(crate) ims_entries: u32,
    /// Software configures groups and WQs.
    pub(crate) configurable: bool,
    /// Number of WQs.
    pub(crate) num_wqs: u8,
    /// Total WQ entries.
    pub(crate) total_wq_size: u16,
    /// Stride of the WQCFG table, in bytes.
    pub(crate) wqcfg_stride: u32,
    /// Dedicated WQs are supported.
    pub(crate) dedicated_wq: bool,
    /// Shared WQs are supported.
    pub(crate) shared_wq: bool,
    /// Number of groups.
    pub(crate) num_groups: u8,
    /// Number of engines.
    pub(crate) num_engines: u8,
}

impl Capabilities {
    /// Decodes the capability registers, refusing values the driver cannot use.
    pub(crate) fn decode(
        version: VERSION,
        gencap: GENCAP,
        wqcap: WQCAP,
        grpcap: GRPCAP,
        engcap: ENGCAP,
    ) -> Result<Self, CapsError> {
        let version_major: u8 = version.major().into();
        if !(1..=2).contains(&version_major) {
            return Err(CapsError::UnknownVersion(version.into_raw()));
        }

        // A transfer of one byte is the smallest meaningful maximum, and the
        // batch size field counts from a batch of one descriptor.
        let max_xfer_shift: u32 = gencap.max_xfer_shift().into();
        let max_batch_shift: u32 = gencap.max_batch_shift().into();
        if max_xfer_shift == 0 {
            return Err(CapsError::Reserved("GENCAP.max_xfer_shift"));
        }

        let num_wqs: u8 = wqcap.num_wqs().into();
        let total_wq_size: u16 = wqcap.total_wq_size().into();
        let num_groups: u8 = grpcap.num_groups().into();
        let num_engines: u8 = engcap.num_engines().into();
        if num_wqs == 0 || num_groups == 0 || num_engines == 0 {
            return Err(CapsError::NoResources);
        }
        if total_wq_size < u16::from(num_wqs) {
            return Err(CapsError::WqSizeTooSmall {
                total: total_wq_size,
                wqs: num_wqs,
            });
        }

        let dedicated_wq = wqcap.dedicated_mode().into_bool();
        let shared_wq = wqcap.shared_mode().into_bool();
        if !dedicated_wq && !shared_wq {
            return Err(CapsError::NoWqMode);
        }

        Ok(Self {
            version_major,
            version_minor: version.minor().into(),
            max_xfer_bytes: 1u64 << max_xfer_shift,
            max_batch_size: 1u32 << max_batch_shift,
            ims_entries: u32::from(u8::from(gencap.max_ims_mult())) * 256,
            configurable: gencap.config_en().into_bool(),
            num_wqs,
            total_wq_size,
            wqcfg_stride: WQCFG_MIN_BYTES << u32::from(wqcap.wqcfg_size()),
            dedicated_wq,
            shared_wq,
            num_groups,
            num_engines,
        })
    }
}

/// Byte offsets in BAR0 of the configuration tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tables {
    /// Group configuration, `GRPCFG_BYTES` per group.
    pub(crate) grpcfg: usize,
    /// WQ configuration, `Capabilities::wqcfg_stride` per WQ.
    pub(crate) wqcfg: usize,
    /// MSI-X permissions, 8 bytes per MSI-X vector.
    pub(crate) msix_perm: usize,
    /// Interrupt message storage, `IMS_ENTRY_BYTES` per entry.
    pub(crate) ims: usize,
}

impl Tables {
    /// Offset in BAR0 of dword `dword` of WQ `wq`'s configuration.
    pub(crate) fn wqcfg_dword(&self, caps: &Capabilities, wq: u16, dword: usize) -> usize {
        self.wqcfg + usize::from(wq) * caps.wqcfg_stride as usize + dword * 4
    }

    /// Offset in BAR0 of quadword `qword` of group `group`'s configuration.
    pub(crate) fn grpcfg_qword(&self, group: u8, qword: usize) -> usize {
        self.grpcfg + usize::from(group) * GRPCFG_BYTES + qword * 8
    }

    /// Decodes `TABLE_OFFSETS`, checking that the group, WQ and IMS tables
    /// fit in a BAR0 of `bar_len` bytes.
    pub(crate) fn decode(
        offsets: TABLE_OFFSETS,
        caps: &Capabilities,
        bar_len: usize,
    ) -> Result<Self, CapsError> {
        let at = |units: u16| usize::from(units) * TABLE_OFFSET_UNIT;
        let tables = Self {
            grpcfg: at(offsets.grpcfg().into()),
            wqcfg: at(offsets.wqcfg().into()),
            msix_perm: at(offsets.msix_perm().into()),
            ims: at(offsets.ims().into()),
        };
        let fits =
            |start: usize, len: usize| start.checked_add(len).is_some_and(|end| end <= bar_len);
        let wqcfg_len = usize::from(caps.num_wqs) * caps.wqcfg_stride as usize;
        if !fits(tables.grpcfg, usize::from(caps.num_groups) * GRPCFG_BYTES) {
            return Err(CapsError::TableOutsideBar("GRPCFG"));
        }
        if !fits(tables.wqcfg, wqcfg_len) {
            return Err(CapsError::TableOutsideBar("WQCFG"));
        }
        if caps.ims_entries > 0 && !fits(tables.ims, caps.ims_entries as usize * IMS_ENTRY_BYTES) {
            return Err(CapsError::TableOutsideBar("IMS"));
        }
        Ok(tables)
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_regs)]
mod tests {
    use super::*;
    use kernel::str::CString;

    // Register values as a DSA 1.0 device with 8 WQs, 4 groups and 4
    // engines reports them.
    const VERSION_1_0: u32 = 0x100;
    // max_xfer_shift 31, max_batch_shift 10, max_ims_mult 8, config_en,
    // cmd_cap, overlap_copy, block_on_fault.
    const GENCAP_1_0: u64 = (1 << 31) | (8 << 25) | (10 << 21) | (31 << 16) | (1 << 4) | 0b11;
    // dedicated + shared modes, wqcfg_size 0, 8 WQs, 128 entries.
    const WQCAP_1_0: u64 = (1 << 49) | (1 << 48) | (8 << 16) | 128;
    const GRPCAP_1_0: u64 = (96 << 8) | 4;
    const ENGCAP_1_0: u64 = 4;

    fn decode(
        version: u32,
        gencap: u64,
        wqcap: u64,
        grpcap: u64,
        engcap: u64,
    ) -> Result<Capabilities, CapsError> {
        Capabilities::decode(
            VERSION::from_raw(version),
            GENCAP::from_raw(gencap),
            WQCAP::from_raw(wqcap),
            GRPCAP::from_raw(grpcap),
            ENGCAP::from_raw(engcap),
        )
    }

    fn logged(e: &SoftwareError) -> Result<CString> {
        CString::try_from_fmt(fmt!("{e}"))
    }

    #[test]
    fn describes_software_errors() -> Result {
        // A completion record the IOMMU does not map (0x1a), written by a
        // privileged MEMMOVE with PASID 1 on WQ 2.
        let e = SoftwareError {
            e0: SWERR0::from_raw(
                1 | 1 << 2 | 1 << 3 | 1 << 5 | 1 << 6 | 0x1a << 8 | 2 << 16 | 3 << 32 | 1 << 40,
            ),
            e1: SWERR1::zeroed(),
            fault_addr: 0xfff0_0000_0000_0000,
        };
        assert_eq!(e.code(), 0x1a);
        assert_eq!(e.wq(), Some(2));
        assert_eq!(e.opcode(), Some(3));
        assert_eq!(
            logged(&e)?.to_bytes(),
            b"software error 0x1a: WQ 2, opcode 0x03, PASID 0x1 (privileged), \
              write fault at 0xfff0000000000000"
        );

        // A submission to a disabled WQ: no descriptor, no address; an
        // overflow.
        let e = SoftwareError {
            e0: SWERR0::from_raw(0b1011 | 0x31 << 8 | 5 << 16 | 0xff << 32),
            e1: SWERR1::zeroed(),
            fault_addr: 0,
        };
        assert_eq!(e.opcode(), None);
        assert_eq!(
            logged(&e)?.to_bytes(),
            b"software error 0x31: WQ 5 (more errors lost)"
        );

        // No WQ, in a batch.
        let e = SoftwareError {
            e0: SWERR0::from_raw(1 | 1 << 4 | 0x11 << 8),
            e1: SWERR1::zeroed().with_batch_idx(7u16),
            fault_addr: 0,
        };
        assert_eq!(e.wq(), None);
        assert_eq!(
            logged(&e)?.to_bytes(),
            b"software error 0x11 in a batch (descriptor 7): no WQ"
        );
        Ok(())
    }

    #[test]
    fn decodes_dsa_1_0() {
        let caps = decode(VERSION_1_0, GENCAP_1_0, WQCAP_1_0, GRPCAP_1_0, ENGCAP_1_0);
        assert_eq!(
            caps,
            Ok(Capabilities {
                version_major: 1,
                version_minor: 0,
                max_xfer_bytes: 1 << 31,
                max_batch_size: 1024,
                ims_entries: 2048,
                configurable: true,
                num_wqs: 8,
                total_wq_size: 128,
                wqcfg_stride: 32,
                dedicated_wq: true,
                shared_wq: true,
                num_groups: 4,
                num_engines: 4,
            })
        );
    }

    #[test]
    fn field_positions_match_the_register_map() {
        // Each field alone, at the bit positions registers.h gives.
        let g = GENCAP::from_raw(0x1f << 16);
        assert_eq!(g.max_xfer_shift().get(), 0x1f);
        assert_eq!(g.max_batch_shift().get(), 0);
        let g = GENCAP::from_raw(0xf << 21);
        assert_eq!(g.max_batch_shift().get(), 0xf);
        assert_eq!(g.max_xfer_shift().get(), 0);
        let g = GENCAP::from_raw(0x3f << 25);
        assert_eq!(g.max_ims_mult().get(), 0x3f);
        assert!(!g.config_en().into_bool());
        let w = WQCAP::from_raw(0xf << 24);
        assert_eq!(w.wqcfg_size().get(), 0xf);
        assert_eq!(w.num_wqs().get(), 0);
        // Setters produce the raw value the device expects.
        let w = WQCAP::zeroed().with_num_wqs(8u8).with_total_wq_size(128u16);
        assert_eq!(w.into_raw(), (8 << 16) | 128);
    }

    #[test]
    fn derived_sizes() {
        // A wider WQCFG stride (DSA 2.0 devices report 1: 64 bytes).
        let caps = decode(
            0x200,
            GENCAP_1_0,
            WQCAP_1_0 | (1 << 24),
            GRPCAP_1_0,
            ENGCAP_1_0,
        );
        assert_eq!(caps.map(|c| (c.version_major, c.wqcfg_stride)), Ok((2, 64)));
        // No IMS.
        let caps = decode(
            VERSION_1_0,
            GENCAP_1_0 & !(0x3f << 25),
            WQCAP_1_0,
            GRPCAP_1_0,
            ENGCAP_1_0,
        );
        assert_eq!(caps.map(|c| c.ims_entries), Ok(0));
    }

    #[test]
    fn table_offsets() {
        let caps = decode(VERSION_1_0, GENCAP_1_0, WQCAP_1_0, GRPCAP_1_0, ENGCAP_1_0);
        let Ok(caps) = caps else {
            panic!("the reference capabilities decode");
        };
        // GRPCFG at 0x400, WQCFG at 0x500, MSI-X permissions at 0x600, IMS
        // at 0x2000 (2048 entries of 16 bytes end at 0xa000).
        let offsets = TABLE_OFFSETS::zeroed()
            .with_grpcfg(4u16)
            .with_wqcfg(5u16)
            .with_msix_perm(6u16)
            .with_ims(0x20u16);
        assert_eq!(
            Tables::decode(offsets, &caps, 0x10000),
            Ok(Tables {
                grpcfg: 0x400,
                wqcfg: 0x500,
                msix_perm: 0x600,
                ims: 0x2000,
            })
        );
        // The IMS table ends past a 32 KiB BAR.
        assert_eq!(
            Tables::decode(offsets, &caps, 0x8000),
            Err(CapsError::TableOutsideBar("IMS"))
        );
        // 8 WQs of 32 bytes end exactly at the end of the BAR.
        let offsets = offsets.with_wqcfg(0xffu16).with_ims(0u16);
        let caps = Capabilities {
            ims_entries: 0,
            ..caps
        };
        assert!(Tables::decode(offsets, &caps, 0xff00 + 8 * 32).is_ok());
        assert_eq!(
            Tables::decode(offsets, &caps, 0xff00 + 8 * 32 - 1),
            Err(CapsError::TableOutsideBar("WQCFG"))
        );
    }

    #[test]
    fn refuses_what_it_cannot_drive() {
        assert_eq!(
            decode(0x300, GENCAP_1_0, WQCAP_1_0, GRPCAP_1_0, ENGCAP_1_0),
            Err(CapsError::UnknownVersion(0x300))
        );
        assert_eq!(
            decode(0x10, GENCAP_1_0, WQCAP_1_0, GRPCAP_1_0, ENGCAP_1_0),
            Err(CapsError::UnknownVersion(0x10))
        );
        assert_eq!(
            decode(
                VERSION_1_0,
                GENCAP_1_0,
                WQCAP_1_0 & !(0xff << 16),
                GRPCAP_1_0,
                ENGCAP_1_0
            ),
            Err(CapsError::NoResources)
        );
        assert_eq!(
            decode(VERSION_1_0, GENCAP_1_0, WQCAP_1_0, GRPCAP_1_0, 0),
            Err(CapsError::NoResources)
        );
        assert_eq!(
            decode(
                VERSION_1_0,
                GENCAP_1_0,
                (WQCAP_1_0 & !0xffff) | 4,
                GRPCAP_1_0,
                ENGCAP_1_0
            ),
            Err(CapsError::WqSizeTooSmall { total: 4, wqs: 8 })
        );
        assert_eq!(
            decode(
                VERSION_1_0,
                GENCAP_1_0,
                WQCAP_1_0 & !(3 << 48),
                GRPCAP_1_0,
                ENGCAP_1_0
            ),
            Err(CapsError::NoWqMode)
        );
        assert_eq!(
            decode(
                VERSION_1_0,
                GENCAP_1_0 & !(0x1f << 16),
                WQCAP_1_0,
                GRPCAP_1_0,
                ENGCAP_1_0
            ),
            Err(CapsError::Reserved("GENCAP.max_xfer_shift"))
        );
    }
}
