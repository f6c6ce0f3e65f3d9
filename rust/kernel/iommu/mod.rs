// SPDX-License-Identifier: GPL-2.0

//! Rust support related to IOMMU.

pub mod pasid;
pub mod pgtable;
