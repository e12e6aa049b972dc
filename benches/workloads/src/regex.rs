//! Searching text: the meta regex engine of `regex-automata` (what the
//! `regex` crate runs on) over generated web-server log lines.

use alloc::string::String;
use core::fmt::Write;

use regex_automata::meta::Regex;
use regex_automata::{Input, Span};

use crate::rng::Rng;

const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/api/v1/users",
    "/api/v1/orders/42",
    "/static/app.js",
    "/static/style.css",
    "/login",
    "/logout",
    "/search?q=wasm+interpreter",
    "/favicon.ico",
];
const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const LEVELS: &[&str] = &[
    "INFO", "INFO", "INFO", "DEBUG", "WARN", "warning", "ERROR", "Fatal",
];
const STATUS: &[u32] = &[200, 200, 200, 200, 304, 301, 404, 500, 403];
const AGENTS: &[&str] = &[
    "curl/8.5.0",
    "Mozilla/5.0 (X11; Linux x86_64)",
    "kestrel-bench/0.0",
    "Wget/1.21",
];

/// About `n` KiB of log lines in a web server's style.
fn log(n: u32) -> String {
    let mut rng = Rng::new(0x5eed_1095);
    let len = n as usize * 1024;
    let mut s = String::with_capacity(len + 256);
    while s.len() < len {
        let pick =
            |rng: &mut Rng, list: &[&'static str]| list[rng.below(list.len() as u32) as usize];
        let level = pick(&mut rng, LEVELS);
        let _ = write!(
            s,
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z {level} {}.{}.{}.{} \"{} {} HTTP/1.{}\" {} {} \"{}\"",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(256),
            rng.below(256),
            rng.below(256),
            rng.below(256),
            pick(&mut rng, METHODS),
            pick(&mut rng, PATHS),
            rng.below(2),
            STATUS[rng.below(STATUS.len() as u32) as usize],
            rng.below(100_000),
            pick(&mut rng, AGENTS),
        );
        if rng.below(8) == 0 {
            let _ = write!(s, " user=user{}@example.org", rng.below(1000));
        }
        s.push('\n');
    }
    s
}

/// Compiles five patterns (captures, alternations, case folding, Unicode
/// classes) and scans `n` KiB of log lines with each; the checksum covers
/// the count and positions of the matches and some captured numbers.
pub fn run(n: u32) -> u64 {
    let text = log(n);
    let patterns = [
        r#""(GET|POST|PUT|DELETE) (/[^ "]*) HTTP/1\.[01]" (\d{3}) (\d+)"#,
        r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b",
        r"(?i)\b(?:error|warn(?:ing)?|fatal)\b",
        r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z",
        r"[\w.+-]+@[\w-]+\.[\w.]+",
    ];
    let mut h = 0u64;
    for pattern in patterns {
        let re = match Regex::new(pattern) {
            Ok(re) => re,
            Err(_) => return 0,
        };
        let mut cache = re.create_cache();
        let mut caps = re.create_captures();
        let mut count = 0u64;
        let mut at = 0;
        while at <= text.len() {
            re.search_captures_with(&mut cache, &Input::new(&text).range(at..), &mut caps);
            let Some(m) = caps.get_match() else { break };
            count += 1;
            h = h.rotate_left(3) ^ m.start() as u64;
            // The last group, parsed as a number (the response size, the last
            // octet, the seconds).
            if let Some(Span { start, end }) = caps.get_group(caps.group_len() - 1) {
                h = h.wrapping_add(text[start..end].parse::<u64>().unwrap_or(1));
            }
            at = if m.is_empty() { m.end() + 1 } else { m.end() };
        }
        h ^= count << 32;
    }
    h
}
