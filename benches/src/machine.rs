//! The machine the benchmarks ran on, and the process's memory.

use std::fs;

/// What the report says about the machine.
#[derive(Clone, Debug)]
pub struct Machine {
    /// The CPU's model name from `/proc/cpuinfo`.
    pub cpu: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// The operating system and kernel, from `/proc/sys/kernel/osrelease`.
    pub os: String,
    /// The 1-minute load average when the run started.
    pub load_start: Option<f64>,
}

impl Machine {
    /// Reads the machine's description now.
    pub fn detect() -> Machine {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let os = match fs::read_to_string("/proc/sys/kernel/osrelease") {
            Ok(release) => format!("{} {}", std::env::consts::OS, release.trim()),
            Err(_) => std::env::consts::OS.to_string(),
        };
        Machine {
            cpu,
            cores,
            os,
            load_start: load_average(),
        }
    }
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A field of `/proc/self/status` in bytes (`VmHWM` is the peak resident set
/// size, `VmRSS` the current one).
pub fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The fraction of the machine's CPU time (all cores) spent busy over
/// `window` while this process sleeps: how much else is running.
pub fn background_busy(window: std::time::Duration) -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = fs::read_to_string("/proc/stat").ok()?;
        let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
        let fields: Vec<u64> = cpu
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is
        // already in user).
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
        Some((total, idle))
    }
    let (t0, i0) = sample()?;
    std::thread::sleep(window);
    let (t1, i1) = sample()?;
    let total = t1.checked_sub(t0)?;
    if total == 0 {
        return None;
    }
    Some(1.0 - (i1 - i0) as f64 / total as f64)
}

/// CPU time counters of the machine and of this process, in clock ticks.
#[derive(Clone, Copy, Debug)]
pub struct CpuTimes {
    busy: u64,
    total: u64,
    own: u64,
}

impl CpuTimes {
    /// The counters now, from `/proc/stat` and `/proc/self/stat`.
    pub fn now() -> Option<CpuTimes> {
        let stat = fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
        let own_stat = fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces): state is
        // the first, utime the 12th, stime the 13th.
        let after = &own_stat[own_stat.rfind(')')? + 1..];
        let own_fields: Vec<&str> = after.split_whitespace().collect();
        let own =
            own_fields.get(11)?.parse::<u64>().ok()? + own_fields.get(12)?.parse::<u64>().ok()?;
        Some(CpuTimes {
            busy: total - idle,
            total,
            own,
        })
    }

    /// The share of the machine's CPU time that other processes used
    /// between `self` and `later`.
    pub fn others_share(&self, later: &CpuTimes) -> Option<f64> {
        let total = later.total.checked_sub(self.total)?;
        if total == 0 {
            return None;
        }
        let busy = later.busy.saturating_sub(self.busy);
        let own = later.own.saturating_sub(self.own);
        Some(busy.saturating_sub(own) as f64 / total as f64)
    }
}
