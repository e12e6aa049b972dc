# Sourced by ci.sh and footprint.sh: installs what building and running the
# firmware needs, skipping what is already there.
#
# - QEMU: qemu-system-arm (the MPS2 boards) and qemu-system-misc (RISC-V
#   virt), Debian packages, installed one per apt-get call (asking for both
#   at once has failed with a resolver error);
# - the three Rust targets;
# - llvm-tools (llvm-size, llvm-nm, llvm-objdump) for footprint.sh.

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() { # PACKAGE COMMAND: installs PACKAGE unless COMMAND exists
    if command -v "$2" >/dev/null; then
        return
    fi
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -q
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "$1"
}

apt_install qemu-system-arm qemu-system-arm
apt_install qemu-system-misc qemu-system-riscv32
rustup target add thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf

# The LLVM tools that match rustc.
LLVM_TOOLS="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
export LLVM_TOOLS
