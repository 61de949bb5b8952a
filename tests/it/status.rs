//! `ie-preflight status`: every job and drive state explained, checked against
//! golden files in testdata/jobs/golden (regenerate with IE_PREFLIGHT_BLESS=1).

use crate::common::cli::Cmd;
use ie_preflight::job::states::{DRIVE_STATES, JOB_STATES};
use ie_preflight::report::DriveStatus;
use std::path::{Path, PathBuf};

fn jobs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/jobs")
}

/// Compare with the golden file, or write it when blessing.
fn golden(name: &str, got: &str) {
    let p = jobs().join("golden").join(name);
    if std::env::var_os("IE_PREFLIGHT_BLESS").is_some() {
        std::fs::write(&p, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&p)
        .unwrap_or_else(|_| panic!("missing golden file {}", p.display()));
    assert_eq!(got, want, "{name} differs from its golden file");
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[test]
fn every_job_state_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    for s in JOB_STATES {
        for name in std::iter::once(&s.portal).chain(s.aliases.iter()) {
            let p = dir.path().join("job.json");
            std::fs::write(&p, format!(r#"{{"name":"j","properties":{{"jobType":"Import","state":"{name}","driveList":[]}}}}"#)).unwrap();
            let r = Cmd::new(["status"]).arg(&p).run();
            let text = &r.stdout;
            assert!(text.contains(s.portal), "{name}: {text}");
            assert!(text.contains(s.meaning), "{name}");
            assert_eq!(r.code, i32::from(s.failed), "{name}");
            if name == &s.portal {
                golden(&format!("job-{}.txt", slug(s.portal)), text);
            }
        }
    }
}

#[test]
fn every_drive_state_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<&str> = DRIVE_STATES
        .iter()
        .flat_map(|s| std::iter::once(s.portal).chain(s.aliases.iter().copied()))
        .collect();
    names.extend(DriveStatus::ALL.iter().map(|s| s.as_str()));
    names.extend([
        "NeverReceived",
        "VolumeNotNtfs",
        "BitLockerNotActivated",
        "UnsupportedDrive",
        "DriveCorrupted",
    ]);
    let list: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"driveId":"D-{}","state":"{n}"}}"#, slug(n)))
        .collect();
    let p = dir.path().join("drives.json");
    std::fs::write(&p, format!("[{}]", list.join(","))).unwrap();
    let r = Cmd::new(["status"]).arg(&p).run();
    let text = &r.stdout;
    assert_eq!(r.code, 1, "failure states make the exit code 1");
    assert!(!text.contains("not one the service documents"), "{text}");
    golden("drives-every-state.txt", text);
    for s in DriveStatus::ALL {
        assert!(text.contains(&format!("FAILED: {}", s.as_str())), "{s}");
    }
}

#[test]
fn fixtures_in_each_shape() {
    for (file, code) in [
        ("rest-import.json", 1),
        ("az-cli-show.json", 0),
        ("drive-list.json", 0),
        ("journal.jrn", 0),
        ("_DriveInfo_9CA995BB.xml", 0),
    ] {
        let r = Cmd::new(["status"]).arg(jobs().join(file)).run();
        let text = &r.stdout;
        assert_eq!(r.code, code, "{file}");
        golden(&format!("{}.txt", file.rsplit_once('.').unwrap().0), text);
        // Secrets never appear.
        for key in [
            "060456-014509",
            "439675-460165",
            "238810-662376",
            "397386-221353",
        ] {
            assert!(!text.contains(key), "{file} printed a key");
        }
        let r = Cmd::new(["status"])
            .arg(jobs().join(file))
            .arg("--json")
            .run();
        let json = &r.stdout;
        assert_eq!(r.report()["schema"], "ie-preflight/1");
        assert!(!json.contains("060456-014509") && !json.contains("439675-460165"));
    }
    let text = Cmd::new(["status"])
        .arg(jobs().join("rest-import.json"))
        .run()
        .stdout;
    assert!(text.contains("70% completed"));
    assert!(text.contains("FAILED: BitLocker key invalid"));
    assert!(text.contains("FAILED: Disk not received at datacenter"));
    for f in ["journal.jrn", "_DriveInfo_9CA995BB.xml"] {
        let text = Cmd::new(["status"]).arg(jobs().join(f)).run().stdout;
        assert!(text.contains("Drive 9CA995BB"), "{f}: {text}");
        assert!(text.contains("\\DriveManifest.xml"), "{f}");
        assert!(text.contains("well-formed recovery password"), "{f}");
    }
    assert!(
        text.contains("not a recovery password: group 1"),
        "the documentation placeholder key is flagged"
    );
}

#[test]
fn unreadable_job_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.json");
    std::fs::write(&p, "{\"hello\": 1}").unwrap();
    assert_eq!(Cmd::new(["status"]).arg(&p).run().code, 3);
    let missing = dir.path().join("missing.json");
    assert_eq!(Cmd::new(["status"]).arg(missing).run().code, 3);
}
