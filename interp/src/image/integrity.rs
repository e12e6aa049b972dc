//! The checksum that detects corruption, and the fingerprint of the
//! instruction set an image was built for.

use core::mem::{align_of, size_of};

use super::CHECKSUM_AT;
use crate::isa::Op;

/// CRC-32 (IEEE 802.3, reflected), table-driven.
struct Crc32(u32);

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

impl Crc32 {
    fn new() -> Self {
        Crc32(!0)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = CRC_TABLE[((self.0 ^ b as u32) & 0xff) as usize] ^ (self.0 >> 8);
        }
    }

    fn finish(self) -> u32 {
        !self.0
    }
}

/// The checksum of `image` (exactly the image's bytes), its checksum field
/// read as zero.
pub(super) fn checksum(image: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(image.get(..CHECKSUM_AT).unwrap_or(&[]));
    crc.update(&[0; 4]);
    crc.update(image.get(CHECKSUM_AT + 4..).unwrap_or(&[]));
    crc.finish()
}

/// FNV-1a, usable in constants.
struct Fnv(u64);

impl Fnv {
    const fn bytes(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() {
            self.0 = (self.0 ^ bytes[i] as u64).wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        self
    }

    /// A string, delimited so that ("ab", "c") and ("a", "bc") differ.
    const fn str(self, s: &str) -> Self {
        self.usize(s.len()).bytes(s.as_bytes())
    }

    const fn usize(self, n: usize) -> Self {
        self.bytes(&(n as u64).to_le_bytes())
    }
}

pub(super) const fn isa_fingerprint() -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325)
        .usize(size_of::<Op>())
        .usize(align_of::<Op>())
        .usize(Op::SHAPE.len());
    let mut i = 0;
    while i < Op::SHAPE.len() {
        let (name, fields) = Op::SHAPE[i];
        h = h.str(name).usize(fields.len());
        let mut j = 0;
        while j < fields.len() {
            let (field, size, align) = fields[j];
            h = h.str(field).usize(size).usize(align);
            j += 1;
        }
        i += 1;
    }
    h.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        let mut crc = Crc32::new();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xcbf4_3926);
    }

    #[test]
    fn fingerprint_is_the_constant_and_strings_are_delimited() {
        assert_eq!(isa_fingerprint(), super::super::ISA_FINGERPRINT);
        let a = Fnv(1).str("ab").str("c").0;
        let b = Fnv(1).str("a").str("bc").0;
        assert_ne!(a, b);
    }
}
