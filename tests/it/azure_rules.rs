//! Table-driven tests of every Azure rule, with the examples the reference quotes.

use ie_preflight::azure::rules::{self, codes};
use ie_preflight::azure::{limits, ObjectKind};
use ie_preflight::report::{DriveStatus, Finding, Severity};

fn codes_of(v: &[Finding]) -> Vec<&'static str> {
    v.iter().map(|f| f.code).collect()
}

/// `(input, expected codes)` rows against one rule function.
fn table(rule: impl Fn(&str) -> Vec<Finding>, rows: &[(&str, &[&str])]) {
    for (input, want) in rows {
        assert_eq!(codes_of(&rule(input)), *want, "input {input:?}");
    }
}

const NONE: &[&str] = &[];

#[test]
fn container_names_data_box_validator_examples() {
    // S-DBTRBL: valid `my-folder-1`; invalid the rest.
    table(
        rules::container_name,
        &[
            ("my-folder-1", NONE),
            ("my-folder_1", &[codes::CONTAINER_NAME]),
            ("my", &[codes::CONTAINER_NAME]),
            ("--myfolder", &[codes::CONTAINER_NAME]),
            ("myfolder--", &[codes::CONTAINER_NAME]),
            ("myfolder!", &[codes::CONTAINER_NAME]),
        ],
    );
}

#[test]
fn container_names_edges() {
    let c63 = "a".repeat(63);
    let c64 = "a".repeat(64);
    table(
        rules::container_name,
        &[
            ("$root", NONE),
            ("abc", NONE),
            ("a-b", NONE),
            ("0-9", NONE),
            (&c63, NONE),
            (&c64, &[codes::CONTAINER_NAME]),
            ("ab", &[codes::CONTAINER_NAME]),
            ("a--b", &[codes::CONTAINER_NAME]),
            ("-ab", &[codes::CONTAINER_NAME]),
            ("Music", &[codes::CONTAINER_NAME]),
            ("Bad Container", &[codes::CONTAINER_NAME]),
            ("müsic", &[codes::CONTAINER_NAME]),
            ("", &[codes::CONTAINER_NAME]),
            ("$web", &[codes::CONTAINER_RESERVED]),
            ("$logs", &[codes::CONTAINER_RESERVED]),
            ("$other", &[codes::CONTAINER_NAME]),
        ],
    );
    // Renames are warnings predicting "completed with warnings", with the new name.
    let f = &rules::container_name("Music")[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.predicts, DriveStatus::CopiedWithWarnings);
    assert!(f.message.contains("`music`"), "{}", f.message);
    assert_eq!(rules::predicted_container_name("Music"), "music");
    assert_eq!(
        rules::predicted_container_name("Bad Container"),
        "DataBox-<GUID>"
    );
    // $web/$logs: UNCONFIRMED, so a warning.
    assert_eq!(rules::container_name("$web")[0].severity, Severity::Warning);
}

#[test]
fn share_names_have_no_root() {
    table(
        rules::share_name,
        &[
            ("myshare", NONE),
            ("$root", &[codes::SHARE_NAME]),
            ("My_Share", &[codes::SHARE_NAME]),
        ],
    );
}

#[test]
fn blob_name_rules() {
    let n1024 = "a".repeat(1024);
    let n1025 = "a".repeat(1025);
    let s254 = vec!["a"; 254].join("/");
    let s255 = vec!["a"; 255].join("/");
    table(
        rules::blob_name,
        &[
            ("pictures/animals/koala.jpg", NONE),
            ("Drama/GreatMovie.mov", NONE),
            ("a b/ümlaut/日本語/😀.txt", NONE),
            ("a.b/c", NONE),
            ("x\u{7F}", NONE),
            (&n1024, NONE),
            (&n1025, &[codes::BLOB_NAME_LENGTH]),
            ("", &[codes::BLOB_NAME_LENGTH]),
            (&s254, NONE),
            (&s255, &[codes::BLOB_SEGMENTS]),
            ("a\u{0}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{1F}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{81}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{8D}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{FDD0}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{FFFE}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{1FFFF}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("a\u{10FFFE}b", &[codes::BLOB_FORBIDDEN_CHAR]),
            ("file.", &[codes::BLOB_TRAILING]),
            ("dir/", &[codes::BLOB_TRAILING]),
            ("dir\\", &[codes::BLOB_TRAILING]),
            ("a./b", &[codes::BLOB_SEGMENT_DOT]),
            ("a\\b", &[codes::BLOB_BACKSLASH]),
        ],
    );
    let f = &rules::blob_trailing("dir/file...")[0];
    assert!(f.message.contains("`dir/file`"), "{}", f.message);
    assert_eq!(
        rules::blob_forbidden_chars("\u{1}")[0].severity,
        Severity::Error
    );
    assert_eq!(
        rules::blob_forbidden_chars("\u{1}")[0].predicts,
        DriveStatus::UnsupportedData
    );
}

#[test]
fn azure_files_component_rules() {
    let c255 = "a".repeat(255);
    let c256 = "a".repeat(256);
    table(
        rules::file_component,
        &[
            ("report.docx", NONE),
            ("Bad Container", NONE),
            (&c255, NONE),
            (&c256, &[codes::FILE_NAME_LENGTH]),
            ("CON", &[codes::FILE_NAME_RESERVED]),
            ("con", &[codes::FILE_NAME_RESERVED]),
            ("PRN", &[codes::FILE_NAME_RESERVED]),
            ("AUX", &[codes::FILE_NAME_RESERVED]),
            ("NUL", &[codes::FILE_NAME_RESERVED]),
            ("CLOCK$", &[codes::FILE_NAME_RESERVED]),
            ("LPT1", &[codes::FILE_NAME_RESERVED]),
            ("COM9", &[codes::FILE_NAME_RESERVED]),
            (".", &[codes::FILE_NAME_RESERVED]),
            ("..", &[codes::FILE_NAME_RESERVED]),
            ("LPT0", NONE),
            ("COM10", NONE),
            ("CONSOLE", NONE),
            ("CON.txt", &[codes::FILE_NAME_RESERVED_EXT]),
            ("a\"b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a\\b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a:b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a|b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a<b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a>b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a*b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a?b", &[codes::FILE_FORBIDDEN_CHAR]),
            ("a\u{1}b", &[codes::FILE_CONTROL_CHAR]),
            ("a\u{81}b", &[codes::FILE_CONTROL_CHAR]),
            ("file1...", &[codes::FILE_TRAILING]),
            ("file1 ", &[codes::FILE_TRAILING]),
        ],
    );
    // S-NAMEFILE: `file1...` is stored as `file1`.
    assert_eq!(rules::predicted_file_name("file1..."), "file1");
    assert!(rules::file_trailing("file1...")[0]
        .message
        .contains("`file1`"));
    assert_eq!(
        rules::file_name_reserved("CON.txt")[0].severity,
        Severity::Warning
    );
}

#[test]
fn azure_files_path_rules() {
    let p2048 = format!("{}/{}", "a".repeat(200), "b".repeat(1847));
    let long = vec!["a".repeat(200); 11].join("/");
    let d250 = vec!["d"; 250].join("/");
    let d251 = vec!["d"; 251].join("/");
    assert_eq!(p2048.chars().count(), 2048);
    assert_eq!(codes_of(&rules::file_path_length(&p2048)), NONE);
    assert_eq!(
        codes_of(&rules::file_path_length(&long)),
        [codes::FILE_PATH_LENGTH]
    );
    assert_eq!(codes_of(&rules::file_depth(&d250, true)), NONE);
    assert_eq!(
        codes_of(&rules::file_depth(&d251, true)),
        [codes::FILE_DEPTH]
    );
    // A file 251 segments deep sits in 250 directories.
    assert_eq!(codes_of(&rules::file_depth(&d251, false)), NONE);
    assert_eq!(
        codes_of(&rules::file_path("dir./CON", false)),
        [codes::FILE_TRAILING, codes::FILE_NAME_RESERVED]
    );
}

#[test]
fn page_blob_alignment_and_size_limits() {
    let align = |s| codes_of(&rules::page_blob_alignment("f", s));
    assert_eq!(align(0), NONE);
    assert_eq!(align(512), NONE);
    assert_eq!(align(1000), [codes::PAGE_BLOB_ALIGNMENT]);
    assert_eq!(align(513), [codes::PAGE_BLOB_ALIGNMENT]);
    let size = |s, k| codes_of(&rules::size_limit("f", s, k));
    let block = limits::BLOCK_BLOB_MAX.value;
    let page = limits::PAGE_BLOB_MAX.value;
    let file = limits::AZURE_FILE_MAX.value;
    let file_soft = limits::AZURE_FILE_CONSERVATIVE.value;
    assert_eq!(size(block, ObjectKind::BlockBlob), NONE);
    assert_eq!(size(block + 1, ObjectKind::BlockBlob), [codes::SIZE_LIMIT]);
    assert_eq!(size(page, ObjectKind::PageBlob), NONE);
    assert_eq!(size(page + 512, ObjectKind::PageBlob), [codes::SIZE_LIMIT]);
    assert_eq!(size(file_soft, ObjectKind::AzureFile), NONE);
    assert_eq!(
        size(file_soft + 1, ObjectKind::AzureFile),
        [codes::FILE_SIZE]
    );
    assert_eq!(size(file + 1, ObjectKind::AzureFile), [codes::SIZE_LIMIT]);
    assert_eq!(size(u64::MAX, ObjectKind::Directory), NONE);
    // Confirmed caps are errors; the unconfirmed 1 TiB one is a warning.
    assert_eq!(
        rules::size_limit("f", block + 1, ObjectKind::BlockBlob)[0].severity,
        Severity::Error
    );
    assert_eq!(
        rules::size_limit("f", file_soft + 1, ObjectKind::AzureFile)[0].severity,
        Severity::Warning
    );
}

#[test]
fn metadata_rules() {
    table(
        rules::metadata_name,
        &[
            ("DataSetName", NONE), // S-MP example
            ("_private1", NONE),
            ("1abc", &[codes::METADATA_NAME]),
            ("a-b", &[codes::METADATA_NAME]),
            ("", &[codes::METADATA_NAME]),
            ("naïve", &[codes::METADATA_NAME]),
            ("class", &[codes::METADATA_NAME]),
        ],
    );
    let dup = rules::metadata_set("m.xml", &[("Name", "a"), ("name", "b")]);
    assert_eq!(codes_of(&dup), [codes::METADATA_DUPLICATE]);
    let big = "v".repeat(8 * 1024);
    let f = rules::metadata_set("m.xml", &[("k", &big)]);
    assert_eq!(codes_of(&f), [codes::METADATA_SIZE]);
    let ok = "v".repeat(8 * 1024 - 1);
    assert!(rules::metadata_set("m.xml", &[("k", &ok)]).is_empty());
}

#[test]
fn entry_rules() {
    let p253 = "a".repeat(253);
    let p254 = "a".repeat(254);
    assert_eq!(codes_of(&rules::long_path(&p253)), NONE);
    assert_eq!(codes_of(&rules::long_path(&p254)), [codes::LONG_PATH]);
    assert_eq!(codes_of(&rules::too_many_containers(512)), NONE);
    assert_eq!(
        codes_of(&rules::too_many_containers(513)),
        [codes::TOO_MANY_CONTAINERS]
    );
    assert_eq!(
        rules::reparse_point("l")[0].predicts,
        DriveStatus::UnsupportedData
    );
    assert_eq!(rules::efs_encrypted("e")[0].severity, Severity::Error);
    assert_eq!(rules::empty_directory("d")[0].severity, Severity::Info);
}

#[test]
fn messages_stay_printable_and_bounded() {
    let evil = format!("{}\u{1}\u{1b}[31m", "x".repeat(5000));
    for f in rules::blob_name(&evil) {
        assert!(f.message.len() < 1000, "{}", f.message);
        assert!(!f.message.chars().any(|c| c.is_control()), "{}", f.message);
    }
}

#[test]
fn limits_table_backs_the_rules() {
    assert_eq!(limits::BLOB_NAME_MAX.value, 1024);
    assert_eq!(limits::BLOB_SEGMENTS_MAX.value, 254);
    assert_eq!(limits::FILE_COMPONENT_MAX.value, 255);
    assert_eq!(limits::FILE_PATH_MAX.value, 2048);
    assert_eq!(limits::FILE_DEPTH_MAX.value, 250);
    assert_eq!(limits::CONTAINERS_MAX.value, 512);
    assert_eq!(
        limits::by_name("containers-max").map(|l| l.confirmed),
        Some(false)
    );
    assert!(limits::ALL.iter().all(|l| !l.source.is_empty()));
}
