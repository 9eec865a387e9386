//! The house's order, checked: a module imports only modules that stand
//! below it (ARCHITECTURE.md, "Modules"). Test code is left out (a stage's
//! tests may build fixtures with higher modules).

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom to top.
const ORDER: [&str; 13] = [
    "model", "extract", "segment", "rules", "tag", "index", "export", "patterns", "store",
    "pipeline", "eval", "serve", "cli",
];

/// Test-only files, by name.
const TEST_FILES: [&str; 4] = ["tests.rs", "fixtures.rs", "testing.rs", "faults.rs"];

#[test]
fn no_module_imports_one_that_stands_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = ORDER.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let uses = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut wrong = Vec::new();
    for e in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let e = e.unwrap();
        let path = e.path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let name = rel.file_name().unwrap().to_string_lossy();
        if TEST_FILES.contains(&name.as_ref()) {
            continue;
        }
        let first = rel.iter().next().unwrap().to_string_lossy();
        let module = first.trim_end_matches(".rs");
        let Some(&mine) = rank.get(module) else {
            continue; // lib.rs, main.rs
        };
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            // An inline test module: the rest of the file is test code.
            if code == "#[cfg(test)]" && lines.get(n + 1).is_some_and(|l| l.contains("mod tests {"))
            {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            for c in uses.captures_iter(code) {
                if let Some(&theirs) = rank.get(&c[1])
                    && theirs > mine
                {
                    wrong.push(format!(
                        "{}:{}: {module} uses {}",
                        rel.display(),
                        n + 1,
                        &c[1]
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports up the house:\n{}",
        wrong.join("\n")
    );
}
