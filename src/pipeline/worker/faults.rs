//! Fault injection for tests of the supervision (feature
//! `fault-injection`; never in a release build): the environment variable
//! `YSTORFA_WORKER_FAULTS` (`hang=NAME,abort=NAME,oom=NAME,overflow=NAME`)
//! makes the *worker* (never the in-process path) misbehave on purpose when
//! asked for a file whose walked name contains NAME: sleep forever,
//! `abort()`, allocate until the memory limit, or recurse until the stack
//! overflows, so the supervision can be tested end to end with the real
//! binary. Unset, it does nothing.

use std::time::Duration;

/// Environment variable of the fault-injection test hook.
pub const FAULTS_ENV: &str = "YSTORFA_WORKER_FAULTS";

/// The fault-injection test hook (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Faults {
    rules: Vec<(String, String)>,
}

impl Faults {
    pub(super) fn from_env() -> Self {
        Faults::parse(&std::env::var(FAULTS_ENV).unwrap_or_default())
    }

    fn parse(spec: &str) -> Self {
        Faults {
            rules: spec
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(_, name)| !name.is_empty())
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        }
    }

    pub(super) fn trigger(&self, file: &str) {
        for (kind, name) in &self.rules {
            if !file.contains(name.as_str()) {
                continue;
            }
            match kind.as_str() {
                "hang" => loop {
                    std::thread::sleep(Duration::from_secs(3600));
                },
                "abort" => std::process::abort(),
                "oom" => {
                    let mut hoard: Vec<Vec<u8>> = Vec::new();
                    loop {
                        hoard.push(vec![1u8; 16 << 20]);
                        std::hint::black_box(&hoard);
                    }
                }
                "overflow" => {
                    std::hint::black_box(recurse(0));
                }
                _ => {}
            }
        }
    }
}

#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let pad = std::hint::black_box([depth; 64]);
    recurse(depth + 1) + pad[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_spec_parses_and_ignores_junk() {
        let f = Faults::parse("hang=slow, abort=boom,,=x,oom=");
        assert_eq!(
            f.rules,
            [
                ("hang".to_string(), "slow".to_string()),
                ("abort".to_string(), "boom".to_string()),
                (String::new(), "x".to_string())
            ]
        );
        // A file matching no rule, or an unknown kind, returns at once.
        f.trigger("in/fine.txt");
        f.trigger("in/x.txt");
    }
}
