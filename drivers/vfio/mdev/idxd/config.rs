// SPDX-License-Identifier: GPL-2.0

//! The configuration the host driver gives a DSA device.
//!
//! Policy, from the module parameters `dwq_size` and `swq_size`: the host
//! keeps at most two WQs for its own work, a dedicated WQ of `dwq_size`
//! entries (MOVDIR64B, WQ 0) and a shared WQ of `swq_size` entries
//! (ENQCMDS, the next WQ); a size of 0 leaves that WQ out. Both go in group 0
//! with every engine. The other WQs and their entries are left for
//! assignable device interfaces: each `1dwq-v1` vDSA takes one of them, and
//! with the module parameter `swq_vdsas`, the last becomes a shared WQ that
//! that many `1swq-v1` vDSAs share ([`AdiSharedWq`]).

use kernel::{fmt, prelude::*};

use crate::regs::{Capabilities, WqcfgLimits, WqcfgMode, WqcfgSize, WqcfgThreshold};

/// How the host submits to a WQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WqMode {
    /// MOVDIR64B; the WQ's own PASID setting tags the DMA.
    Dedicated,
    /// ENQCMDS; each descriptor carries the PASID.
    Shared,
}

impl WqMode {
    /// The mode's name, as debugfs and messages show it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Dedicated => "dedicated",
            Self::Shared => "shared",
        }
    }
}

/// One WQ the host keeps for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KernelWq {
    /// WQ index.
    pub(crate) index: u16,
    /// Submission mode.
    pub(crate) mode: WqMode,
    /// Entries.
    pub(crate) size: u16,
}

/// Group the host's WQs and all engines go in.
pub(crate) const KERNEL_GROUP: u8 = 0;
/// Priority of the host's WQs in their group (1 is the lowest).
pub(crate) const KERNEL_WQ_PRIORITY: u8 = 1;

/// The host's WQs of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The dedicated WQ, if any.
    pub(crate) dedicated: Option<KernelWq>,
    /// The shared WQ, if any.
    pub(crate) shared: Option<KernelWq>,
}

/// Why the policy cannot be applied to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanError {
    /// A WQ mode the device does not support was asked for.
    Unsupported(WqMode),
    /// The sizes asked for exceed the device's WQ entries.
    TooLarge {
        /// Entries asked for.
        asked: u32,
        /// Entries the device has.
        total: u16,
    },
    /// More WQs asked for than the device has.
    TooManyWqs,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported(mode) => write!(f, "the device has no {} WQs", mode.name()),
            Self::TooLarge { asked, total } => write!(
                f,
                "dwq_size + swq_size = {asked} exceeds the device's {total} WQ entries"
            ),
            Self::TooManyWqs => write!(f, "the device has a single WQ"),
        }
    }
}

impl Plan {
    /// Plans the host's WQs of a device with `caps`.
    pub(crate) fn new(
        caps: &Capabilities,
        dwq_size: u32,
        swq_size: u32,
    ) -> Result<Self, PlanError> {
        let asked = dwq_size.saturating_add(swq_size);
        if asked > u32::from(caps.total_wq_size) {
            return Err(PlanError::TooLarge {
                asked,
                total: caps.total_wq_size,
            });
        }
        if dwq_size > 0 && !caps.dedicated_wq {
            return Err(PlanError::Unsupported(WqMode::Dedicated));
        }
        if swq_size > 0 && !caps.shared_wq {
            return Err(PlanError::Unsupported(WqMode::Shared));
        }
        let mut next = 0u16;
        let mut take = |mode, size: u32| -> Result<Option<KernelWq>, PlanError> {
            if size == 0 {
                return Ok(None);
            }
            if next >= u16::from(caps.num_wqs) {
                return Err(PlanError::TooManyWqs);
            }
            let wq = KernelWq {
                index: next,
                mode,
                // Below `total_wq_size`, a `u16`, by the check above.
                size: u16::try_from(size).map_err(|_| PlanError::TooLarge {
                    asked,
                    total: caps.total_wq_size,
                })?,
            };
            next += 1;
            Ok(Some(wq))
        };
        let dedicated = take(WqMode::Dedicated, dwq_size)?;
        let shared = take(WqMode::Shared, swq_size)?;
        Ok(Self { dedicated, shared })
    }

    /// The host's WQs.
    pub(crate) fn wqs(&self) -> impl Iterator<Item = KernelWq> {
        Iterator::chain(self.dedicated.into_iter(), self.shared)
    }

    /// The bitmap of the host's WQs for the first GRPCFG quadword (WQs
    /// 0..63: the host's WQs are the first ones).
    pub(crate) fn group_wqs(&self) -> u64 {
        self.wqs().fold(0, |m, wq| m | (1 << wq.index))
    }

    /// The WQs left for assignable device interfaces: those after the
    /// host's, up to the 64th (the first GRPCFG quadword), each with an
    /// equal share of the entries the host leaves. With `swq_vdsas` and a
    /// device that has shared WQs, the last of them is the shared WQ of that
    /// many vDSAs, at most [`MAX_SWQ_VDSAS`] and at most one per entry.
    /// `None` if there are no such WQs or too few entries for one each.
    pub(crate) fn adi_wqs(&self, caps: &Capabilities, swq_vdsas: u32) -> Option<AdiWqs> {
        let first = self
            .wqs()
            .map(|wq| wq.index.saturating_add(1))
            .max()
            .unwrap_or(0);
        let end = u16::from(caps.num_wqs).min(64);
        let all = end.checked_sub(first).filter(|&c| c > 0)?;
        let used = self.wqs().fold(0u16, |n, wq| n.saturating_add(wq.size));
        let size = caps.total_wq_size.checked_sub(used)?.checked_div(all)?;
        if size == 0 {
            return None;
        }
        let vdsas = u16::try_from(swq_vdsas.min(MAX_SWQ_VDSAS)).ok()?.min(size);
        let shared = (vdsas > 0 && caps.shared_wq).then(|| AdiSharedWq {
            index: end - 1,
            size,
            vdsas,
        });
        Some(AdiWqs {
            first,
            count: all - u16::from(shared.is_some()),
            size,
            shared,
        })
    }
}

/// Most `1swq-v1` vDSAs of one device (`swq_vdsas`).
pub(crate) const MAX_SWQ_VDSAS: u32 = 64;

/// The shared WQ of the `1swq-v1` vDSAs: each has its own host PASID, which
/// the driver writes into every descriptor it submits for the vDSA with
/// ENQCMDS.
///
/// Each vDSA shows a dedicated WQ of [`AdiSharedWq::vdsa_size`] entries, its
/// share of the shared WQ: a guest that keeps to its WQ's size (as a
/// driver must, since a full dedicated WQ drops what it is given) never
/// finds the shared WQ full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdiSharedWq {
    /// The WQ.
    pub(crate) index: u16,
    /// Its entries.
    pub(crate) size: u16,
    /// How many vDSAs share it.
    pub(crate) vdsas: u16,
}

impl AdiSharedWq {
    /// The size of the WQ each vDSA shows: its share of the entries (at
    /// least one: there are no more vDSAs than entries).
    pub(crate) fn vdsa_size(&self) -> u16 {
        (self.size / self.vdsas.max(1)).max(1)
    }

    /// The WQCFG dwords (size, threshold, mode, limits) of the shared WQ:
    /// unprivileged, as each descriptor is, PASIDs enabled, and its limited
    /// portals (the ones the driver submits through) take the whole WQ.
    pub(crate) fn wqcfg(&self, caps: &Capabilities) -> Result<[u32; 4]> {
        let mode = WqcfgMode::zeroed()
            .try_with_priority(KERNEL_WQ_PRIORITY)?
            .with_pasid_en(true)
            .with_privileged(false);
        let limits = limits(caps)?;
        Ok([
            WqcfgSize::zeroed().with_size(self.size).into_raw(),
            WqcfgThreshold::zeroed()
                .with_threshold(self.size)
                .into_raw(),
            mode.into_raw(),
            limits.into_raw(),
        ])
    }
}

/// The WQs of a device that assignable device interfaces take, one each.
///
/// Their size and group (the host's, with every engine) are set with the
/// host's configuration, since neither can change while the device is
/// enabled; the rest of their configuration is written when an interface
/// takes one (see [`adi_wqcfg`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdiWqs {
    /// The first WQ.
    pub(crate) first: u16,
    /// How many WQs, consecutive from `first`.
    pub(crate) count: u16,
    /// Entries of each.
    pub(crate) size: u16,
    /// The shared WQ of the `1swq-v1` vDSAs, after those, if any.
    pub(crate) shared: Option<AdiSharedWq>,
}

impl AdiWqs {
    /// The indices of the WQs.
    pub(crate) fn indices(&self) -> core::ops::Range<u16> {
        self.first..self.first.saturating_add(self.count)
    }

    /// The last WQ.
    pub(crate) fn last(&self) -> u16 {
        self.indices().end.saturating_sub(1)
    }

    /// Their bitmap for the first GRPCFG quadword, the shared WQ's
    /// included.
    pub(crate) fn group_wqs(&self) -> u64 {
        Iterator::chain(self.indices(), self.shared.map(|s| s.index))
            .fold(0, |m, wq| m | 1u64.checked_shl(wq.into()).unwrap_or(0))
    }
}

/// The WQCFG limits of every WQ: the device's largest transfer and batch.
fn limits(caps: &Capabilities) -> Result<WqcfgLimits> {
    WqcfgLimits::zeroed()
        .try_with_max_xfer_shift(caps.max_xfer_bytes.trailing_zeros())?
        .try_with_max_batch_shift(caps.max_batch_size.trailing_zeros())
}

/// The WQCFG dwords (threshold, mode, limits) of an assignable device
/// interface's dedicated WQ: its DMA is tagged with `pasid` (the
/// interface's host PASID), unprivileged, since a first-stage PASID entry
/// of the IOMMU does not take supervisor requests.
pub(crate) fn adi_wqcfg(caps: &Capabilities, pasid: u32) -> Result<[u32; 3]> {
    let threshold = WqcfgThreshold::zeroed();
    let mode = WqcfgMode::zeroed()
        .with_dedicated(true)
        .try_with_priority(KERNEL_WQ_PRIORITY)?
        .try_with_pasid(pasid)?
        .with_pasid_en(true)
        .with_privileged(false);
    let limits = limits(caps)?;
    Ok([threshold.into_raw(), mode.into_raw(), limits.into_raw()])
}

/// The WQCFG dwords (size, threshold, mode, limits) of a host WQ.
pub(crate) fn wqcfg(caps: &Capabilities, wq: &KernelWq) -> Result<[u32; 4]> {
    let size = WqcfgSize::zeroed().with_size(wq.size);
    // A shared WQ's limited portals refuse above the threshold; the host
    // uses the unlimited portal, so the whole WQ is the threshold.
    let threshold = match wq.mode {
        WqMode::Shared => WqcfgThreshold::zeroed().with_threshold(wq.size),
        WqMode::Dedicated => WqcfgThreshold::zeroed(),
    };
    let mode = WqcfgMode::zeroed()
        .with_dedicated(wq.mode == WqMode::Dedicated)
        .try_with_priority(KERNEL_WQ_PRIORITY)?
        // A dedicated WQ's DMA is untagged and goes through the device's DMA
        // API domain; a shared WQ's carries the PASID of each descriptor.
        .with_pasid_en(wq.mode == WqMode::Shared)
        .with_privileged(true);
    let limits = limits(caps)?;
    Ok([
        size.into_raw(),
        threshold.into_raw(),
        mode.into_raw(),
        limits.into_raw(),
    ])
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_config)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        Capabilities {
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
        }
    }

    #[test]
    fn plans_both_wqs() {
        let plan = Plan::new(&caps(), 16, 32);
        assert_eq!(
            plan,
            Ok(Plan {
                dedicated: Some(KernelWq {
                    index: 0,
                    mode: WqMode::Dedicated,
                    size: 16
                }),
                shared: Some(KernelWq {
                    index: 1,
                    mode: WqMode::Shared,
                    size: 32
                }),
            })
        );
        assert_eq!(plan.map(|p| p.group_wqs()), Ok(0b11));
        // Only the shared WQ: it takes WQ 0.
        let plan = Plan::new(&caps(), 0, 8);
        assert_eq!(
            plan.map(|p| (p.dedicated, p.shared.map(|w| w.index))),
            Ok((None, Some(0)))
        );
    }

    #[test]
    fn refuses_what_the_device_lacks() {
        assert_eq!(
            Plan::new(&caps(), 100, 29),
            Err(PlanError::TooLarge {
                asked: 129,
                total: 128
            })
        );
        let no_shared = Capabilities {
            shared_wq: false,
            ..caps()
        };
        assert_eq!(
            Plan::new(&no_shared, 16, 16),
            Err(PlanError::Unsupported(WqMode::Shared))
        );
        assert!(Plan::new(&no_shared, 16, 0).is_ok());
        let one_wq = Capabilities {
            num_wqs: 1,
            ..caps()
        };
        assert_eq!(Plan::new(&one_wq, 4, 4), Err(PlanError::TooManyWqs));
        assert_eq!(
            Plan::new(&caps(), u32::MAX, u32::MAX),
            Err(PlanError::TooLarge {
                asked: u32::MAX,
                total: 128
            })
        );
    }

    #[test]
    fn leaves_wqs_for_adis() {
        let plan = Plan::new(&caps(), 16, 16).unwrap_or(Plan {
            dedicated: None,
            shared: None,
        });
        assert_eq!(
            plan.adi_wqs(&caps(), 0),
            Some(AdiWqs {
                first: 2,
                count: 6,
                size: 16,
                shared: None,
            })
        );
        assert_eq!(plan.adi_wqs(&caps(), 0).map(|a| a.group_wqs()), Some(0xfc));
        // Every entry taken by the host: none left.
        let full = Plan::new(&caps(), 64, 64).unwrap_or(plan);
        assert_eq!(full.adi_wqs(&caps(), 0), None);
        let c = caps();
        assert_eq!(
            adi_wqcfg(&c, 5),
            Ok([0, (1 << 28) | (5 << 8) | (1 << 4) | 1, (10 << 5) | 31])
        );
    }

    #[test]
    fn shares_the_last_adi_wq() {
        let plan = Plan::new(&caps(), 16, 16).unwrap_or(Plan {
            dedicated: None,
            shared: None,
        });
        let shared = AdiSharedWq {
            index: 7,
            size: 16,
            vdsas: 4,
        };
        assert_eq!(
            plan.adi_wqs(&caps(), 4),
            Some(AdiWqs {
                first: 2,
                count: 5,
                size: 16,
                shared: Some(shared),
            })
        );
        assert_eq!(plan.adi_wqs(&caps(), 4).map(|a| a.group_wqs()), Some(0xfc));
        assert_eq!(shared.vdsa_size(), 4);
        assert_eq!(AdiSharedWq { vdsas: 3, ..shared }.vdsa_size(), 5);
        // No more vDSAs than entries: one entry each at least.
        let capped = plan.adi_wqs(&caps(), 1000).and_then(|a| a.shared);
        assert_eq!(capped.map(|s| (s.vdsas, s.vdsa_size())), Some((16, 1)));
        // A device without shared WQs: no shared type.
        let no_shared = Capabilities {
            shared_wq: false,
            ..caps()
        };
        let plan = Plan::new(&no_shared, 16, 0).unwrap_or(plan);
        assert_eq!(plan.adi_wqs(&no_shared, 4).map(|a| a.shared), Some(None));
        // Size 16, threshold 16, priority 1, PASID enabled, unprivileged.
        assert_eq!(
            shared.wqcfg(&caps()),
            Ok([16, 16, (1 << 28) | (1 << 4), (10 << 5) | 31])
        );
    }

    #[test]
    fn encodes_wqcfg() {
        let c = caps();
        let shared = KernelWq {
            index: 1,
            mode: WqMode::Shared,
            size: 32,
        };
        // Size 32, threshold 32, priority 1, PASID enabled, privileged,
        // transfers up to 2^31 bytes and batches up to 2^10.
        assert_eq!(
            wqcfg(&c, &shared),
            Ok([32, 32, (1 << 29) | (1 << 28) | (1 << 4), (10 << 5) | 31])
        );
        let dedicated = KernelWq {
            index: 0,
            mode: WqMode::Dedicated,
            size: 16,
        };
        assert_eq!(
            wqcfg(&c, &dedicated),
            Ok([16, 0, (1 << 29) | (1 << 4) | 1, (10 << 5) | 31])
        );
    }
}
