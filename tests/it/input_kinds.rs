//! A file of another kind is refused (exit 3) in one line that says what it
//! looks like and which command reads it; a key typed at a terminal is never
//! shown.

use crate::common::cli::ie_preflight;
use crate::{bitlk, common};

use std::path::Path;
use std::process;

fn run(args: &[&str]) -> (i32, String, String) {
    let r = ie_preflight(args);
    (r.code, r.stdout, r.stderr)
}

#[test]
fn every_file_command_refuses_files_of_another_kind() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    let one = dir.path().join("one");
    std::fs::write(&one, b"x").unwrap();
    let data = |p: &str| common::testdata().join(p).display().to_string();
    let (empty, one) = (empty.display().to_string(), one.display().to_string());
    let manifest = dir.path().join("DriveManifest.xml");
    std::fs::write(
        &manifest,
        "<?xml version=\"1.0\"?>\n<DriveManifest Version=\"2014-11-01\"/>\n",
    )
    .unwrap();
    let manifest = manifest.display().to_string();
    let csv = dir.path().join("dataset.csv");
    std::fs::write(
        &csv,
        "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n",
    )
    .unwrap();
    let csv = csv.display().to_string();
    let image = data("sample-drive.img");
    // (command, file, what the line must say)
    let cases: Vec<(&str, String, &str)> = vec![
        ("log", manifest.clone(), "not a copy log: the root element is DriveManifest, a drive manifest; try `ie-preflight manifest`"),
        ("log", data("jobs/drive-list.json"), "not a copy log: the file is JSON"),
        ("log", empty.clone(), "not a copy log: the file is empty"),
        ("log", one.clone(), "not a copy log: the file holds only 1 byte"),
        ("status", csv.clone(), "not a job record: the file is a dataset CSV; try `ie-preflight dataset`"),
        ("status", data("logs/classic-verbose.xml"), "not a job record: the root element is DriveLog"),
        ("status", empty.clone(), "not a job record: the file is empty"),
        ("status", image.clone(), "not a job record: the file is binary data"),
        ("manifest", data("bloblist/valid.xml"), "not a drive manifest: the root element is BlobList, an export blob list; try `ie-preflight blob-list`"),
        ("manifest", one.clone(), "not a drive manifest: the file holds only 1 byte"),
        ("manifest", data("jobs/journal.jrn"), "not a drive manifest: the file is a WAImportExport journal"),
        ("blob-list", manifest.clone(), "not an export blob list: the root element is DriveManifest"),
        ("blob-list", empty.clone(), "not an export blob list: the file is empty"),
        ("blob-list", csv.clone(), "not an export blob list: the file is a dataset CSV"),
        ("dataset", data("logs/classic-verbose.xml"), "not a dataset CSV: the root element is DriveLog"),
        ("dataset", data("jobs/rest-import.json"), "not a dataset CSV: the file is JSON"),
        ("dataset", empty.clone(), "not a dataset CSV: the file is empty"),
    ];
    for (cmd, file, says) in &cases {
        let (code, _, stderr) = run(&[cmd, file]);
        assert_eq!(code, 3, "{cmd} {file}: {stderr}");
        assert!(
            stderr.contains(says),
            "{cmd} {file}: want {says:?} in {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    }
    // A driveset given as the dataset, and the other way round.
    let driveset = dir.path().join("driveset.csv");
    std::fs::write(
        &driveset,
        "DriveLetter,FormatOption,SilentOrPromptOnFormat,Encryption,ExistingBitLockerKey\n",
    )
    .unwrap();
    let driveset = driveset.display().to_string();
    let (code, _, stderr) = run(&["dataset", &driveset]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("not a dataset CSV: the file is a driveset CSV"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["dataset", &csv, &csv]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("not a driveset CSV: the file is a dataset CSV"),
        "{stderr}"
    );
    // The right kinds still go through (findings, not refusals).
    assert_ne!(run(&["log", &data("logs/classic-verbose.xml")]).0, 3);
    assert_ne!(run(&["status", &data("jobs/journal.jrn")]).0, 3);
    assert_ne!(run(&["manifest", &manifest]).0, 3);
    assert_ne!(run(&["dataset", &csv]).0, 3);
    // A misspelt root of the right family is the parser's finding, with its place.
    let (code, stdout, _) = run(&["blob-list", &data("bloblist/root-case.xml")]);
    assert_eq!(code, 1);
    assert!(stdout.contains("bloblist.root"), "{stdout}");
}

#[test]
fn an_empty_image_is_incomplete_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("empty.img");
    std::fs::write(&img, b"").unwrap();
    let (code, stdout, stderr) = run(&["check", img.to_str().unwrap(), "--json"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("is empty (0 bytes): nothing to check"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["verdict"], "incomplete");
}

/// `--recovery-key-file -` at a terminal: a prompt on stderr, the typed key
/// not echoed (the captured screen never shows it), and the key works.
#[test]
fn a_key_typed_at_a_terminal_is_not_shown() {
    if !common::require_tool("tmux", "tmux") {
        return;
    }
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let rp = img.get("RP").unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let rc = dir.path().join("rc");
    let bin = assert_cmd::cargo::cargo_bin("ie-preflight");
    let session = format!("iepf-{}", std::process::id());
    let script = format!(
        "{} check '{}' --no-hash --json --recovery-key-file - > '{}'; echo $? > '{}'; sleep 30",
        bin.display(),
        img.path.display(),
        out.display(),
        rc.display()
    );
    let tmux = |args: &[&str]| process::Command::new("tmux").args(args).output().unwrap();
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "200",
        "-y",
        "50",
        &script,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let screen = || {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).into_owned()
    };
    let wait_for = |what: &dyn Fn() -> bool| {
        (0..600).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            what()
        })
    };
    let prompted = wait_for(&|| screen().contains("recovery password"));
    if prompted {
        tmux(&["send-keys", "-t", &session, "-l", &rp]);
        tmux(&["send-keys", "-t", &session, "Enter"]);
    }
    let finished =
        wait_for(&|| rc.exists() && std::fs::read_to_string(&rc).is_ok_and(|s| !s.is_empty()));
    let shown = screen();
    tmux(&["kill-session", "-t", &session]);
    assert!(prompted, "no prompt on the terminal: {shown}");
    assert!(finished, "the check did not finish: {shown}");
    assert!(!shown.contains(&rp), "the key was echoed: {shown}");
    assert!(
        !shown.contains(&rp[..13]),
        "part of the key was echoed: {shown}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let row = report["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "BitLocker key invalid")
        .unwrap()
        .clone();
    assert_eq!(
        row["result"], "pass",
        "the typed key unlocked the volume: {report}"
    );
    assert!(!Path::new(&out).metadata().unwrap().permissions().readonly());
}
