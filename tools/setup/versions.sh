# SPDX-License-Identifier: GPL-2.0
# Pinned inputs of the pipeline. Sourced by the setup and build scripts.
# shellcheck shell=bash disable=SC2034 # used by the scripts that source it

: "${VDSA_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/vdsa}"
export VDSA_CACHE

# Kernel: Debian's linux-source package from trixie-backports.
KERNEL_VERSION=7.3.4
KERNEL_DEB_PACKAGE=linux-source-7.3
KERNEL_DEB_VERSION=7.3.4-1~bpo13+1
KERNEL_DEB_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
# Where tools/kernel/prepare.sh keeps the source tarball and the tree.
KERNEL_TARBALL=$VDSA_CACHE/kernel/linux-source-$KERNEL_DEB_VERSION.tar.xz
KERNEL_TREE=$VDSA_CACHE/kernel/linux-$(echo "$KERNEL_DEB_VERSION" | tr '~+' '__')
# The pristine base's list of files and its copies of the files that
# tools/kernel/patches change (checked against patches/base.sha256).
KERNEL_BASE=$VDSA_CACHE/kernel/base-$(echo "$KERNEL_DEB_VERSION" | tr '~+' '__')
# The debug kernel's tree (tools/kernel/debug.config): the same sources,
# built apart so that each configuration stays incremental.
KERNEL_DEBUG_TREE=$KERNEL_TREE-debug
# The benchmarks' kernel's tree (tools/kernel/bench.config).
KERNEL_BENCH_TREE=$KERNEL_TREE-bench

# Top-level kernel directories the project keeps its new kernel files in,
# whole, at their kernel paths: laid over the tree by tools/kernel/prepare.sh
# beside the changes to existing files (tools/kernel/patches), emitted as
# patches by tools/kernel/series.sh.
KERNEL_OVERLAY_DIRS=(rust drivers samples include arch kernel Documentation
	tools/testing tools/include tools/lib)

# LLVM toolchain suffix used for the kernel build (make LLVM=-22).
LLVM_SUFFIX=-22

# bindgen-cli from crates.io.
BINDGEN_VERSION=0.73.2
