//! The report: a Markdown table for stdout, JSON and an SVG chart.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::alloc_count::HeapDelta;
use crate::machine::Machine;
use crate::measure::{InstanceMemory, Instantiation, Translation, median};
use crate::wasm_info::ModuleSummary;

/// The engine everything is compared with.
const BASE: &str = "kestrel";

/// Above this share of the machine's CPU time busy with other processes,
/// the report says the numbers come from a shared machine.
const SHARED_THRESHOLD: f64 = 0.15;

/// One workload's results.
pub struct WorkloadResult {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// The size it ran at.
    pub n: u32,
    /// The native checksum, which every engine matched.
    pub checksum: u64,
    /// Seconds per run, per engine (in `Report::engines` order).
    pub samples: Vec<Vec<f64>>,
}

/// Everything measured in one run of the suite.
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// Share of CPU time busy with other processes just before the run.
    pub busy_start: Option<f64>,
    /// Share of CPU time other processes used during the run (the machine's
    /// busy time less this process's).
    pub busy_during: Option<f64>,
    /// The same just after.
    pub busy_end: Option<f64>,
    /// The 1-minute load average at the end (this process included).
    pub load_end: Option<f64>,
    /// Timed runs per engine and workload.
    pub runs: usize,
    /// Whether this was a `--quick` run.
    pub quick: bool,
    /// The engines, in the order of each workload's samples.
    pub engines: Vec<&'static str>,
    /// The workloads module.
    pub module: ModuleSummary,
    /// Execution results.
    pub workloads: Vec<WorkloadResult>,
    /// Loading the workloads module.
    pub translation: Vec<Translation>,
    /// Instantiation times.
    pub instantiation: Vec<Instantiation>,
    /// Heap per instance.
    pub memory: Vec<InstanceMemory>,
    /// The process's peak resident set size (`VmHWM`).
    pub peak_rss: Option<u64>,
    /// How long the whole run took.
    pub elapsed: Duration,
    /// Checks that failed (checksum mismatches, errors); results are not
    /// written if there are any.
    pub failures: Vec<String>,
}

/// A duration in seconds, with a unit and three significant digits.
pub fn fmt_time(seconds: f64) -> String {
    let three = |v: f64, unit: &str| {
        if v >= 100.0 {
            format!("{v:.0} {unit}")
        } else if v >= 10.0 {
            format!("{v:.1} {unit}")
        } else {
            format!("{v:.2} {unit}")
        }
    };
    if !seconds.is_finite() {
        "–".to_string()
    } else if seconds >= 1.0 {
        three(seconds, "s")
    } else if seconds >= 1e-3 {
        three(seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        three(seconds * 1e6, "µs")
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

fn fmt_ratio(ratio: f64) -> String {
    if !ratio.is_finite() {
        "–".to_string()
    } else if ratio >= 10.0 {
        format!("{ratio:.1}")
    } else if ratio >= 0.1 {
        format!("{ratio:.2}")
    } else {
        format!("{ratio:.3}")
    }
}

fn fmt_bytes(bytes: i64) -> String {
    let b = bytes.unsigned_abs() as f64;
    let sign = if bytes < 0 { "-" } else { "" };
    if b >= 1024.0 * 1024.0 {
        format!("{sign}{:.2} MiB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{sign}{:.1} KiB", b / 1024.0)
    } else {
        format!("{sign}{b} B")
    }
}

fn geomean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, count) = values
        .into_iter()
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((0.0, 0usize), |(s, c), v| (s + v.ln(), c + 1));
    if count == 0 {
        f64::NAN
    } else {
        (sum / count as f64).exp()
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl WorkloadResult {
    fn median(&self, engine: usize) -> f64 {
        median(&self.samples[engine])
    }
}

impl Report {
    fn base(&self) -> usize {
        self.engines
            .iter()
            .position(|e| *e == BASE)
            .expect("Kestrel is measured")
    }

    /// The engines other than Kestrel, with their indices.
    fn others(&self) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.engines
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, e)| *e != BASE)
    }

    /// Median time of `engine` divided by Kestrel's, per workload.
    fn ratio(&self, w: &WorkloadResult, engine: usize) -> f64 {
        w.median(engine) / w.median(self.base())
    }

    /// The geometric mean over all workloads of `engine`'s time ÷ Kestrel's.
    fn geomean_ratio(&self, engine: usize) -> f64 {
        geomean(self.workloads.iter().map(|w| self.ratio(w, engine)))
    }

    fn shared(&self) -> bool {
        self.busy_start.unwrap_or(0.0) > SHARED_THRESHOLD
            || self.busy_during.unwrap_or(0.0) > SHARED_THRESHOLD
            || self.busy_end.unwrap_or(0.0) > SHARED_THRESHOLD
    }

    fn versions(&self) -> String {
        let flags = env!("KESTREL_BENCH_RUSTFLAGS");
        format!(
            "kestrel-interp {} (this repository, {} dispatch), wasmi {}, wasm3 crate {} (C wasm3 0.4.7); {}{}",
            env!("KESTREL_BENCH_KESTREL_VERSION"),
            kestrel_interp::DISPATCH,
            env!("KESTREL_BENCH_WASMI_VERSION"),
            env!("KESTREL_BENCH_WASM3_VERSION"),
            env!("KESTREL_BENCH_RUSTC_VERSION"),
            if flags.is_empty() {
                String::new()
            } else {
                format!("; Rust code of every engine built with `{flags}`")
            },
        )
    }

    fn machine_line(&self) -> String {
        format!(
            "{}, {} cores, {}",
            self.machine.cpu, self.machine.cores, self.machine.os
        )
    }

    fn load_line(&self) -> String {
        let pct = |b: Option<f64>| b.map_or("?".to_string(), |b| format!("{:.0}%", b * 100.0));
        let mut line = format!(
            "Other processes used {} of the machine's CPU time during the run ({} just before it, {} \
             just after; load average {} at the start, {} at the end, this run included).",
            pct(self.busy_during),
            pct(self.busy_start),
            pct(self.busy_end),
            self.machine
                .load_start
                .map_or("?".to_string(), |l| format!("{l:.2}")),
            self.load_end.map_or("?".to_string(), |l| format!("{l:.2}")),
        );
        if self.shared() {
            line.push_str(
                " **These numbers are from a shared machine**: another process (such as a fuzzer) \
                 was running on one of its cores, so absolute times are noisier than on an idle \
                 machine; the ratios, from interleaved runs, are affected less.",
            );
        }
        line
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Kestrel side-by-side benchmarks\n");
        let _ = writeln!(s, "Machine: {}.  ", self.machine_line());
        let _ = writeln!(s, "Engines: {}.  ", self.versions());
        let _ = writeln!(s, "{}", self.load_line());
        if self.quick {
            let _ = writeln!(s, "\n`--quick` run: small sizes, for checking only.");
        }

        let _ = writeln!(
            s,
            "\n## Execution\n\nMedian of {} runs per engine after one warm-up run; runs interleaved \
             between engines. `x ÷ kestrel` is the engine's time divided by Kestrel's: below 1 the \
             engine is faster than Kestrel.\n",
            self.runs
        );
        let mut header = "| workload | n |".to_string();
        let mut rule = "|---|---:|".to_string();
        for engine in &self.engines {
            let _ = write!(header, " {engine} |");
            rule.push_str("---:|");
        }
        for (_, engine) in self.others() {
            let _ = write!(header, " {engine} ÷ kestrel |");
            rule.push_str("---:|");
        }
        let _ = writeln!(s, "{header}\n{rule}");
        for w in &self.workloads {
            let _ = write!(s, "| {} | {} |", w.name, w.n);
            for i in 0..self.engines.len() {
                let _ = write!(s, " {} |", fmt_time(w.median(i)));
            }
            for (i, _) in self.others() {
                let _ = write!(s, " {} |", fmt_ratio(self.ratio(w, i)));
            }
            s.push('\n');
        }
        let _ = write!(s, "| **geometric mean** | |");
        for _ in &self.engines {
            s.push_str(" |");
        }
        for (i, _) in self.others() {
            let _ = write!(s, " **{}** |", fmt_ratio(self.geomean_ratio(i)));
        }
        s.push('\n');
        if let Some(wasmi) = self.engines.iter().position(|e| *e == "wasmi") {
            let _ = writeln!(
                s,
                "\nKestrel ÷ wasmi time, geometric mean over the workloads: **{}**.",
                fmt_ratio(1.0 / self.geomean_ratio(wasmi))
            );
        }

        let m = &self.module;
        let _ = writeln!(
            s,
            "\n## Translation\n\nLoading the workloads module ({} bytes: {} bytes of code in {} \
             functions, {} bytes of data, {} bytes of custom sections). Median of {} loads; \
             module heap is what the loaded module keeps on the heap.\n",
            m.bytes,
            m.code_bytes,
            m.functions,
            m.data_bytes,
            m.custom_bytes,
            self.translation.first().map_or(0, |t| t.samples.len()),
        );
        let _ = writeln!(
            s,
            "| engine and mode | time | code MB/s | module heap | ÷ kestrel | what it does up front |\n\
             |---|---:|---:|---:|---:|---|"
        );
        let base = self
            .translation
            .iter()
            .find(|t| t.label == BASE)
            .map_or(f64::NAN, |t| median(&t.samples));
        for t in &self.translation {
            let time = median(&t.samples);
            let _ = writeln!(
                s,
                "| {} | {} | {:.1} | {} | {} | {} |",
                t.label,
                fmt_time(time),
                m.code_bytes as f64 / time / 1e6,
                fmt_bytes(t.heap.rust_live.max(t.heap.malloc_live.unwrap_or(0))),
                fmt_ratio(time / base),
                t.note
            );
        }
        if let Some(eager) = self.translation.iter().find(|t| t.label == "wasmi eager") {
            let one = self
                .translation
                .iter()
                .find(|t| t.label == "kestrel, one thread")
                .map_or(f64::NAN, |t| median(&t.samples));
            let _ = writeln!(
                s,
                "\nKestrel (eager) ÷ wasmi eager translation time: **{}** ({} on one thread; \
                 wasmi translates on one thread).",
                fmt_ratio(base / median(&eager.samples)),
                fmt_ratio(one / median(&eager.samples))
            );
        }

        let _ = writeln!(
            s,
            "\n## Instantiation\n\nA fresh store (wasm3: runtime) and an instance in it; median \
             over {} instantiations of the tiny module (one function, one page) and {} of the \
             workloads module. wasm3 cannot instantiate a parsed module twice, so its times \
             include parsing the module again. Each instance is dropped, untimed, before the \
             next is made; Kestrel then takes the dropped store's linear memory from its \
             engine's pool, zeroed when it was dropped where the guest had written \
             (`Config::memory_pool_bytes`); the row with the pool off allocates and zeroes \
             it afresh, as wasmi does.\n",
            self.instantiation.first().map_or(0, |i| i.tiny.len()),
            self.instantiation.first().map_or(0, |i| i.large.len()),
        );
        let _ = writeln!(
            s,
            "| engine | tiny module | ÷ wasmi | workloads module | ÷ wasmi |\n|---|---:|---:|---:|---:|"
        );
        let wasmi = self.instantiation.iter().find(|i| i.engine == "wasmi");
        let ratio = |t: f64, base: Option<f64>| base.map_or("?".to_string(), |b| fmt_ratio(t / b));
        for i in &self.instantiation {
            let (tiny, large) = (median(&i.tiny), median(&i.large));
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                i.engine,
                fmt_time(tiny),
                ratio(tiny, wasmi.map(|w| median(&w.tiny))),
                fmt_time(large),
                ratio(large, wasmi.map(|w| median(&w.large)))
            );
        }

        let _ = writeln!(
            s,
            "\n## Memory per instance\n\nHeap added by one more store and instance. Rust heap: \
             counted by the runner's global allocator (live bytes). malloc heap: glibc's \
             `mallinfo2`, which also sees C allocations (wasm3's). Linear memory counts in \
             full (the workloads module starts with {} pages) although untouched zeroed pages \
             take no physical memory.\n",
            self.initial_pages()
                .map_or("?".to_string(), |p| p.to_string()),
        );
        let _ = writeln!(
            s,
            "| engine | tiny: Rust heap | tiny: malloc heap | workloads: Rust heap | workloads: malloc heap |\n\
             |---|---:|---:|---:|---:|"
        );
        let malloc = |d: &HeapDelta| d.malloc_live.map_or("?".to_string(), fmt_bytes);
        for mem in &self.memory {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                mem.engine,
                fmt_bytes(mem.tiny.rust_live),
                malloc(&mem.tiny),
                fmt_bytes(mem.large.rust_live),
                malloc(&mem.large)
            );
        }
        let _ = writeln!(
            s,
            "\nPeak resident set size of the benchmark process (`VmHWM`): {}. Whole run: {:.0} s.",
            self.peak_rss
                .map_or("?".to_string(), |b| fmt_bytes(b as i64)),
            self.elapsed.as_secs_f64()
        );
        s
    }

    /// The initial memory size of the workloads module, in pages.
    fn initial_pages(&self) -> Option<u32> {
        crate::wasm_info::initial_pages(crate::WORKLOADS_WASM)
    }

    /// The report as JSON.
    pub fn json(&self) -> Value {
        let heap = |d: &HeapDelta| {
            json!({
                "rust_live_bytes": d.rust_live,
                "rust_allocated_bytes": d.rust_allocated,
                "malloc_live_bytes": d.malloc_live,
            })
        };
        let workloads: Vec<Value> = self
            .workloads
            .iter()
            .map(|w| {
                let mut engines = serde_json::Map::new();
                for (i, engine) in self.engines.iter().enumerate() {
                    engines.insert(
                        engine.to_string(),
                        json!({
                            "median_seconds": w.median(i),
                            "seconds": w.samples[i],
                            "ratio_to_kestrel": self.ratio(w, i),
                        }),
                    );
                }
                json!({
                    "name": w.name,
                    "description": w.description,
                    "n": w.n,
                    "checksum": format!("{:#018x}", w.checksum),
                    "engines": engines,
                })
            })
            .collect();
        let mut geomeans = serde_json::Map::new();
        for (i, engine) in self.others() {
            geomeans.insert(engine.to_string(), json!(self.geomean_ratio(i)));
        }
        let base = self
            .translation
            .iter()
            .find(|t| t.label == BASE)
            .map_or(f64::NAN, |t| median(&t.samples));
        let translation: Vec<Value> = self
            .translation
            .iter()
            .map(|t| {
                json!({
                    "engine": t.label,
                    "what": t.note,
                    "median_seconds": median(&t.samples),
                    "seconds": t.samples,
                    "ratio_to_kestrel": median(&t.samples) / base,
                    "module_heap": heap(&t.heap),
                })
            })
            .collect();
        let instantiation: Vec<Value> = self
            .instantiation
            .iter()
            .map(|i| {
                json!({
                    "engine": i.engine,
                    "tiny_median_seconds": median(&i.tiny),
                    "tiny_count": i.tiny.len(),
                    "workloads_median_seconds": median(&i.large),
                    "workloads_count": i.large.len(),
                })
            })
            .collect();
        let memory: Vec<Value> = self
            .memory
            .iter()
            .map(
                |m| json!({"engine": m.engine, "tiny": heap(&m.tiny), "workloads": heap(&m.large)}),
            )
            .collect();
        let wasmi = self.engines.iter().position(|e| *e == "wasmi");
        let eager = self.translation.iter().find(|t| t.label == "wasmi eager");
        json!({
            "date": utc_now(),
            "machine": {
                "cpu": self.machine.cpu,
                "cores": self.machine.cores,
                "os": self.machine.os,
                "others_cpu_share_before": self.busy_start,
                "others_cpu_share_during": self.busy_during,
                "others_cpu_share_after": self.busy_end,
                "load_average_start": self.machine.load_start,
                "load_average_end": self.load_end,
                "shared": self.shared(),
                "note": self.load_line(),
            },
            "versions": self.versions(),
            "runs": self.runs,
            "quick": self.quick,
            "module": {
                "bytes": self.module.bytes,
                "code_bytes": self.module.code_bytes,
                "data_bytes": self.module.data_bytes,
                "custom_bytes": self.module.custom_bytes,
                "functions": self.module.functions,
            },
            "workloads": workloads,
            "geomean_ratio_to_kestrel": geomeans,
            "geomean_kestrel_over_wasmi": wasmi.map(|i| 1.0 / self.geomean_ratio(i)),
            "translation": translation,
            "translation_kestrel_over_wasmi_eager": eager.map(|e| base / median(&e.samples)),
            "instantiation": instantiation,
            "memory_per_instance": memory,
            "peak_rss_bytes": self.peak_rss,
            "elapsed_seconds": self.elapsed.as_secs_f64(),
        })
    }

    /// A horizontal bar chart of each engine's time relative to Kestrel's,
    /// per workload, on a logarithmic axis centred on Kestrel (1×).
    pub fn svg(&self) -> String {
        const COLORS: &[&str] = &["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1"];
        const WIDTH: f64 = 960.0;
        const LEFT: f64 = 120.0;
        const RIGHT: f64 = 40.0;
        const TOP: f64 = 104.0;
        const BAR: f64 = 13.0;
        const GAP: f64 = 12.0;
        let others: Vec<(usize, &str)> = self.others().collect();
        let base = self.base();
        let mut rows: Vec<(String, String, Vec<f64>)> = self
            .workloads
            .iter()
            .map(|w| {
                (
                    w.name.to_string(),
                    fmt_time(w.median(base)),
                    others.iter().map(|&(i, _)| self.ratio(w, i)).collect(),
                )
            })
            .collect();
        rows.push((
            "geomean".to_string(),
            String::new(),
            others.iter().map(|&(i, _)| self.geomean_ratio(i)).collect(),
        ));
        let finite = || {
            rows.iter()
                .flat_map(|r| r.2.iter())
                .copied()
                .filter(|r| r.is_finite() && *r > 0.0)
        };
        // The range of the bars, with room for their labels.
        let lo = finite().fold(1.0f64, f64::min).log10() - 0.3;
        let hi = finite().fold(1.0f64, f64::max).log10() + 0.3;
        let x = |r: f64| LEFT + (r.log10() - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT);
        let group = others.len() as f64 * BAR + GAP;
        let height = TOP + rows.len() as f64 * group + 66.0;

        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="22" font-size="16" font-weight="bold">Time relative to Kestrel (log scale; left of 1 = faster than Kestrel)</text>"#
        );
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="40" fill="#444">Median of {} runs. {}.</text>"##,
            self.runs,
            escape(&self.machine_line()),
        );
        if self.shared() {
            let _ = writeln!(
                s,
                r##"<text x="{LEFT}" y="56" fill="#a33">Shared machine: other processes used {:.0}% of its CPU time during the run.</text>"##,
                self.busy_during.unwrap_or(0.0) * 100.0
            );
        }
        // Legend.
        let mut lx = LEFT;
        for (k, (_, engine)) in others.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<rect x="{lx}" y="66" width="12" height="12" fill="{}"/><text x="{}" y="76">{engine}</text>"#,
                COLORS[k % COLORS.len()],
                lx + 16.0
            );
            lx += 100.0;
        }
        let _ = writeln!(
            s,
            r##"<text x="{lx}" y="76" fill="#444">(Kestrel = 1, the dark line)</text>"##
        );
        // Grid: 1, 2 and 5 times each power of ten.
        let bottom = TOP + rows.len() as f64 * group;
        for decade in (lo.floor() as i32)..=(hi.ceil() as i32) {
            for m in [1.0, 2.0, 5.0] {
                let r = m * 10f64.powi(decade);
                let l = r.log10();
                if l < lo || l > hi {
                    continue;
                }
                let gx = x(r);
                let (stroke, w) = if m == 1.0 {
                    ("#bbb", 1.0)
                } else {
                    ("#e4e4e4", 1.0)
                };
                let _ = writeln!(
                    s,
                    r#"<line x1="{gx:.1}" y1="{}" x2="{gx:.1}" y2="{bottom}" stroke="{stroke}" stroke-width="{w}"/>"#,
                    TOP - 8.0
                );
                if m == 1.0 || (hi - lo) < 3.5 {
                    let label = if decade >= 0 {
                        format!("{}×", m as u64 * 10u64.pow(decade as u32))
                    } else {
                        format!("0.{}{}×", "0".repeat((-decade - 1) as usize), m as u8)
                    };
                    let _ = writeln!(
                        s,
                        r##"<text x="{gx:.1}" y="{}" text-anchor="middle" fill="#555">{label}</text>"##,
                        bottom + 16.0
                    );
                }
            }
        }
        let one = x(1.0);
        for (row, (name, kestrel, ratios)) in rows.iter().enumerate() {
            let y0 = TOP + row as f64 * group;
            if name == "geomean" {
                let _ = writeln!(
                    s,
                    r##"<line x1="10" y1="{:.1}" x2="{}" y2="{:.1}" stroke="#999" stroke-dasharray="4 3"/>"##,
                    y0 - GAP / 2.0,
                    WIDTH - RIGHT,
                    y0 - GAP / 2.0
                );
            }
            let weight = if name == "geomean" { "bold" } else { "normal" };
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{:.1}" text-anchor="end" font-weight="{weight}">{}</text>"#,
                LEFT - 10.0,
                y0 + others.len() as f64 * BAR / 2.0 - 1.0,
                escape(name)
            );
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{:.1}" text-anchor="end" font-size="10" fill="#777">{}</text>"##,
                LEFT - 10.0,
                y0 + others.len() as f64 * BAR / 2.0 + 11.0,
                escape(kestrel)
            );
            for (k, &ratio) in ratios.iter().enumerate() {
                let y = y0 + k as f64 * BAR;
                if !ratio.is_finite() || ratio <= 0.0 {
                    continue;
                }
                let end = x(ratio);
                let (bx, bw) = if end < one {
                    (end, one - end)
                } else {
                    (one, end - one)
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{bx:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{name}: {} {}× Kestrel's time</title></rect>"#,
                    bw.max(1.0),
                    BAR - 2.0,
                    COLORS[k % COLORS.len()],
                    others[k].1,
                    fmt_ratio(ratio)
                );
                let (tx, anchor) = if end < one {
                    (end - 4.0, "end")
                } else {
                    (end + 4.0, "start")
                };
                let _ = writeln!(
                    s,
                    r#"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="10">{}</text>"#,
                    y + BAR - 4.0,
                    fmt_ratio(ratio)
                );
            }
        }
        let _ = writeln!(
            s,
            r##"<line x1="{one:.1}" y1="{}" x2="{one:.1}" y2="{bottom}" stroke="#222" stroke-width="2"/>"##,
            TOP - 8.0
        );
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="{}" fill="#444" font-size="11">{}</text>"##,
            bottom + 36.0,
            escape(&self.versions())
        );
        let _ = writeln!(
            s,
            r##"<text x="{LEFT}" y="{}" fill="#444" font-size="11">{} · the time under each name is Kestrel's median</text>"##,
            bottom + 52.0,
            utc_now()
        );
        s.push_str("</svg>\n");
        s
    }
}
