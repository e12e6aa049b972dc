//! Parsing a text format: JSON with `serde_json` and `serde`'s derive.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Serialize, Deserialize)]
struct Record {
    id: u32,
    name: String,
    email: String,
    active: bool,
    score: f64,
    tags: Vec<String>,
    position: Point,
    note: Option<String>,
}

const TAGS: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "wasm", "rust", "no_std", "edge", "server", "tiny",
];

/// A JSON array of `n` records, written by hand (not by serde) so parsing
/// sees the formatting a person or another program would produce: spaces,
/// newlines, escapes, negative numbers and fractions.
fn document(n: u32) -> String {
    let mut rng = Rng::new(0x5eed_1503);
    let mut s = String::with_capacity(n as usize * 200);
    s.push_str("[\n");
    for id in 0..n {
        let tags: Vec<&str> = (0..rng.below(5))
            .map(|_| TAGS[rng.below(TAGS.len() as u32) as usize])
            .collect();
        let _ = write!(
            s,
            "  {{\"id\": {id}, \"name\": \"user {} \\\"{}\\\"\", \"email\": \"u{id}@example.org\", \
             \"active\": {}, \"score\": {}.{:03}, \"tags\": [",
            rng.next_u32() % 10_000,
            TAGS[rng.below(TAGS.len() as u32) as usize],
            rng.below(2) == 1,
            rng.below(2000) as i32 - 1000,
            rng.below(1000),
        );
        for (i, t) in tags.iter().enumerate() {
            let _ = write!(s, "{}\"{t}\"", if i > 0 { ", " } else { "" });
        }
        let _ = write!(
            s,
            "], \"position\": {{\"x\": {}, \"y\": {}}}, \"note\": ",
            rng.next_u32() as i32 >> 12,
            rng.next_u32() as i32 >> 12,
        );
        if rng.below(3) == 0 {
            s.push_str("null");
        } else {
            s.push_str("\"line one\\nline two \\u00e9\\t\\\\ end\"");
        }
        s.push_str(if id + 1 < n { "},\n" } else { "}\n" });
    }
    s.push(']');
    s
}

/// Generates a document of `n` records, parses it into structs, aggregates
/// them, and serializes them back to compact JSON.
pub fn run(n: u32) -> u64 {
    let text = document(n);
    let records: Vec<Record> = match serde_json::from_str(&text) {
        Ok(records) => records,
        Err(_) => return 0,
    };
    let mut h = records.len() as u64;
    for r in &records {
        h = h.rotate_left(9)
            ^ u64::from(r.id)
            ^ (r.score.to_bits() >> 3)
            ^ u64::from(r.active)
            ^ ((r.position.x as i64 as u64) << 20)
            ^ (r.position.y as i64 as u64)
            ^ ((r.tags.len() as u64) << 40)
            ^ r.name.len() as u64
            ^ r.email.len() as u64
            ^ r.note.as_ref().map_or(7, |s| s.len() as u64);
    }
    let out = match serde_json::to_string(&records) {
        Ok(out) => out,
        Err(_) => return 1,
    };
    h ^ crate::fnv1a(out.as_bytes()) ^ ((out.len() as u64) << 48)
}
