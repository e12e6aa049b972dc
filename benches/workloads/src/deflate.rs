//! Compression: DEFLATE with `miniz_oxide`, both ways.

use alloc::vec::Vec;

use crate::rng::Rng;

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "he",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "one",
    "had",
    "by",
    "word",
    "but",
    "not",
    "what",
    "all",
    "were",
    "we",
    "when",
    "your",
    "can",
    "said",
    "there",
    "use",
    "an",
    "each",
    "which",
    "she",
    "do",
    "how",
    "their",
    "if",
    "will",
    "up",
    "other",
    "about",
    "out",
    "many",
    "then",
    "them",
    "these",
    "so",
    "some",
    "her",
    "would",
    "make",
    "like",
    "him",
    "into",
    "time",
    "has",
    "look",
    "two",
    "more",
    "write",
    "go",
    "see",
    "number",
    "no",
    "way",
    "could",
    "people",
    "my",
    "than",
    "first",
    "water",
    "been",
    "call",
    "who",
    "oil",
    "its",
    "now",
    "find",
    "long",
    "down",
    "day",
    "did",
    "get",
    "come",
    "made",
    "may",
    "part",
    "interpreter",
    "register",
    "bytecode",
    "WebAssembly",
    "kestrel",
    "1984",
    "2025",
    "0x7f",
    "\n",
];

/// `n` KiB of pseudo-random English-like text: words from a list of about a
/// hundred, with a skewed choice, spaces and punctuation.
pub(crate) fn text(n: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let len = n as usize * 1024;
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        // Favour the first words, as in real text.
        let r = rng.below(WORDS.len() as u32);
        let i = rng.below(r + 1);
        out.extend_from_slice(WORDS[i as usize].as_bytes());
        out.push(match rng.below(16) {
            0 => b',',
            1 => b'.',
            _ => b' ',
        });
    }
    out.truncate(len);
    out
}

/// Compresses `n` KiB of generated text at level 6 and decompresses it
/// again; the checksum covers the compressed stream and the round trip.
pub fn run(n: u32) -> u64 {
    let data = text(n, 0x5eed_def1);
    let compressed = miniz_oxide::deflate::compress_to_vec(&data, 6);
    let restored = match miniz_oxide::inflate::decompress_to_vec(&compressed) {
        Ok(restored) => restored,
        Err(_) => return 0,
    };
    let same = u64::from(restored == data);
    crate::fnv1a(&compressed) ^ ((compressed.len() as u64) << 1) ^ same
}
