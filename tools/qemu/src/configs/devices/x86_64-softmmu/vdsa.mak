# Devices of the vDSA emulated machine (configure --with-devices-x86_64=vdsa,
# together with --without-default-devices, which ignores "default y").

# The machine: q35 with the Intel IOMMU and PCIe root ports.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y

# The ACPI builder of q35 pulls in CXL support (ACPI_X86 selects ACPI_CXL).
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y

# The VM runner's --share (virtio-9p over virtio-pci).
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_9P=y

# Tests: isa-debug-exit ends a bare-metal test with a status, and
# enqueue-testdev receives 64-byte direct and enqueue stores.
CONFIG_ISA_DEBUG=y
CONFIG_ENQUEUE_TESTDEV=y

# The emulated Intel Data Streaming Accelerator (hw/dma/intel-dsa.c).
CONFIG_INTEL_DSA=y

# The emulated machine runs this QEMU itself to give a nested guest a
# device through VFIO (vfio-pci, a vDSA's sysfsdev), with the legacy
# container or the iommufd backend.
CONFIG_VFIO=y
CONFIG_VFIO_PCI=y
CONFIG_IOMMUFD=y
