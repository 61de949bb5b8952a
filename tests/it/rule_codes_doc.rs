//! `docs/rule-codes.md` documents every finding code this crate can produce:
//! every code is a constant in one of the `codes` modules below (declared with
//! `finding_codes!`, which builds each module's `ALL`), every code in them has
//! a row in the document, and no code is written out as a bare string in `src/`
//! instead of being declared.

use ie_preflight::azure::{dataset, rules};
use ie_preflight::{
    bitlocker, bloblist, health, job, layout, manifest, ntfs_volume, probe, scan, source,
};
use std::collections::BTreeSet;
use std::path::Path;

/// Every code list of the crate.
fn all_codes() -> BTreeSet<&'static str> {
    [
        source::codes::ALL,
        health::codes::ALL,
        layout::codes::ALL,
        probe::codes::ALL,
        bitlocker::codes::ALL,
        ntfs_volume::codes::ALL,
        rules::codes::ALL,
        bloblist::codes::ALL,
        dataset::codes::ALL,
        manifest::codes::ALL,
        scan::codes::ALL,
        job::model::codes::ALL,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect()
}

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rule-codes.md"))
        .expect("docs/rule-codes.md")
}

#[test]
fn every_code_is_documented() {
    let doc = doc();
    for code in all_codes() {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "{code} is not in docs/rule-codes.md"
        );
    }
}

#[test]
fn every_documented_code_is_declared() {
    let all = all_codes();
    for line in doc().lines() {
        let Some(code) = line.strip_prefix("| `").and_then(|r| r.split('`').next()) else {
            continue;
        };
        assert!(
            all.contains(code),
            "docs/rule-codes.md lists {code}, which no `codes::ALL` declares"
        );
    }
}

/// File names in tests and examples that look like codes.
const NOT_CODES: &[&str] = &["disk.img", "disk.vhd", "report.txt"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A string literal `"prefix.rest"` whose prefix is a code family is a code,
/// and must be one of the declared ones.
#[test]
fn every_code_literal_in_src_is_declared() {
    let all = all_codes();
    let families: BTreeSet<&str> = all.iter().filter_map(|c| c.split('.').next()).collect();
    let mut files = Vec::new();
    rust_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut files,
    );
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let Some((family, rest)) = lit.split_once('.') else {
                continue;
            };
            let code_like = families.contains(family)
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if code_like && !NOT_CODES.contains(&lit) {
                assert!(
                    all.contains(lit),
                    "{}: \"{lit}\" looks like a finding code but no `codes::ALL` declares it",
                    p.display()
                );
            }
        }
    }
}
