//! Drive health: on a block device, `smartctl --json -x` (smartmontools) is
//! asked for the drive's SMART data, and what a failing drive shows there is
//! a "Hardware error" finding: the overall health failed, sectors pending or
//! offline-uncorrectable, a failed latest self-test, NVMe media errors or a
//! critical warning (errors), and reallocated sectors (a warning).
//!
//! [`smartctl`] holds the typed structs of its JSON, [`run`] runs it. Without
//! smartctl, or on a device without SMART (loop, virtio), the report says
//! "not checked" and why, and the "Hardware error" row is then not a pass.

mod run;
pub mod smartctl;

use crate::report::{Checklist, Coverage, DriveStatus, Finding};
use serde::Serialize;
use std::path::Path;

/// The stable finding codes of the drive's SMART health (`health.*`).
pub mod codes {
    crate::finding_codes! {
        SMART_FAILED = "health.smart-failed";
        PENDING_SECTORS = "health.pending-sectors";
        OFFLINE_UNCORRECTABLE = "health.offline-uncorrectable";
        REALLOCATED_SECTORS = "health.reallocated-sectors";
        SELF_TEST_FAILED = "health.self-test-failed";
        NVME_MEDIA_ERRORS = "health.nvme-media-errors";
        NVME_CRITICAL_WARNING = "health.nvme-critical-warning";
    }
}

/// What the "Hardware error" row calls this part of its check.
pub const PART: &str = "drive health (SMART)";

/// `disk.health` in the check report.
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// SMART data was read and judged.
    pub checked: bool,
    /// Why not, when `checked` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How smartctl ended, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smartctl: Option<SmartctlRun>,
    /// The values read, when `checked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smart: Option<SmartValues>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmartctlRun {
    /// `7.3`, from its output.
    pub version: Option<String>,
    pub exit_status: Option<u64>,
    /// The meaning of each bit of `exit_status` that is set (smartctl(8)).
    pub exit_bits: Vec<&'static str>,
    /// smartctl's own messages (`smartctl.messages[].string`).
    pub messages: Vec<String>,
}

/// The SMART values the rules look at; `null` where the drive has none.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SmartValues {
    /// `ATA`, `NVMe`, `SCSI`.
    pub protocol: Option<String>,
    /// `smart_status.passed`: the overall-health self-assessment.
    pub overall_passed: Option<bool>,
    /// ATA attribute 5, raw.
    pub reallocated_sectors: Option<u64>,
    /// ATA attribute 197, raw.
    pub pending_sectors: Option<u64>,
    /// ATA attribute 198, raw.
    pub offline_uncorrectable: Option<u64>,
    /// The newest entry of the self-test log.
    pub self_test: Option<SelfTest>,
    pub nvme_media_errors: Option<u64>,
    pub nvme_critical_warning: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelfTest {
    /// `Short offline`, `Extended offline`, `Short`, ...
    pub kind: Option<String>,
    /// `Completed without error`, `Completed: read failure`, ...
    pub result: Option<String>,
    pub failed: bool,
    pub power_on_hours: Option<u64>,
    /// ATA: the first LBA that failed.
    pub first_error_lba: Option<u64>,
}

impl HealthReport {
    /// One line for the text report: the values read, or why none were.
    pub fn summary(&self) -> String {
        let Some(v) = self.smart.as_ref().filter(|_| self.checked) else {
            return format!(
                "not checked: {}",
                self.reason.as_deref().unwrap_or("no SMART data")
            );
        };
        let n = |o: Option<u64>| o.map_or("-".to_string(), |n| n.to_string());
        let mut parts = vec![match v.overall_passed {
            Some(true) => "overall passed".to_string(),
            Some(false) => "overall FAILED".to_string(),
            None => "overall unknown".to_string(),
        }];
        if v.nvme_media_errors.is_some() || v.nvme_critical_warning.is_some() {
            parts.push(format!(
                "media errors {}, critical warning {}",
                n(v.nvme_media_errors),
                n(v.nvme_critical_warning)
            ));
        } else {
            parts.push(format!(
                "reallocated {}, pending {}, uncorrectable {}",
                n(v.reallocated_sectors),
                n(v.pending_sectors),
                n(v.offline_uncorrectable)
            ));
        }
        if let Some(t) = &v.self_test {
            parts.push(format!(
                "latest self-test: {}",
                t.result.as_deref().unwrap_or("?")
            ));
        }
        parts.join("; ")
    }
}

/// The health part of a check: its report, its findings, and what the
/// "Hardware error" row is told.
#[derive(Debug)]
pub struct Assessed {
    pub report: HealthReport,
    pub findings: Vec<Finding>,
}

impl Assessed {
    pub fn coverage(&self) -> Coverage {
        match (&self.report.checked, &self.report.reason) {
            (true, _) => Coverage::Checked,
            (false, r) => Coverage::NotChecked(r.clone().unwrap_or_default()),
        }
    }
}

/// The check stage: run smartctl on `device`, add the findings and the
/// "Hardware error" row's health part, and return the report.
pub fn check_device(
    device: &Path,
    subject: &str,
    findings: &mut Vec<Finding>,
    list: &mut Checklist,
) -> HealthReport {
    let a = match run::find_on_path() {
        None => not_checked(
            "smartctl (smartmontools) is not installed: there is no `smartctl` on PATH".into(),
            None,
        ),
        Some(prog) => match run::run(&prog, device) {
            Ok(ran) => assess(&ran.stdout, ran.exit_status, subject),
            Err(e) => not_checked(e, None),
        },
    };
    list.part(DriveStatus::HardwareError, PART, a.coverage());
    findings.extend(a.findings);
    a.report
}

fn not_checked(reason: String, smartctl: Option<SmartctlRun>) -> Assessed {
    Assessed {
        report: HealthReport {
            checked: false,
            reason: Some(reason),
            smartctl,
            smart: None,
        },
        findings: Vec::new(),
    }
}

/// Judge one run of smartctl: its stdout and its exit status (`None` when
/// killed; then the status in its JSON is used).
pub fn assess(stdout: &[u8], exit_status: Option<i32>, subject: &str) -> Assessed {
    let out = match smartctl::parse(stdout) {
        Ok(o) => o,
        Err(e) => {
            let status = exit_status.and_then(|s| u64::try_from(s).ok());
            return not_checked(
                format!("smartctl's output is not the JSON expected ({e})"),
                Some(ran_facts(None, status)),
            );
        }
    };
    let status = exit_status
        .and_then(|s| u64::try_from(s).ok())
        .or(out.smartctl.exit_status);
    let meta = ran_facts(Some(&out), status);
    if let Some(why) = no_smart(&out, &meta) {
        return not_checked(why, Some(meta));
    }
    let values = values(&out);
    let findings = judge(&values, status, subject);
    Assessed {
        report: HealthReport {
            checked: true,
            reason: None,
            smartctl: Some(meta),
            smart: Some(values),
        },
        findings,
    }
}

fn ran_facts(out: Option<&smartctl::Output>, status: Option<u64>) -> SmartctlRun {
    let version = out
        .map(|o| &o.smartctl.version)
        .filter(|v| !v.is_empty())
        .map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
    SmartctlRun {
        version,
        exit_status: status,
        exit_bits: status.map(run::decode_exit).unwrap_or_default(),
        messages: out
            .map(|o| {
                o.smartctl
                    .messages
                    .iter()
                    .map(|m| m.string.clone())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Why the output holds no SMART data to judge, if it holds none.
fn no_smart(out: &smartctl::Output, meta: &SmartctlRun) -> Option<String> {
    let has_data = out.smart_status.is_some()
        || out.ata_smart_attributes.is_some()
        || out.nvme_smart_health_information_log.is_some();
    if meta.exit_status.is_some_and(run::could_not_query) || !has_data {
        let said = if !meta.messages.is_empty() {
            meta.messages.join("; ")
        } else if !meta.exit_bits.is_empty() {
            meta.exit_bits.join("; ")
        } else {
            "no SMART data in its output".into()
        };
        return Some(format!(
            "the device has no SMART data smartctl can read (loop devices, virtio and most virtual disks have none): smartctl says \"{said}\""
        ));
    }
    let support = out.smart_support.as_ref();
    if support.and_then(|s| s.available) == Some(false) {
        return Some(
            "the device does not support SMART (smartctl: SMART support unavailable)".into(),
        );
    }
    if support.and_then(|s| s.enabled) == Some(false) && out.smart_status.is_none() {
        return Some(
            "SMART is disabled on the device (`smartctl -s on DEVICE` turns it on)".into(),
        );
    }
    None
}

/// The values the rules look at, from the output.
fn values(out: &smartctl::Output) -> SmartValues {
    let attr = |id: u64| {
        out.ata_smart_attributes
            .as_ref()
            .and_then(|a| a.table.iter().find(|r| r.id == Some(id)))
            .and_then(|r| r.raw.value)
    };
    let nvme = out.nvme_smart_health_information_log.as_ref();
    SmartValues {
        protocol: out.device.as_ref().and_then(|d| d.protocol.clone()),
        overall_passed: out.smart_status.as_ref().and_then(|s| s.passed),
        reallocated_sectors: attr(5),
        pending_sectors: attr(197),
        offline_uncorrectable: attr(198),
        self_test: ata_self_test(out).or_else(|| nvme_self_test(out)),
        nvme_media_errors: nvme.and_then(|n| n.media_errors),
        nvme_critical_warning: nvme.and_then(|n| n.critical_warning),
    }
}

/// The newest ATA self-test: the extended log (`-x` asks for it first), else the standard one.
fn ata_self_test(out: &smartctl::Output) -> Option<SelfTest> {
    let log = out.ata_smart_self_test_log.as_ref()?;
    let newest = [&log.extended, &log.standard]
        .into_iter()
        .flatten()
        .find_map(|t| t.table.first())?;
    let nibble = newest.status.value.map(|v| (v >> 4) & 0xF);
    // smartctl's `passed` when given; else the status nibble (3..=8: errors).
    let failed = match newest.status.passed {
        Some(p) => !p,
        None => nibble.is_some_and(|n| (3..=8).contains(&n)),
    };
    Some(SelfTest {
        kind: newest.kind.string.clone(),
        result: newest.status.string.clone(),
        failed,
        power_on_hours: newest.lifetime_hours,
        first_error_lba: newest.lba,
    })
}

/// The newest NVMe self-test (result 0xF marks an unused entry; 5, 6 and 7
/// are failures: fatal error, failed segment unknown, failed segments).
fn nvme_self_test(out: &smartctl::Output) -> Option<SelfTest> {
    let newest = out
        .nvme_self_test_log
        .as_ref()?
        .table
        .iter()
        .find(|e| e.self_test_result.value != Some(0xF))?;
    Some(SelfTest {
        kind: newest.self_test_code.string.clone(),
        result: newest.self_test_result.string.clone(),
        failed: matches!(newest.self_test_result.value, Some(5..=7)),
        power_on_hours: newest.power_on_hours,
        first_error_lba: None,
    })
}

const REPLACE: &str = "copy the data to a healthy drive and ship that one: a drive that reports failing sectors fails at the datacenter too, often in transit";

/// The findings the values give. `status`: smartctl's exit status.
pub fn judge(v: &SmartValues, status: Option<u64>, subject: &str) -> Vec<Finding> {
    let hw = DriveStatus::HardwareError;
    let mut f = Vec::new();
    if v.overall_passed == Some(false) || status.is_some_and(run::disk_failing) {
        f.push(
            Finding::error(codes::SMART_FAILED, hw, subject, "the drive's SMART overall-health self-assessment is FAILED: the drive predicts its own failure")
                .with_hint(REPLACE),
        );
    }
    let counts = [
        (v.pending_sectors, codes::PENDING_SECTORS, "sectors are pending reallocation (SMART attribute 197 Current_Pending_Sector): they could not be read"),
        (v.offline_uncorrectable, codes::OFFLINE_UNCORRECTABLE, "sectors are uncorrectable (SMART attribute 198 Offline_Uncorrectable): the drive's own scan could not read them"),
    ];
    for (n, code, what) in counts {
        if let Some(n) = n.filter(|&n| n > 0) {
            f.push(Finding::error(code, hw, subject, format!("{n} {what}")).with_hint(REPLACE));
        }
    }
    if let Some(n) = v.reallocated_sectors.filter(|&n| n > 0) {
        f.push(
            Finding::warning(codes::REALLOCATED_SECTORS, hw, subject, format!("{n} sectors have been reallocated (SMART attribute 5 Reallocated_Sector_Ct): the drive has replaced failing sectors with spares"))
                .with_hint("a few reallocated sectors are common; a count that grows between checks means the drive is wearing out"),
        );
    }
    if let Some(t) = v.self_test.as_ref().filter(|t| t.failed) {
        let lba = t
            .first_error_lba
            .map(|l| format!(", first error at LBA {l}"))
            .unwrap_or_default();
        let hours = t
            .power_on_hours
            .map(|h| format!(" at {h} power-on hours"))
            .unwrap_or_default();
        f.push(
            Finding::error(
                codes::SELF_TEST_FAILED,
                hw,
                subject,
                format!(
                    "the drive's latest SMART self-test ({}) ended \"{}\"{hours}{lba}",
                    t.kind.as_deref().unwrap_or("?"),
                    t.result.as_deref().unwrap_or("failed")
                ),
            )
            .with_hint(REPLACE),
        );
    }
    if let Some(n) = v.nvme_media_errors.filter(|&n| n > 0) {
        f.push(
            Finding::error(codes::NVME_MEDIA_ERRORS, hw, subject, format!("the NVMe drive has recorded {n} media and data integrity errors (unrecovered data)"))
                .with_hint(REPLACE),
        );
    }
    if let Some(w) = v.nvme_critical_warning.filter(|&w| w != 0) {
        f.push(
            Finding::error(
                codes::NVME_CRITICAL_WARNING,
                hw,
                subject,
                format!(
                    "the NVMe drive raises a critical warning (0x{w:02x}): {}",
                    critical_warning_bits(w)
                ),
            )
            .with_hint(REPLACE),
        );
    }
    f
}

/// The NVMe critical warning byte's bits (NVMe base specification, SMART / Health log).
fn critical_warning_bits(w: u64) -> String {
    const BITS: [&str; 6] = [
        "available spare below its threshold",
        "temperature outside its thresholds",
        "reliability degraded by media or internal errors",
        "media placed in read-only mode",
        "volatile memory backup failed",
        "persistent memory region read-only or unreliable",
    ];
    let set: Vec<&str> = BITS
        .iter()
        .enumerate()
        .filter(|(i, _)| w & (1 << i) != 0)
        .map(|(_, m)| *m)
        .collect();
    if set.is_empty() {
        "a reserved bit".into()
    } else {
        set.join("; ")
    }
}

#[cfg(test)]
mod tests;
