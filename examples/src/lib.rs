//! Examples of embedding Kestrel; see `src/bin/`.
//!
//! The README's code is compiled and run as a doctest of this crate, so the
//! example it shows cannot go stale.
#![doc = include_str!("../../README.md")]
