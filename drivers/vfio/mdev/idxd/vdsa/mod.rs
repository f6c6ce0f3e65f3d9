// SPDX-License-Identifier: GPL-2.0

//! The virtual DSA (vDSA): what a guest sees of an assignable device
//! interface, one emulated block per file.
//!
//! A vDSA of type `1dwq-v1` is a DSA 1.0 with one dedicated WQ, backed by one
//! WQ of the parent DSA, whose configuration the host sets and the guest
//! only reads. The blocks below describe the device and do nothing by
//! themselves: they are plain state, changed by the guest's accesses, and
//! they reach the physical WQ and the interrupts only through
//! [`vcmd::Adi`], which the VFIO device implements.
//!
//! - [`cfgspace`]: the PCI configuration space (IDs, BARs, MSI-X, PCI
//!   Express);
//! - [`bar0`]: the control registers;
//! - [`vcmd`]: the virtual command engine behind `CMD`, software errors and
//!   interrupt handle revocation.

pub(crate) mod bar0;
pub(crate) mod cfgspace;
pub(crate) mod vcmd;
