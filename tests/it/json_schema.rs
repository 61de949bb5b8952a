//! Every `--json` document of every subcommand, validated against its JSON
//! Schema in `docs/schema/` (draft 2020-12), table-driven: one [`Case`] per
//! command line, run on the repository's test inputs (and the Windows-made
//! BitLocker images of `../shared/testdata` where those are present, skipped
//! as everywhere else otherwise).
//!
//! The validator (`common::schema`) is [`boon`] 0.6: it implements draft 2020-12 in full
//! (`unevaluatedProperties`, which the flattened Rust structs need, `$ref`
//! between files), loads the schemas' relative `$ref`s
//! (`common.schema.json#/$defs/finding`) from the files themselves, and has no
//! network code. `jsonschema` 0.61 does the same, but even without its default
//! HTTP features it took twice as long to build here (200 s against 103 s for
//! boon on this 2-core machine, each from nothing), for nothing these tests use.

use crate::bitlk;
use crate::common;

use common::cli::{ie_preflight, Run};
use common::images::image;
use common::schema::{compiled, schema_dir, validate, SCHEMAS};
use serde_json::Value;
use std::ffi::OsString;
use std::path::Path;

/// One command line, the schema its output must match and its exit code.
struct Case {
    schema: &'static str,
    args: Vec<OsString>,
    exit: i32,
}

fn case<S: Into<OsString>>(
    schema: &'static str,
    exit: i32,
    args: impl IntoIterator<Item = S>,
) -> Case {
    Case {
        schema,
        args: args.into_iter().map(Into::into).collect(),
        exit,
    }
}

/// Run every case; fail with every mismatch at once.
fn run_cases(cases: &[Case]) -> Vec<Value> {
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for c in cases {
        let r: Run = ie_preflight(&c.args).assert_no_panic();
        let shown = format!("{:?}", c.args);
        if r.code != c.exit {
            problems.push(format!(
                "{shown}: exit {} (wanted {})\n{}",
                r.code, c.exit, r.stderr
            ));
        }
        let Some(doc) = r.json else {
            problems.push(format!(
                "{shown}: stdout is not one JSON document: {}",
                r.stdout
            ));
            continue;
        };
        if let Err(e) = validate(c.schema, &doc) {
            problems.push(format!("{shown} against {}.schema.json:\n{e}", c.schema));
        }
        docs.push(doc);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    docs
}

fn data(name: &str) -> OsString {
    common::testdata().join(name).into_os_string()
}

fn os(p: &Path) -> OsString {
    p.as_os_str().to_owned()
}

/// `words` with the paths spliced in where a word is `{}` (in order).
fn line(words: &str, paths: &[&OsString]) -> Vec<OsString> {
    let mut paths = paths.iter();
    words
        .split_whitespace()
        .map(|w| match w {
            "{}" => (*paths.next().expect("a path for each {}")).clone(),
            w => OsString::from(w),
        })
        .collect()
}

#[test]
fn every_schema_compiles_and_declares_draft_2020_12() {
    compiled();
    for entry in std::fs::read_dir(schema_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        let stem = name.strip_suffix(".schema.json").unwrap();
        assert!(
            stem == "common" || SCHEMAS.contains(&stem),
            "{name} is not validated by any test"
        );
    }
}

#[test]
fn drive_reports_match_check_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sample = data("sample-drive.img");
    let md5 = os(&dir.path().join("inventory.md5"));
    let manifest = os(&dir.path().join("DriveManifest.xml"));
    std::fs::write(
        &manifest,
        common::manifest::build_manifest(
            common::manifest::DRIVE_ID,
            &common::manifest::standard_files(),
        ),
    )
    .unwrap();
    let mut cases = vec![
        case("check", 1, line("check {} --json", &[&sample])),
        case(
            "check",
            1,
            line("check {} --json --hashes-in-json", &[&sample]),
        ),
        case(
            "check",
            1,
            line(
                "check {} --json --hashes-in-json --hashes-md5 {}",
                &[&sample, &md5],
            ),
        ),
        case("check", 1, line("check {} --json --dest c/", &[&sample])),
        case(
            "check",
            1,
            line("check {} --json --files --dest share/dir/", &[&sample]),
        ),
        case("check", 1, line("check {} --json --no-hash", &[&sample])),
        case(
            "check",
            0,
            line("check {} --json --job-type export --surface", &[&sample]),
        ),
        case(
            "manifest",
            1,
            line("manifest {} --source {} --json", &[&manifest, &sample]),
        ),
    ];
    for (img, exit) in [
        ("mbr-ntfs.img.xz", 1),
        ("gpt-esp-msr-ntfs.img.xz", 1),
        ("gpt-4k-ntfs.img.xz", 1),
        ("mbr-logical-ntfs.img.xz", 1),
        ("superfloppy-ntfs.img.xz", 1),
        ("exfat-only.img.xz", 1),
        ("zeros.img.xz", 1),
        ("gpt-bad-primary-crc.img.xz", 1),
        ("ntfs/dmg-dirty.img.xz", 1),
    ] {
        let p = os(&image(img));
        cases.push(case("check", exit, line("check {} --json", &[&p])));
    }
    let docs = run_cases(&cases);
    // The cases reach the parts of the schema they are meant to.
    assert!(docs[2]["volume"]["ntfs"]["content"]["hashes"][0]["md5"].is_string());
    assert!(docs[6]["surface"].is_object());
    assert!(docs[3]["rules"][0]["findings"].is_array());
}

#[test]
fn listing_matches_ls_schema() {
    let sample = data("sample-drive.img");
    let full = os(&image("ntfs/full.img.xz"));
    run_cases(&[
        case("ls", 0, line("ls {} --json", &[&sample])),
        case("ls", 0, line("ls {} --json --system", &[&full])),
        // Could not list: the error document.
        case(
            "error",
            3,
            line("ls {} --json", &[&os(&image("zeros.img.xz"))]),
        ),
    ]);
}

#[test]
fn file_commands_match_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = os(&dir.path().join("DriveManifest.xml"));
    let good = common::manifest::build_manifest(
        common::manifest::DRIVE_ID,
        &common::manifest::standard_files(),
    );
    std::fs::write(&manifest, &good).unwrap();
    let broken = os(&dir.path().join("broken.xml"));
    std::fs::write(&broken, good.replace("</BlobList>", "")).unwrap();
    let dataset = os(&dir.path().join("dataset.csv"));
    std::fs::write(&dataset, "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\"F:\\\\50M_original\\\\\",\"containername/\",BlockBlob,overwrite,\"None\",None\n").unwrap();
    let driveset = os(&dir.path().join("driveset.csv"));
    std::fs::write(&driveset, "DriveLetter,FormatOption,SilentOrPromptOnFormat,Encryption,ExistingBitLockerKey\nG,AlreadyFormatted,SilentMode,AlreadyEncrypted,not-a-key\n").unwrap();
    let hashes = os(&dir.path().join("hashes.txt"));
    std::fs::write(&hashes, format!("{}  some/file.bin\n", "0".repeat(64))).unwrap();
    let inventory = data("bloblist/inventory/az-blob-list.json");
    let inv_list = data("bloblist/inventory/list.xml");
    let mut cases = vec![
        case("manifest", 0, line("manifest {} --json", &[&manifest])),
        case(
            "manifest",
            1,
            line(
                "manifest {} --json --drive-id OTHER --manifest-hash 00",
                &[&manifest],
            ),
        ),
        case("manifest", 1, line("manifest {} --json", &[&broken])),
        case(
            "blob-list",
            0,
            line("blob-list {} --json", &[&data("bloblist/valid.xml")]),
        ),
        case(
            "blob-list",
            1,
            line("blob-list {} --json", &[&data("bloblist/root-case.xml")]),
        ),
        case(
            "blob-list",
            1,
            line("blob-list {} --json", &[&data("bloblist/malformed.xml")]),
        ),
        case(
            "blob-list",
            1,
            line(
                "blob-list {} --json --inventory {} --drive-size 1TB",
                &[&inv_list, &inventory],
            ),
        ),
        case("dataset", 0, line("dataset {} --json", &[&dataset])),
        case(
            "dataset",
            1,
            line("dataset {} {} --json", &[&dataset, &driveset]),
        ),
    ];
    for (log, exit) in [
        ("classic-verbose.xml", 1),
        ("databox-copylog.xml", 1),
        ("databox-verbose.xml", 0),
    ] {
        let f = data(&format!("logs/{log}"));
        cases.push(case("log", exit, line("log {} --json", &[&f])));
    }
    cases.push(case(
        "log",
        1,
        line(
            "log {} --json --hashes {}",
            &[&data("logs/databox-verbose.xml"), &hashes],
        ),
    ));
    for job in [
        "az-cli-show.json",
        "rest-import.json",
        "drive-list.json",
        "journal.jrn",
        "_DriveInfo_9CA995BB.xml",
        "databox/import-datacopy.json",
        "databox/import-completed-with-errors.az.json",
        "databox/import-awaiting-shipment.json",
        "databox/export-shipped-back.json",
        "databox/list.json",
        "classic/cancel-requested.json",
        "classic/list.json",
    ] {
        let f = data(&format!("jobs/{job}"));
        let exit = ie_preflight(line("status {}", &[&f])).code;
        cases.push(case("status", exit, line("status {} --json", &[&f])));
    }
    run_cases(&cases);
}

#[test]
fn source_dir_rules_match_their_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("photos")).unwrap();
    std::fs::write(dir.path().join("photos/a.jpg"), b"jpeg").unwrap();
    std::fs::write(dir.path().join("photos/bad\\name.txt"), b"x").unwrap();
    std::fs::write(dir.path().join("photos/con"), b"x").unwrap();
    std::fs::create_dir(dir.path().join("photos/empty")).unwrap();
    let d = os(dir.path());
    let docs = run_cases(&[
        case(
            "check-source-dir",
            0,
            line("check --json --source-dir {} --dest music/", &[&d]),
        ),
        case(
            "check-source-dir",
            0,
            line("check --json --source-dir {} --files --dest share/", &[&d]),
        ),
        case(
            "check-source-dir",
            1,
            line("check --json --strict --source-dir {} --dest Music/", &[&d]),
        ),
    ]);
    assert!(
        docs[2]["rules"][0]["findings"][0]["code"].is_string(),
        "{}",
        docs[2]
    );
}

#[test]
fn job_check_matches_its_schema() {
    let sample = os(&image("mbr-ntfs.img.xz"));
    let job = data("jobs/drive-list.json");
    let s1 = OsString::from(format!("S1={}", sample.to_string_lossy()));
    let docs = run_cases(&[case(
        "check-job",
        1,
        line("check --json --job {} {}", &[&job, &s1]),
    )]);
    assert!(docs[0]["drives"][0]["report"].is_object(), "{}", docs[0]);
    // A drive names its device or image `path`, as the report's `disk.path`.
    let mut old = docs[0].clone();
    let d = old["drives"][0].as_object_mut().unwrap();
    let path = d.remove("path").unwrap();
    d.insert("source".into(), path);
    assert!(validate("check-job", &old).is_err(), "source accepted");
}

#[test]
fn error_documents_match_their_schema() {
    let sample = data("sample-drive.img");
    let dir = tempfile::tempdir().unwrap();
    let empty = os(&dir.path().join("empty.img"));
    std::fs::write(&empty, b"").unwrap();
    run_cases(&[
        // Usage errors the command finds, and those clap finds.
        case(
            "error",
            2,
            line("check {} --json --hashes {}", &[&sample, &sample]),
        ),
        case(
            "error",
            2,
            line("check {} --json --job-type export --dest c/", &[&sample]),
        ),
        case(
            "error",
            2,
            line("check {} --json --no-hash --surface", &[&sample]),
        ),
        case(
            "error",
            2,
            line("check {} --json --sector-size 1024", &[&sample]),
        ),
        case("error", 2, line("status --json", &[])),
        case("error", 2, line("log --json --no-such-option x", &[])),
        // Could not be completed.
        case("error", 3, line("check /nonexistent/drive.img --json", &[])),
        case("error", 3, line("check {} --json", &[&empty])),
        case("error", 3, line("log {} --json", &[&sample])),
        case(
            "error",
            3,
            line("status {} --json", &[&data("logs/classic-verbose.xml")]),
        ),
        case(
            "error",
            3,
            line("blob-list /nonexistent/list.xml --json", &[]),
        ),
    ]);
}

#[test]
fn devices_match_their_schema() {
    // Without block devices (no /sys/block) it is still a document: no devices.
    run_cases(&[case("devices", 0, ["devices", "--json"])]);
}

#[test]
fn bitlocker_reports_match_check_schema() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = os(&dir.path().join("key.txt"));
    std::fs::write(&key, format!("{}\n", img.get("RP").unwrap())).unwrap();
    let p = os(&img.path);
    let job = os(&dir.path().join("job.json"));
    let j = serde_json::json!([{"driveId": "GOOD1", "bitLockerKey": img.get("RP").unwrap()}]);
    std::fs::write(&job, j.to_string()).unwrap();
    let good = OsString::from(format!("GOOD1={}", p.to_string_lossy()));
    let docs = run_cases(&[
        case(
            "check",
            1,
            line("check {} --json --recovery-key-file {}", &[&p, &key]),
        ),
        case("check", 3, line("check {} --json", &[&p])),
        // The volume opens, but these images' MFT cannot be walked: the error document.
        case(
            "error",
            3,
            line("ls {} --json --recovery-key-file {}", &[&p, &key]),
        ),
        case(
            "check-job",
            1,
            line("check --json --job {} {}", &[&job, &good]),
        ),
    ]);
    assert!(docs[0]["volume"]["bitlocker"]["protectors"][0].is_object());
    assert_eq!(docs[1]["volume"]["inner_type"], "locked");
}

/// A read-only loop device of a test image: `disk.device` in the check
/// report, and the device in `devices --json`.
#[test]
fn block_device_facts_match_the_schemas() {
    if !common::loopdev::available() {
        return;
    }
    let img = image("gpt-msr-ntfs.img.xz");
    let lo = common::loopdev::Loop::attach(&img, &["-r"]);
    let dev = lo.name();
    {
        let docs = run_cases(&[
            case("check", 1, ["check", dev, "--json"]),
            case("devices", 0, ["devices", "--json"]),
        ]);
        let size = std::fs::metadata(&img).unwrap().len();
        assert_eq!(
            docs[0]["disk"]["device"]["size"], size,
            "{}",
            docs[0]["disk"]
        );
        let listed = docs[1]["devices"].as_array().unwrap();
        let row = listed.iter().find(|d| d["path"] == dev);
        assert_eq!(
            row.map(|d| &d["size"]),
            Some(&Value::from(size)),
            "{listed:?}"
        );
    }
}

/// The schemas are strict enough to catch a regression: real documents,
/// each broken in one way, are rejected.
#[test]
fn validation_rejects_broken_documents() {
    let sample = data("sample-drive.img");
    let check = ie_preflight(line("check {} --json", &[&sample]))
        .report()
        .clone();
    validate("check", &check).unwrap();
    type Edit = fn(&mut Value);
    let breakages: &[(&str, Edit)] = &[
        ("verdict removed", |v| {
            v.as_object_mut().unwrap().remove("verdict");
        }),
        ("unknown verdict", |v| v["verdict"] = "fine".into()),
        ("verdict disagrees with exit_code", |v| {
            v["exit_code"] = 0.into()
        }),
        ("checklist result not in the enum", |v| {
            v["checklist"][0]["result"] = "passed".into()
        }),
        ("a not-applicable row without its reason", |v| {
            v["checklist"][0].as_object_mut().unwrap().remove("reason");
        }),
        ("a checklist row missing", |v| {
            v["checklist"].as_array_mut().unwrap().pop();
        }),
        ("unknown severity", |v| {
            v["findings"][0]["severity"] = "fatal".into()
        }),
        ("finding predicts no portal state", |v| {
            v["findings"][0]["predicts"] = "Broken".into()
        }),
        ("a finding without its code", |v| {
            v["findings"][0].as_object_mut().unwrap().remove("code");
        }),
        ("disk.size renamed size_bytes", |v| {
            let d = v["disk"].as_object_mut().unwrap();
            let s = d.remove("size").unwrap();
            d.insert("size_bytes".into(), s);
        }),
        ("an unknown disk field", |v| {
            v["disk"]["extra"] = true.into()
        }),
        ("disk.kind not in the enum", |v| {
            v["disk"]["kind"] = "file".into()
        }),
        ("volume.offset a string", |v| {
            v["volume"]["offset"] = "1048576".into()
        }),
        ("the schema tag changed", |v| {
            v["schema"] = "ie-preflight/2".into()
        }),
    ];
    for (what, edit) in breakages {
        let mut broken = check.clone();
        edit(&mut broken);
        assert!(validate("check", &broken).is_err(), "accepted with {what}");
    }
    // The block-device facts keep the name of the check report's `disk.size`.
    let mut devices: Value = serde_json::json!({"schema": "ie-preflight/1", "devices": [{
        "path": "/dev/loop0", "name": "loop0", "size": 8388608, "logical_sector_size": 512,
        "physical_sector_size": 512, "model": null, "vendor": null, "serial": null,
        "transport": "loop", "rotational": false, "removable": false, "read_only": true,
        "partition_of": null, "backing_file": "/tmp/x.img", "mounted_at": [],
        "partition_table": "mbr", "first_data_volume": "NTFS (partition 1)"}]});
    validate("devices", &devices).unwrap();
    let d = devices["devices"][0].as_object_mut().unwrap();
    let s = d.remove("size").unwrap();
    d.insert("size_bytes".into(), s);
    assert!(
        validate("devices", &devices).is_err(),
        "size_bytes accepted"
    );
    let usage = ie_preflight(line("check {} --json --no-hash --surface", &[&sample]));
    let mut usage = usage.report().clone();
    validate("error", &usage).unwrap();
    usage["verdict"] = "ready".into();
    assert!(
        validate("error", &usage).is_err(),
        "an error document that is ready"
    );
}
