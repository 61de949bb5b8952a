//! Parse and rule tests on fixtures shaped like smartmontools' `--json -x`
//! output (testdata/smartctl/README.md says where each shape comes from).

use super::*;
use crate::report::{Checklist, RowResult, Severity};

fn fixture(name: &str) -> Vec<u8> {
    let p = format!("{}/testdata/smartctl/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn exit_of(json: &[u8]) -> Option<i32> {
    smartctl::parse(json)
        .ok()
        .and_then(|o| o.smartctl.exit_status)
        .and_then(|s| i32::try_from(s).ok())
}

fn assessed(name: &str) -> Assessed {
    let j = fixture(name);
    assess(&j, exit_of(&j), "/dev/sdx")
}

fn codes(a: &Assessed) -> Vec<(&str, Severity)> {
    a.findings.iter().map(|f| (f.code, f.severity)).collect()
}

/// The "Hardware error" row, the data read having passed.
fn row(a: &Assessed) -> (RowResult, Option<String>) {
    let mut list = Checklist::default();
    list.checked(DriveStatus::HardwareError);
    list.part(DriveStatus::HardwareError, PART, a.coverage());
    let r = list
        .rows(&a.findings)
        .into_iter()
        .find(|r| r.status == DriveStatus::HardwareError)
        .unwrap();
    (r.result, r.reason)
}

#[test]
fn parses_a_healthy_ata_drive() {
    let out = smartctl::parse(&fixture("ata-healthy.json")).unwrap();
    assert_eq!(out.smartctl.version, [7, 3]);
    assert_eq!(out.smart_status.as_ref().and_then(|s| s.passed), Some(true));
    let table = &out.ata_smart_attributes.as_ref().unwrap().table;
    let pending = table.iter().find(|a| a.id == Some(197)).unwrap();
    assert_eq!(pending.name, "Current_Pending_Sector");
    assert_eq!(pending.raw.value, Some(0));
    let a = assessed("ata-healthy.json");
    assert!(a.report.checked);
    let v = a.report.smart.as_ref().unwrap();
    assert_eq!(v.protocol.as_deref(), Some("ATA"));
    assert_eq!(
        (
            v.reallocated_sectors,
            v.pending_sectors,
            v.offline_uncorrectable
        ),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(v.self_test.as_ref().map(|t| t.failed), Some(false));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    assert_eq!(row(&a), (RowResult::Pass, None));
}

#[test]
fn a_failing_ata_drive_is_a_hardware_error() {
    let a = assessed("ata-failing.json");
    assert!(a.report.checked);
    let v = a.report.smart.as_ref().unwrap();
    assert_eq!(v.pending_sectors, Some(8));
    assert_eq!(v.reallocated_sectors, Some(16));
    let t = v.self_test.as_ref().unwrap();
    assert!(t.failed);
    assert_eq!(t.result.as_deref(), Some("Completed: read failure"));
    assert_eq!(t.first_error_lba, Some(1_953_525_104));
    let run = a.report.smartctl.as_ref().unwrap();
    assert_eq!(run.exit_status, Some(192));
    assert_eq!(run.exit_bits.len(), 2, "{:?}", run.exit_bits);
    assert_eq!(
        codes(&a),
        [
            (codes::PENDING_SECTORS, Severity::Error),
            (codes::OFFLINE_UNCORRECTABLE, Severity::Error),
            (codes::REALLOCATED_SECTORS, Severity::Warning),
            (codes::SELF_TEST_FAILED, Severity::Error),
        ]
    );
    assert!(a
        .findings
        .iter()
        .all(|f| f.predicts == DriveStatus::HardwareError));
    assert!(
        a.findings[3].message.contains("LBA 1953525104"),
        "{}",
        a.findings[3].message
    );
    assert_eq!(row(&a).0, RowResult::Fail);
    assert_eq!(
        a.report.summary(),
        "overall passed; reallocated 16, pending 8, uncorrectable 8; latest self-test: Completed: read failure"
    );
}

#[test]
fn an_nvme_drive_with_media_errors_is_a_hardware_error() {
    let a = assessed("nvme-media-errors.json");
    let v = a.report.smart.as_ref().unwrap();
    assert_eq!(v.protocol.as_deref(), Some("NVMe"));
    assert_eq!(
        (v.nvme_media_errors, v.nvme_critical_warning),
        (Some(12), Some(4))
    );
    assert_eq!(v.self_test.as_ref().map(|t| t.failed), Some(false));
    assert_eq!(
        codes(&a),
        [
            (codes::SMART_FAILED, Severity::Error),
            (codes::NVME_MEDIA_ERRORS, Severity::Error),
            (codes::NVME_CRITICAL_WARNING, Severity::Error),
        ]
    );
    assert!(a.findings[2].message.contains("reliability degraded"));
}

#[test]
fn a_device_without_smart_is_not_checked_and_says_why() {
    let a = assessed("no-smart-virtio.json");
    assert!(!a.report.checked);
    assert!(a.findings.is_empty());
    let why = a.report.reason.clone().unwrap();
    assert!(why.contains("Unable to detect device type"), "{why}");
    assert_eq!(a.report.smartctl.as_ref().unwrap().exit_status, Some(1));
    // The data read passed; the row is still not a pass.
    let (res, reason) = row(&a);
    assert_eq!(res, RowResult::NotChecked);
    let reason = reason.unwrap();
    assert!(
        reason.starts_with("drive health (SMART) not checked: "),
        "{reason}"
    );
    assert!(
        reason.contains("the rest of this state was checked"),
        "{reason}"
    );
}

#[test]
fn broken_output_is_not_checked_never_a_panic() {
    for junk in [
        &b""[..],
        b"not json",
        b"[1,2]",
        b"{\"smartctl\": 5}",
        b"{\"ata_smart_attributes\": {\"table\": [{\"id\": \"x\", \"raw\": {\"value\": -3}}]}}",
    ] {
        let a = assess(junk, Some(4), "/dev/sdx");
        if a.report.checked {
            assert!(a.findings.is_empty(), "{:?}", a.findings);
        } else {
            assert!(a.report.reason.is_some());
        }
    }
    // A 128-bit NVMe counter saturates instead of failing the parse.
    let big = br#"{"smart_status":{"passed":true},"nvme_smart_health_information_log":{"media_errors":1e30,"critical_warning":0}}"#;
    let a = assess(big, Some(0), "/dev/nvme0n1");
    assert_eq!(
        a.report.smart.as_ref().unwrap().nvme_media_errors,
        Some(u64::MAX)
    );
}

#[test]
fn the_exit_status_alone_can_say_failing() {
    let j = br#"{"smartctl":{"exit_status":8},"device":{"protocol":"ATA"},"ata_smart_attributes":{"table":[]}}"#;
    let a = assess(j, Some(8), "/dev/sdx");
    assert_eq!(codes(&a), [(codes::SMART_FAILED, Severity::Error)]);
}

#[test]
fn an_aborted_or_running_self_test_is_no_failure() {
    let mut v = SmartValues::default();
    for (value, failed) in [
        (0x00u64, false),
        (0x10, false),
        (0xF3, false),
        (0x70, true),
        (0x40, true),
    ] {
        let j = format!(
            r#"{{"smart_status":{{"passed":true}},"ata_smart_self_test_log":{{"standard":{{"table":[{{"type":{{"value":1,"string":"Short offline"}},"status":{{"value":{value},"string":"s"}},"lifetime_hours":5}}]}}}}}}"#
        );
        let a = assess(j.as_bytes(), Some(0), "/dev/sdx");
        v = a.report.smart.clone().unwrap();
        assert_eq!(
            v.self_test.as_ref().map(|t| t.failed),
            Some(failed),
            "status {value:#x}"
        );
    }
    assert_eq!(v.self_test.unwrap().power_on_hours, Some(5));
}
