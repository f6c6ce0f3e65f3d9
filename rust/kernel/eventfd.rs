// SPDX-License-Identifier: GPL-2.0

//! Eventfd contexts.
//!
//! An eventfd is a file descriptor that userspace waits on and the kernel signals, for example to
//! deliver a virtual interrupt of a VFIO device. This module lets a driver take a reference to
//! the context behind a user-supplied eventfd, signal it, and drop the reference.
//!
//! C header: [`include/linux/eventfd.h`](srctree/include/linux/eventfd.h)

use crate::{
    bindings,
    error::from_err_ptr,
    prelude::*, //
};
use core::ptr::NonNull;

/// A reference to an eventfd context.
///
/// The reference is taken from a file descriptor of the calling process with
/// [`EventFd::from_fd`] and dropped when this object is dropped. The context stays valid even if
/// userspace closes the file descriptor in the meantime.
///
/// # Invariants
///
/// `self.0` points to a valid `struct eventfd_ctx` on which this object owns one reference.
pub struct EventFd(NonNull<bindings::eventfd_ctx>);

// SAFETY: An `eventfd_ctx` reference may be used and dropped from any thread: signalling takes
// the context's own lock and the reference count is atomic.
unsafe impl Send for EventFd {}

// SAFETY: `signal` is the only method taking `&self` and it may be called concurrently.
unsafe impl Sync for EventFd {}

impl EventFd {
    /// Takes a reference to the eventfd context behind the file descriptor `fd` of the current
    /// process.
    ///
    /// Fails with `EBADF` if `fd` is not an open file descriptor and with `EINVAL` if it is not an
    /// eventfd.
    pub fn from_fd(fd: i32) -> Result<Self> {
        // SAFETY: `eventfd_ctx_fdget` accepts any integer; it looks the descriptor up in the
        // current task's file table and returns either a new reference or an error pointer.
        let ctx = from_err_ptr(unsafe { bindings::eventfd_ctx_fdget(fd) })?;
        // INVARIANT: On success `eventfd_ctx_fdget` returns a valid context with a reference that
        // is now ours.
        NonNull::new(ctx).map(Self).ok_or(EINVAL)
    }

    /// Signals the eventfd: adds one to its counter and wakes its waiters.
    pub fn signal(&self) {
        // SAFETY: By the type invariant `self.0` is a valid eventfd context.
        unsafe { bindings::eventfd_signal(self.0.as_ptr()) };
    }
}

impl Drop for EventFd {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own one reference to the context; it is given back
        // here exactly once.
        unsafe { bindings::eventfd_ctx_put(self.0.as_ptr()) };
    }
}
