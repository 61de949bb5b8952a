//! `docs/rule-codes.md` documents every finding code this crate's Azure rules,
//! blob-list and dataset validators can produce.

use ie_preflight::azure::{dataset, rules};
use ie_preflight::bloblist;

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rule-codes.md"))
        .expect("docs/rule-codes.md");
    let all = rules::codes::ALL
        .iter()
        .chain(bloblist::codes::ALL)
        .chain(dataset::codes::ALL);
    for code in all {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "{code} is not in docs/rule-codes.md"
        );
    }
}
