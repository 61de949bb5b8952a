//! Drive-manifest rules (§1.2) on manifests made by the test helper: the
//! correct one passes; each damaged copy yields its own finding, with line and
//! column; the account key is never printed.

use crate::common;

use common::cli::Cmd;
use common::manifest::*;
use ie_preflight::manifest::{codes, parse_manifest};
use ie_preflight::report::{Finding, Severity};

fn good() -> String {
    build_manifest(DRIVE_ID, &standard_files())
}

fn errors(text: &str) -> Vec<String> {
    let (_, f) = parse_manifest(text.as_bytes());
    f.iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.to_string())
        .collect()
}

fn has(text: &str, code: &str) {
    let (_, f) = parse_manifest(text.as_bytes());
    let hit = f.iter().find(|f| f.code == code);
    assert!(hit.is_some(), "{code} expected, got {f:#?}");
    let subject = &hit.map(|f| f.subject.clone()).unwrap_or_default();
    assert!(subject.starts_with("line "), "no line/column: {subject}");
}

#[test]
fn correct_manifest_passes() {
    let (m, f) = parse_manifest(good().as_bytes());
    assert!(f.is_empty(), "{f:#?}");
    let m = m.expect("parsed");
    assert_eq!(m.drive_id.as_deref(), Some(DRIVE_ID));
    assert_eq!(m.credential, Some("StorageAccountKey"));
    assert_eq!(m.blobs().count(), standard_files().len());
    let big = m.blobs().next().expect("blob");
    assert_eq!(big.ranges.len(), 4); // 13 MiB + 123 in 4 MiB blocks
}

#[test]
fn block_rules() {
    // A gap: the second block of big.bin starts one byte late.
    has(
        &good().replacen("Offset=\"4194304\"", "Offset=\"4194305\"", 1),
        codes::BLOCK_GAP,
    );
    // Overlap.
    has(
        &good().replacen("Offset=\"4194304\"", "Offset=\"4194303\"", 1),
        codes::BLOCK_OVERLAP,
    );
    // A hash that is not 32 hex digits.
    let g = good();
    let h = md5_hex(&noise(13 * (1 << 20) + 123, 1)[..BLOCK]);
    has(&g.replacen(&h, "XYZ", 1), codes::HASH_FORMAT);
    // Too large a block.
    has(
        &g.replacen("Length=\"4194304\"", "Length=\"4194305\"", 1),
        codes::BLOCK_TOO_LARGE,
    );
    // Blocks not covering the file.
    has(
        &g.replacen("<Length>13631611<", "<Length>23631611<", 1),
        codes::BLOCKS_SHORT,
    );
    // Ids: not Base64, and only on some blocks.
    has(
        &g.replacen("Id=\"AAAAAA==\"", "Id=\"A!AAAA==\"", 1),
        codes::BLOCK_ID_BASE64,
    );
    has(&g.replacen("Id=\"AAAAAA==\"", "", 1), codes::BLOCK_ID_MIXED);
    has(
        &g.replacen("Id=\"AAAAAA==\"", "Id=\"AAAAAAAAAAAA\"", 1),
        codes::BLOCK_ID_LENGTH,
    );
}

#[test]
fn too_many_blocks() {
    let mut s = String::from("<DriveManifest Version=\"2014-11-01\"><Drive><DriveId>X</DriveId><ContainerSas>cont?sv=1&amp;sig=abc</ContainerSas><BlobList><Blob><BlobPath>cont/b</BlobPath><FilePath>\\b</FilePath><Length>50001</Length><BlockList>");
    // Indented as a tool writes it: the whitespace between the blocks (far
    // over the 64 KiB text bound in all) is not the list's text.
    for k in 0..50_001u64 {
        s.push_str(&format!(
            "\n          <Block Offset=\"{k}\" Length=\"1\" Hash=\"{}\"/>",
            "0".repeat(32)
        ));
    }
    s.push_str("\n        </BlockList></Blob></BlobList></Drive></DriveManifest>");
    assert_eq!(errors(&s), vec![codes::TOO_MANY_BLOCKS.to_string()]);
}

#[test]
fn page_rules() {
    let g = good();
    let files = standard_files();
    let vhd = &files[2].data;
    let range = format!(
        "<PageRange Offset=\"0\" Length=\"1048576\" Hash=\"{}\"/>",
        md5_hex(vhd)
    );
    assert!(g.contains(&range));
    let two = format!(
        "<PageRange Offset=\"0\" Length=\"524288\" Hash=\"{}\"/><PageRange Offset=\"523776\" Length=\"524800\" Hash=\"{}\"/>",
        md5_hex(&vhd[..524288]),
        md5_hex(&vhd[523776..])
    );
    has(&g.replace(&range, &two), codes::PAGE_OVERLAP);
    has(
        &g.replace(
            &range,
            &range.replace("Length=\"1048576\"", "Length=\"1000\""),
        ),
        codes::PAGE_ALIGN,
    );
    has(
        &g.replace("<Length>1048576</Length>", "<Length>1048577</Length>"),
        codes::PAGE_BLOB_LENGTH,
    );
    has(
        &g.replace(&range, &range.replace(" Hash=", " X=")),
        codes::HASH_MISSING,
    );
}

#[test]
fn drive_rules() {
    let g = good();
    // DriveId after the BlobList.
    let moved = g
        .replace(&format!("    <DriveId>{DRIVE_ID}</DriveId>\n"), "")
        .replace(
            "  </Drive>",
            &format!("<DriveId>{DRIVE_ID}</DriveId></Drive>"),
        );
    has(&moved, codes::DRIVE_ID_ORDER);
    has(
        &g.replace(&format!("    <DriveId>{DRIVE_ID}</DriveId>\n"), ""),
        codes::DRIVE_ID_MISSING,
    );
    // Key and SAS both; neither.
    has(
        &g.replace(
            "<ClientCreator>",
            "<ContainerSas>backup?sv=1&amp;sig=x</ContainerSas><ClientCreator>",
        ),
        codes::CREDENTIALS_BOTH,
    );
    let key = format!(
        "<StorageAccountKey>{}</StorageAccountKey>",
        base64(&[7u8; 64])
    );
    has(&g.replace(&key, ""), codes::CREDENTIALS_MISSING);
    has(
        &g.replace("<DriveManifest ", "<Manifest ")
            .replace("</DriveManifest>", "</Manifest>"),
        codes::ROOT,
    );
    has(
        &g.replacen(
            "</Length>",
            "</Length><ImportDisposition>replace</ImportDisposition>",
            1,
        ),
        codes::DISPOSITION,
    );
    has(
        &g.replacen("<BlobPath>backup/", "<BlobPath>/backup/", 1),
        codes::BLOB_PATH,
    );
    has(
        &g.replacen(
            "<BlobPath>backup/data/mid.bin",
            "<BlobPath>backup/data/big.bin",
            1,
        ),
        codes::DUPLICATE_BLOB,
    );
    has(
        &g.replacen(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
            1,
        ),
        codes::DOCTYPE,
    );
    has(
        &g.replacen("<ClientCreator>", "<ClientCreator>&e;", 1),
        codes::XML,
    );
    has(&g.replacen("</Blob>", "", 1), codes::XML);
}

#[test]
fn secrets_never_printed() {
    let key = "c2VjcmV0LWtleS10aGF0LWlzLXdyb25n";
    let g = good().replace(&base64(&[7u8; 64]), key);
    let (_, f) = parse_manifest(g.as_bytes());
    assert!(f.iter().any(|f| f.code == codes::ACCOUNT_KEY_FORMAT));
    let all = serde_json::to_string(&f).expect("json");
    assert!(!all.contains(key), "the key leaked: {all}");
    let sas = "backup?sv=2020&sig=SECRETSIG";
    let g = good().replace(
        &format!(
            "<StorageAccountKey>{}</StorageAccountKey>",
            base64(&[7u8; 64])
        ),
        &format!("<ContainerSas>{}</ContainerSas>", sas.replace('&', "&amp;")),
    );
    let (_, f) = parse_manifest(g.as_bytes());
    assert!(f.is_empty(), "{f:#?}");
    let bad = g.replace("sig=SECRETSIG", "nosig=SECRETSIG");
    let (_, f) = parse_manifest(bad.as_bytes());
    assert!(f.iter().any(|f| f.code == codes::SAS_FORMAT));
    assert!(!serde_json::to_string(&f)
        .expect("json")
        .contains("SECRETSIG"));
}

#[test]
fn hostile_input_does_not_panic() {
    let g = good();
    for cut in (0..g.len()).step_by(97) {
        let _ = parse_manifest(&g.as_bytes()[..cut]);
    }
    let deep = "<a>".repeat(10_000);
    assert!(errors(&deep).contains(&codes::XML.to_string()));
    let _ = parse_manifest(&[0xff, 0xfe, 0, 0]);
    let _ = parse_manifest(b"\xc3\x28");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rule-codes.md"))
        .expect("docs/rule-codes.md");
    for code in codes::ALL.iter().chain(ie_preflight::scan::codes::ALL) {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "{code} is not in docs/rule-codes.md"
        );
    }
}

#[test]
fn sas_container_must_hold_every_blob() {
    let key = format!(
        "<StorageAccountKey>{}</StorageAccountKey>",
        base64(&[7u8; 64])
    );
    let g = good().replace(&key, "<ContainerSas>other?sv=1&amp;sig=abc</ContainerSas>");
    let (_, f) = parse_manifest(g.as_bytes());
    assert!(f.iter().any(|f| f.code == codes::SAS_CONTAINER), "{f:#?}");
    assert!(f.iter().all(|f| !f.message.contains("sig=abc")));
}

/// "line L, column C" of the first `needle` in `text` (columns count characters).
fn at(text: &str, needle: &str) -> String {
    let i = text.find(needle).expect("needle in the manifest");
    let before = &text[..i];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("line {line}, column {col}")
}

/// The one finding with `code`, which must be at the first `needle` of `text`.
fn only(text: &str, code: &str, needle: &str) -> Finding {
    let (_, f) = parse_manifest(text.as_bytes());
    let mut hits: Vec<Finding> = f.into_iter().filter(|f| f.code == code).collect();
    let subjects: Vec<String> = hits.iter().map(|f| f.subject.clone()).collect();
    assert_eq!(subjects, vec![at(text, needle)], "{code}: {hits:#?}");
    hits.remove(0)
}

/// Asserts no finding has `code`; returns all the findings as JSON.
fn none(text: &str, code: &str) -> String {
    let (_, f) = parse_manifest(text.as_bytes());
    assert!(f.iter().all(|f| f.code != code), "{f:#?}");
    serde_json::to_string(&f).expect("json")
}

#[test]
fn every_blob_starts_with_no_children_seen() {
    // A stray <Blob> under <Drive>, after a list whose last blob has the same
    // children: it is misplaced, but none of its children is "a second" one.
    let stray = "<Blob><BlobPath>backup/stray</BlobPath><FilePath>\\stray</FilePath><Length>1</Length></Blob>";
    let g = good().replace("  </Drive>", &format!("  {stray}\n  </Drive>"));
    none(&g, codes::DUPLICATE_ELEMENT);
    only(&g, codes::UNKNOWN_ELEMENT, "<Blob><BlobPath>backup/stray");
    // What a stray <Blob> holds is not checked further (it is not imported).
    let twice = g.replace(
        "<Length>1</Length></Blob>",
        "<Length>1</Length><Length>2</Length></Blob>",
    );
    none(&twice, codes::DUPLICATE_ELEMENT);
    // A <Blob> nested in a blob is misplaced, and changes nothing of the
    // outer one: not its file, not its children seen, not its blocks.
    let nested = good().replacen(
        "</Length>\n",
        "</Length><Blob><FilePath>\\other</FilePath><Length>3</Length><BlockList><Block Offset=\"0\" Length=\"3\"/></BlockList></Blob><Length>4</Length>\n",
        1,
    );
    only(&nested, codes::DUPLICATE_ELEMENT, "<Length>4<");
    only(&nested, codes::UNKNOWN_ELEMENT, "<Blob><FilePath>\\other");
    let (m, _) = parse_manifest(nested.as_bytes());
    let (_, plain) = parse_manifest(good().as_bytes());
    let files = |m: Option<ie_preflight::manifest::Manifest>| {
        m.map(|m| {
            m.blob_targets()
                .into_iter()
                .map(|t| t.file_path)
                .collect::<Vec<_>>()
        })
    };
    assert!(plain.is_empty(), "{plain:#?}");
    assert_eq!(
        files(m),
        files(parse_manifest(good().as_bytes()).0),
        "the outer blob kept its own FilePath"
    );
}

#[test]
fn drive_id_format_is_not_a_mismatch() {
    let g = good().replace(
        &format!("<DriveId>{DRIVE_ID}</DriveId>"),
        "<DriveId>WD WCC4N 1234567</DriveId>",
    );
    none(&g, codes::DRIVE_ID_MISMATCH);
    let f = only(&g, codes::DRIVE_ID_FORMAT, "<DriveId>");
    assert_eq!(f.severity, Severity::Warning);
    // The comparison with --drive-id keeps its own code.
    let m = ie_preflight::manifest::check_drive_id("OTHER", DRIVE_ID, "DriveId");
    assert_eq!(m.map(|f| f.code), Some(codes::DRIVE_ID_MISMATCH));
}

#[test]
fn credential_findings_point_at_the_credential() {
    let key = "c2VjcmV0LWtleS10aGF0LWlzLXdyb25n";
    let g = good().replace(&base64(&[7u8; 64]), key);
    let f = only(&g, codes::ACCOUNT_KEY_FORMAT, "<StorageAccountKey>");
    assert_ne!(f.subject, at(&g, "<Drive>"));
    assert!(!none(&g, codes::SAS_FORMAT).contains(key), "the key leaked");
    let sas = g.replace(
        &format!("<StorageAccountKey>{key}</StorageAccountKey>"),
        "<ContainerSas>backup?sv=1&amp;nosig=SECRETSIG</ContainerSas>",
    );
    only(&sas, codes::SAS_FORMAT, "<ContainerSas>");
    assert!(!none(&sas, codes::ACCOUNT_KEY_FORMAT).contains("SECRETSIG"));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
        /// Byte flips anywhere in a correct manifest never panic, and every
        /// finding still has a line and column.
        #[test]
        fn byte_flips_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            static GOOD: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let mut b = GOOD.get_or_init(|| good().into_bytes()).clone();
            for (at, v) in flips {
                let n = b.len();
                b[at % n] = v;
            }
            let (_, f) = parse_manifest(&b);
            for x in f {
                prop_assert!(x.subject.starts_with("line "), "{}", x.subject);
            }
        }
    }
}

/// The scan options of `manifest` need a drive: without `--source` each is a
/// usage error naming `--source` (it was silently ignored); with it, accepted.
#[test]
fn drive_options_need_source() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("DriveManifest.xml");
    std::fs::write(&xml, good()).unwrap();
    let out = dir.path().join("out.txt");
    let out = out.to_str().unwrap();
    let sample = common::testdata().join("sample-drive.img");
    let cmd = || Cmd::new(["manifest"]).arg(&xml);
    assert_eq!(cmd().run().code, 0);
    let key = "000000-000000-000000-000000-000000-000000-000000-000000";
    let file = xml.to_str().unwrap();
    let options: [&[&str]; 11] = [
        &["--hashes", out],
        &["--hashes-md5", out],
        &["--hashes-in-json", "--json"],
        &["--surface"],
        &["--threads", "2"],
        &["--no-hash"],
        &["--sector-size", "512"],
        &["--recovery-key", key],
        &["--recovery-key-file", file],
        &["--password-file", file],
        &["--bek", file],
    ];
    for opt in options {
        let r = cmd().args(opt).run();
        let err = &r.stderr;
        assert_eq!(r.code, 2, "{opt:?}: {err}");
        assert!(err.contains("--source"), "{opt:?}: {err}");
        assert!(!std::path::Path::new(out).exists(), "{opt:?}");
        // With a drive it is accepted (the sample has no BitLocker: exit 1).
        let r = cmd().args(opt).arg("--source").arg(&sample).run();
        let err = &r.stderr;
        assert_eq!(r.code, 1, "{opt:?} --source: {err}");
        if opt.contains(&out) {
            std::fs::remove_file(out).unwrap(); // it was written
        }
    }
    // Each option's help (its line and the wrapped ones after it) says it needs --source.
    let help = cmd().arg("--help").run().stdout;
    let lines: Vec<&str> = help.lines().map(str::trim_start).collect();
    for opt in [
        "--hashes ",
        "--hashes-md5 ",
        "--hashes-in-json ",
        "--surface ",
        "--threads ",
        "--no-hash ",
        "--sector-size ",
        "--recovery-key-file ",
        "--bek ",
    ] {
        let at = lines.iter().position(|l| l.starts_with(opt)).unwrap();
        let text: Vec<&str> = std::iter::once(lines[at])
            .chain(
                lines[at + 1..]
                    .iter()
                    .copied()
                    .take_while(|l| !l.starts_with('-') || l.starts_with("--source)")),
            )
            .collect();
        let text = text.join(" ");
        assert!(text.contains("(needs --source)"), "{text}");
    }
}

/// Malformed XML inside a credential: no finding quotes anything from inside
/// it (quick-xml's own errors name the "elements" a stray `<` makes).
#[test]
fn malformed_credentials_are_never_quoted() {
    let key = format!(
        "<StorageAccountKey>{}</StorageAccountKey>",
        base64(&[7u8; 64])
    );
    // Two secret parts, so a message quoting either half is caught.
    let (a, b) = ("QQSECRETQQ", "ZZKEYZZ");
    let shapes = [
        format!("{a}<{b}"),
        format!("{a}<{b}/>"),
        format!("<{b}>{a}</{b}>"),
        format!("<{b} x=\"{a}\"/>"),
        format!("{a}</{b}>"),
        format!("{a}&{b};"),
        format!("{a}&{b}"),
        format!("{a} & {b}"),
        format!("<![CDATA[{a}{b}"),
        format!("<![CDATA[{a}]]>&{b};"),
        format!("{a}<!--{b}"),
        format!("{a}<?{b}"),
        format!("{a}<{b}<{b}>"),
        format!("{a}{b}"),
    ];
    // Misspelt credential elements hold secrets too.
    for cred in [
        "StorageAccountKey",
        "ContainerSas",
        "ContainerSAS",
        "storageaccountkey",
    ] {
        for shape in &shapes {
            for closed in [true, false] {
                let end = if closed {
                    format!("</{cred}>")
                } else {
                    String::new()
                };
                let g = good().replace(&key, &format!("<{cred}>{shape}{end}"));
                let (_, f) = parse_manifest(g.as_bytes());
                assert!(!f.is_empty(), "{cred} {shape}: no finding");
                let all = format!("{}{f:?}", serde_json::to_string(&f).expect("json"));
                assert!(
                    !all.contains(a) && !all.contains(b),
                    "{cred} {shape} closed={closed} leaked: {f:#?}"
                );
            }
        }
    }
    // The malformed-XML finding says where, and why nothing is shown.
    let g = good().replace(&key, &format!("<ContainerSas>{a}<{b}</ContainerSas>"));
    let (_, f) = parse_manifest(g.as_bytes());
    assert!(
        f.iter().any(|f| f.code == codes::XML
            && f.message.contains("inside <ContainerSas>")
            && f.subject.starts_with("line ")),
        "{f:#?}"
    );
}

/// Text over 64 KiB is a finding at its element, and its value is not used.
#[test]
fn over_long_text_is_a_finding() {
    let big = "x".repeat(100_000);
    let g = good().replace(
        "<ClientCreator>ie-preflight tests</ClientCreator>",
        &format!("<ClientCreator>{big}</ClientCreator>"),
    );
    let f = only(&g, codes::TOO_LONG, "<ClientCreator>");
    assert!(
        f.message.contains("<ClientCreator> is 100000 bytes"),
        "{}",
        f.message
    );
    let (m, _) = parse_manifest(g.as_bytes());
    assert_eq!(m.expect("parsed").client_creator, None);
    // Split over text, references and CDATA, it is still one element's text.
    let g = good().replace(
        "<ClientCreator>ie-preflight tests</ClientCreator>",
        &format!(
            "<ClientCreator>{0}&amp;<![CDATA[{0}]]>{0}</ClientCreator>",
            "y".repeat(30_000)
        ),
    );
    only(&g, codes::TOO_LONG, "<ClientCreator>");
    // A BlobPath over the bound: the blob is judged without one.
    let g = good().replacen("<BlobPath>backup/", &format!("<BlobPath>backup/{big}"), 1);
    only(&g, codes::TOO_LONG, "<BlobPath>backup/");
    assert!(errors(&g).contains(&codes::BLOB_PATH.to_string()));
    // A credential over the bound is named, never shown nor judged.
    let key = base64(&[7u8; 64]);
    let g = good().replace(&key, &format!("{key}{big}"));
    let f = only(&g, codes::TOO_LONG, "<StorageAccountKey>");
    assert!(!f.message.contains("xxxx"), "{}", f.message);
    none(&g, codes::ACCOUNT_KEY_FORMAT);
}

/// (code, subject) of every error.
fn error_at(bytes: &[u8]) -> Vec<(String, String)> {
    let (_, f) = parse_manifest(bytes);
    f.iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.code.to_string(), f.subject.clone()))
        .collect()
}

#[test]
fn utf16_manifests_are_checked_like_utf8() {
    // Several errors, after non-ASCII characters on their lines (columns
    // count characters of the decoded text).
    let bad = good()
        .replacen("<Length>", "<Length>é", 1)
        .replacen("Offset=\"4194304\"", "Offset=\"4194305\"", 1)
        .replace("<ClientCreator>ie-preflight tests", "<ClientCreator>ü€𝄞")
        .replacen("<BlobPath>backup/", "<BlobPath>€/backup/", 1)
        .replacen("</Blob>", "</Blob><Blob></Blob>", 1);
    let want = error_at(bad.as_bytes());
    assert!(want.len() >= 4, "{want:#?}");
    let (_, f) = parse_manifest(bad.as_bytes());
    assert!(f.iter().all(|f| f.code != codes::ENCODING));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(bad.as_bytes());
    assert_eq!(error_at(&bom), want, "UTF-8 with a BOM");
    for be in [false, true] {
        let b = common::utf16(&bad, be);
        assert_eq!(error_at(&b), want, "UTF-16, big endian: {be}");
        let (_, f) = parse_manifest(&b);
        let w = f
            .iter()
            .find(|f| f.code == codes::ENCODING)
            .expect("warning");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("unconfirmed"), "{}", w.message);
        // A correct one passes but for the warning, and is returned.
        let (m, f) = parse_manifest(&common::utf16(&good(), be));
        assert!(m.is_some());
        assert_eq!(f.len(), 1, "{f:#?}");
    }
    // Invalid UTF-16 is an error, never a pass: an unpaired surrogate, an
    // odd last byte.
    let mut lone = common::utf16("<DriveManifest>\n<a", false);
    lone.extend([0x00, 0xD8, b'>', 0]);
    let (m, f) = parse_manifest(&lone);
    assert!(m.is_none());
    assert_eq!(
        f.iter()
            .map(|f| (f.code, f.severity, f.subject.as_str()))
            .collect::<Vec<_>>(),
        vec![(codes::ENCODING, Severity::Error, "line 2, column 3")]
    );
    let mut odd = common::utf16(&good(), true);
    odd.push(b'x');
    let (_, f) = parse_manifest(&odd);
    assert!(f
        .iter()
        .any(|f| f.code == codes::ENCODING && f.severity == Severity::Error));
}
