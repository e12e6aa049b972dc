//! The native baseline: the same workloads compiled for the host and linked
//! into the runner.

use kestrel_bench_workloads::ALL;

use super::Runner;

/// Runs the workloads as native code.
pub struct Native;

impl Runner for Native {
    fn name(&self) -> &'static str {
        "native"
    }

    fn run(&mut self, name: &str, n: u32) -> Result<u64, String> {
        let workload = ALL
            .iter()
            .find(|w| w.name == name)
            .ok_or_else(|| format!("no workload {name}"))?;
        Ok((workload.run)(std::hint::black_box(n)))
    }
}
