//! Export blob-list validation: fixtures in testdata/bloblist/ with the exact
//! findings (code and line/column) each gives; the §2.2 valid-prefix table;
//! and robustness against arbitrary input.

use crate::common;

use ie_preflight::bloblist::{check_entry, codes, validate_blob_list, Entry, EntryKind};
use ie_preflight::report::{DriveStatus, Severity};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<(String, String)> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/bloblist")
        .join(name);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    validate_blob_list(&bytes)
        .into_iter()
        .map(|f| {
            assert_eq!(f.predicts, DriveStatus::ExportBlobListInvalid, "{f:?}");
            (f.code.to_string(), f.subject)
        })
        .collect()
}

fn expect(name: &str, want: &[(&str, u32, u32)]) {
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(c, l, col)| (c.to_string(), format!("line {l}, column {col}")))
        .collect();
    assert_eq!(fixture(name), want, "fixture {name}");
}

#[test]
fn valid_list_has_no_findings() {
    expect("valid.xml", &[]);
}

#[test]
fn empty_file() {
    expect("empty.xml", &[(codes::EMPTY, 1, 1)]);
    assert_eq!(validate_blob_list(b"  \n ").len(), 1);
}

#[test]
fn malformed_xml_points_at_the_bad_end_tag() {
    expect("malformed.xml", &[(codes::XML, 3, 26)]);
}

#[test]
fn unclosed_root() {
    expect("unclosed.xml", &[(codes::XML, 3, 1)]);
}

#[test]
fn root_and_element_names_are_case_sensitive() {
    expect("root-case.xml", &[(codes::ROOT, 2, 1)]);
    expect("element-case.xml", &[(codes::ELEMENT_CASE, 3, 3)]);
}

#[test]
fn unknown_elements_attributes_and_text() {
    expect(
        "unknown.xml",
        &[
            (codes::UNKNOWN_ELEMENT, 3, 3),
            (codes::AZURE_FILE_LIST, 4, 3),
            (codes::ATTRIBUTE, 5, 3),
            (codes::PATH_CONTAINER_ONLY, 5, 3),
            (codes::UNKNOWN_ELEMENT, 5, 29),
            (codes::TEXT, 6, 3),
        ],
    );
}

/// Data Box's export list: `<AzureFileList>` beside `<BlobList>` is one
/// warning, and the blob part is still validated (the container name).
#[test]
fn data_box_export_list_layout() {
    expect(
        "databox-export.xml",
        &[
            (codes::CONTAINER_NAME, 5, 3),
            (codes::AZURE_FILE_LIST, 7, 1),
        ],
    );
    let first = b"<AzureFileList><FilePathPrefix>/s/</FilePathPrefix></AzureFileList><BlobList><BlobPath>container1/blob.txt</BlobPath></BlobList>";
    let codes: Vec<&str> = validate_blob_list(first).iter().map(|f| f.code).collect();
    assert_eq!(codes, [codes::AZURE_FILE_LIST], "either order");
    let alone = validate_blob_list(b"<AzureFileList/>");
    let codes: Vec<&str> = alone.iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        [codes::AZURE_FILE_LIST, codes::ROOT],
        "no <BlobList>: nothing to export"
    );
}

#[test]
fn empty_list_and_empty_entries() {
    expect("empty-list.xml", &[(codes::EMPTY_LIST, 2, 1)]);
    assert_eq!(
        validate_blob_list(b"<BlobList/>")[0].code,
        codes::EMPTY_LIST
    );
    expect(
        "empty-entry.xml",
        &[
            (codes::EMPTY_ENTRY, 2, 3),
            (codes::EMPTY_ENTRY, 3, 3),
            (codes::WHITESPACE, 4, 3),
            (codes::CONTAINER_NAME, 4, 3),
        ],
    );
}

#[test]
fn path_and_prefix_rules() {
    expect(
        "paths.xml",
        &[
            (codes::PREFIX_NO_SLASH, 2, 3),
            (codes::CONTAINER_NAME, 3, 3),
            (codes::CONTAINER_NAME, 4, 3),
            (codes::ROOT_SLASH, 5, 3),
            (codes::PATH_LEADING_SLASH, 6, 3),
            (codes::PATH_CONTAINER_ONLY, 6, 3),
            (codes::PATH_LEADING_SLASH, 7, 3),
            (codes::DUPLICATE, 8, 3),
            (codes::DUPLICATE, 9, 3),
            (codes::ROOT_SLASH, 10, 3),
            (codes::BLOB_NAME, 11, 3),
            (codes::CONTAINER_NAME, 12, 3),
        ],
    );
}

#[test]
fn duplicates_and_covering_prefixes() {
    expect(
        "covered.xml",
        &[
            (codes::COVERED, 2, 3),
            (codes::COVERED, 3, 3),
            (codes::COVERED, 4, 3),
            (codes::DUPLICATE, 6, 3),
        ],
    );
    // Without the whole-account prefix, `/music/` covers the narrower entries.
    let f = validate_blob_list(
        b"<BlobList><BlobPathPrefix>/music/</BlobPathPrefix><BlobPath>music/a.mp3</BlobPath></BlobList>",
    );
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].code, f[0].subject.as_str()),
        (codes::COVERED, "line 1, column 51")
    );
}

#[test]
fn doctype_is_reported_and_entities_never_resolved() {
    expect(
        "doctype.xml",
        &[(codes::DOCTYPE, 2, 1), (codes::XML, 4, 20)],
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    expect(
        "unicode-columns.xml",
        &[
            (codes::CONTAINER_NAME, 2, 3),
            (codes::CONTAINER_NAME, 2, 37),
        ],
    );
    expect("not-utf8.xml", &[(codes::ENCODING, 2, 16)]);
}

#[test]
fn utf8_bom_is_accepted_and_utf16_is_checked_like_utf8() {
    let mut b = b"\xEF\xBB\xBF".to_vec();
    b.extend_from_slice(b"<BlobList><BlobPath>a1b/c</BlobPath></BlobList>");
    assert!(validate_blob_list(&b).is_empty());
    // Bad entries on lines 2 and 3, in UTF-8 and in UTF-16 either way round.
    let list = "<BlobList>\n  <BlobPath>no-container</BlobPath>\n  <BlobPathPrefix>/AB/x</BlobPathPrefix>\n</BlobList>";
    let key = |f: &[ie_preflight::report::Finding]| -> Vec<(String, String)> {
        f.iter()
            .map(|f| (f.code.to_string(), f.subject.clone()))
            .collect()
    };
    let want = key(&validate_blob_list(list.as_bytes()));
    assert!(want.len() >= 2, "{want:?}");
    for big_endian in [false, true] {
        let b = common::utf16(list, big_endian);
        let f = validate_blob_list(&b);
        let enc: Vec<_> = f.iter().filter(|f| f.code == codes::ENCODING).collect();
        assert_eq!(enc.len(), 1, "{f:#?}");
        assert_eq!(enc[0].severity, Severity::Warning);
        let rest: Vec<_> = key(&f)
            .into_iter()
            .filter(|(c, _)| c != codes::ENCODING)
            .collect();
        assert_eq!(rest, want, "big endian: {big_endian}");
    }
    // Half a code unit at the end is an error, not a pass.
    let f = validate_blob_list(b"\xFF\xFE<\0B\0L");
    assert_eq!(
        (f[0].code, f[0].severity),
        (codes::ENCODING, Severity::Error)
    );
}

/// A long, indented list is fine: the whitespace between entries is not the
/// root's text, however much of it there is.
#[test]
fn long_indented_list_is_valid() {
    let mut list = String::from("<BlobList>");
    for k in 0..20_000 {
        list.push_str(&format!("\n    <BlobPath>c1x/file{k}</BlobPath>"));
    }
    list.push_str("\n</BlobList>\n");
    let f = validate_blob_list(list.as_bytes());
    assert!(f.is_empty(), "{f:#?}");
}

/// An entry over 64 KiB is one finding at its start tag (the manifest's
/// bound), and is not judged further.
#[test]
fn over_long_entry_is_one_finding() {
    let list = format!(
        "<BlobList>\n  <BlobPath>c1x/{}</BlobPath>\n  <BlobPathPrefix>/c1x/</BlobPathPrefix>\n</BlobList>",
        "a".repeat(70_000)
    );
    let f: Vec<(&str, String)> = validate_blob_list(list.as_bytes())
        .into_iter()
        .map(|f| (f.code, f.subject))
        .collect();
    assert_eq!(f, vec![(codes::TOO_LONG, "line 2, column 3".to_string())]);
    let f = validate_blob_list(list.as_bytes());
    assert!(
        f[0].message.contains("<BlobPath> is 70004 bytes"),
        "{}",
        f[0].message
    );
}

/// Every example of the valid-prefix table (reference §2.2) passes alone.
#[test]
fn documented_valid_prefix_table() {
    let table = [
        (EntryKind::Prefix, "/"),
        (EntryKind::Prefix, "/$root/"),
        (EntryKind::Prefix, "/book"),
        (EntryKind::Prefix, "/container"),
        (EntryKind::Prefix, "/music/"),
        (EntryKind::Prefix, "/music/love"),
        (EntryKind::Prefix, "/container1/2021Q2"),
        (EntryKind::Path, "$root/logo.bmp"),
        (EntryKind::Path, "videos/story.mp4"),
        (EntryKind::Path, "pictures/animals/koala.jpg"),
    ];
    for (kind, text) in table {
        let e = Entry {
            kind,
            text: text.into(),
            pos: 0,
        };
        assert_eq!(check_entry(&e), vec![], "{text}");
    }
    // Data Box samples write a path with a leading '/': accepted, with a warning.
    let e = Entry {
        kind: EntryKind::Path,
        text: "/container1/blob.txt".into(),
        pos: 0,
    };
    let f = check_entry(&e);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].code, f[0].severity),
        (codes::PATH_LEADING_SLASH, Severity::Warning)
    );
}

#[test]
fn many_findings_are_capped() {
    let mut s = String::from("<BlobList>");
    for _ in 0..10_100 {
        s.push_str("<BlobPath/>");
    }
    s.push_str("</BlobList>");
    let f = validate_blob_list(s.as_bytes());
    assert_eq!(f.len(), 10_001);
    assert_eq!(f.last().map(|f| f.code), Some(codes::TOO_MANY_FINDINGS));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = validate_blob_list(&b);
    }

    #[test]
    fn xml_like_text_never_panics(s in "(<BlobList>|</BlobList>|<BlobPath>|</BlobPath>|<BlobPathPrefix>|</BlobPathPrefix>|<!DOCTYPE x>|&amp;|&#x0;|&e;|<!\\[CDATA\\[|\\]\\]>|[/$a-zA-Z0-9 .\\n<>&;\"'=])*") {
        for f in validate_blob_list(s.as_bytes()) {
            prop_assert!(f.subject.starts_with("line "));
            prop_assert!(codes::ALL.contains(&f.code));
        }
    }
}

#[test]
fn hostile_shapes_stay_bounded() {
    // Deep nesting stops at MAX_DEPTH.
    let deep = "<BlobList>".to_string() + &"<a>".repeat(100_000);
    let f = validate_blob_list(deep.as_bytes());
    assert!(
        f.iter()
            .any(|f| f.code == codes::XML && f.message.contains("nested")),
        "{f:?}"
    );
    // Many long entries with prefixes of every length: the coverage check stays linear.
    let mut s = String::from("<BlobList>");
    let long = format!("music/{}", "a".repeat(1000));
    for k in 1..=400 {
        s.push_str(&format!(
            "<BlobPathPrefix>/x{}</BlobPathPrefix>",
            "b".repeat(k)
        ));
    }
    for i in 0..3000 {
        s.push_str(&format!("<BlobPath>{long}{i}</BlobPath>"));
    }
    s.push_str("</BlobList>");
    let t = std::time::Instant::now();
    let _ = validate_blob_list(s.as_bytes());
    assert!(t.elapsed().as_secs() < 20);
}
