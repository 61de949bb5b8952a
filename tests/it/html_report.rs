//! `check --report FILE.html`: the page a lab attaches to a shipment, opened in
//! a real browser (Debian's chromium, headless): each drive's serial, verdict
//! and failing states are in the rendered text, and the read-speed profile is
//! an inline SVG with one mark per injected read error.

use crate::common;

use common::cli::Cmd;
use common::failing::Failing;
use common::images::image;
use ie_preflight::pipeline::{self, render, ContentOptions, JobType, Options};
use ie_preflight::source::OpenedSource;
use std::path::Path;
use std::process::Command;

/// The page as chromium renders it (`--dump-dom`), and a screenshot taken.
fn rendered(page: &Path) -> Option<String> {
    if !common::require_tool("chromium", "chromium") {
        return None;
    }
    let url = format!("file://{}", page.display());
    let run = |extra: &[&str]| {
        Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs")
    };
    let dom = run(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let shot = page.with_extension("png");
    let s = run(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1000,2000",
    ]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert!(
        std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 1000,
        "a screenshot"
    );
    Some(String::from_utf8_lossy(&dom.stdout).into_owned())
}

#[test]
fn injected_read_errors_are_marked_in_the_profile() {
    let bytes = std::fs::read(image("sample-drive.img")).unwrap();
    // Two bad spots in the space before the partition, which --surface reads.
    let bad = vec![(512 << 10, (512 << 10) + 1), (768 << 10, (768 << 10) + 1)];
    let src = OpenedSource {
        path: "lab.img".into(),
        reader: Failing::source(bytes, bad, false),
        device: None,
    };
    let opts = Options {
        credentials: ie_preflight::bitlocker::Credentials::none(),
        job_type: JobType::Import,
        sector_size: None,
        strict: false,
        rules: Default::default(),
        content: Some(ContentOptions {
            manifest: true,
            surface: true,
            ..Default::default()
        }),
    };
    let checked = pipeline::run(&src, &opts);
    let r = &checked.report;
    let run = render::RunInfo {
        tool_version: "test",
        host: "bench".into(),
        started: "2026-12-02T10:00:00Z".into(),
        ended: "2026-12-02T10:01:00Z".into(),
        command_line: "ie-preflight check lab.img --surface".into(),
    };
    let page = render::html(
        &run,
        &[render::HtmlDrive {
            source: "lab.img",
            serial: Some("LAB-SERIAL-1"),
            verdict: r.outcome.verdict,
            error: None,
            report: Some(r),
            profile: Some(&checked.profile),
        }],
        r.outcome.verdict,
    );
    assert_eq!(
        page.matches("class=\"read-error\"").count(),
        2,
        "one mark per bad spot"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, &page).unwrap();
    let Some(dom) = rendered(&file) else { return };
    for text in [
        "LAB-SERIAL-1",
        "WOULD FAIL",
        "BitLocker volume not found",
        "Hardware error",
        "bench",
    ] {
        assert!(dom.contains(text), "{text} in the rendered page");
    }
    assert_eq!(dom.matches("<svg").count(), 1, "one profile");
    assert_eq!(dom.matches("class=\"read-error\"").count(), 2);
    assert!(dom.matches("<rect").count() > 0, "speed bars");
}

#[test]
fn report_of_several_drives_from_the_command_line() {
    let a = image("sample-drive.img");
    let b = image("mbr-ntfs.img.xz");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shipment.html");
    let r = Cmd::new(["check"])
        .arg(format!("S-ONE={}", a.display()))
        .arg(format!("S-TWO={}", b.display()))
        .arg("--report")
        .arg(&file)
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(!page.contains("<script"), "no scripts");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!page.contains(external), "self-contained: no {external}");
    }
    // Refused before reading: the report onto a source.
    let onto = Cmd::new(["check"]).arg(&a).arg("--report").arg(&a).run();
    assert_eq!(onto.code, 2, "{}", onto.stderr);
    let Some(dom) = rendered(&file) else { return };
    for text in ["S-ONE", "S-TWO", "WOULD FAIL", "BitLocker volume not found"] {
        assert!(dom.contains(text), "{text} in the rendered page");
    }
    assert_eq!(dom.matches("<svg").count(), 2, "a profile per drive");
}
