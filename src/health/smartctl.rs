//! The parts of `smartctl --json -x` output this tool reads, as typed structs.
//!
//! The shape is smartmontools' JSON output (`--json`, format version 1, as
//! smartctl 7.x prints it; the key names are smartctl's: `smart_status`,
//! `ata_smart_attributes.table[]`, `ata_smart_self_test_log.{standard,extended}.table[]`,
//! `nvme_smart_health_information_log`, `nvme_self_test_log.table[]`). Every
//! field is optional: smartctl leaves out what a device does not have, and a
//! value of an unexpected type or size is read as absent, never as a panic.

use serde::{Deserialize, Deserializer};

/// One run's output. Unknown keys are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Output {
    pub smartctl: Meta,
    pub device: Option<Device>,
    pub model_name: Option<String>,
    pub serial_number: Option<String>,
    pub smart_support: Option<Support>,
    pub smart_status: Option<Status>,
    pub ata_smart_attributes: Option<AtaAttributes>,
    pub ata_smart_self_test_log: Option<AtaSelfTestLog>,
    pub nvme_smart_health_information_log: Option<NvmeHealthLog>,
    pub nvme_self_test_log: Option<NvmeSelfTestLog>,
}

/// `smartctl`: the program's own facts and messages.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Meta {
    pub version: Vec<u32>,
    pub messages: Vec<Message>,
    #[serde(deserialize_with = "lenient")]
    pub exit_status: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Message {
    pub string: String,
    pub severity: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Device {
    pub name: Option<String>,
    pub info_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `ATA`, `NVMe`, `SCSI`.
    pub protocol: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Support {
    pub available: Option<bool>,
    pub enabled: Option<bool>,
}

/// `smart_status`: the overall-health self-assessment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Status {
    pub passed: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaAttributes {
    pub table: Vec<AtaAttribute>,
}

/// One row of the vendor-specific attribute table.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaAttribute {
    #[serde(deserialize_with = "lenient")]
    pub id: Option<u64>,
    pub name: String,
    #[serde(deserialize_with = "lenient")]
    pub value: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub worst: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub thresh: Option<u64>,
    pub when_failed: Option<String>,
    pub raw: Raw,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Raw {
    #[serde(deserialize_with = "lenient")]
    pub value: Option<u64>,
    pub string: Option<String>,
}

/// `ata_smart_self_test_log`: `extended` with `-l xselftest` (what `-x` asks
/// for first), else `standard`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaSelfTestLog {
    pub extended: Option<AtaSelfTestTable>,
    pub standard: Option<AtaSelfTestTable>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaSelfTestTable {
    /// Newest first (smartctl's `# 1`).
    pub table: Vec<AtaSelfTestEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaSelfTestEntry {
    #[serde(rename = "type")]
    pub kind: ValueString,
    pub status: AtaSelfTestStatus,
    #[serde(deserialize_with = "lenient")]
    pub lifetime_hours: Option<u64>,
    /// The first failing LBA, given for a failed test.
    #[serde(deserialize_with = "lenient")]
    pub lba: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AtaSelfTestStatus {
    /// The log's status byte: the high nibble is the result, 0xF in progress.
    #[serde(deserialize_with = "lenient")]
    pub value: Option<u64>,
    pub string: Option<String>,
    /// Left out by smartctl while a test runs or when it was aborted.
    pub passed: Option<bool>,
}

/// A `{ "value": N, "string": "..." }` pair.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValueString {
    #[serde(deserialize_with = "lenient")]
    pub value: Option<u64>,
    pub string: Option<String>,
}

/// `nvme_smart_health_information_log` (NVMe log page 02h).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NvmeHealthLog {
    #[serde(deserialize_with = "lenient")]
    pub critical_warning: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub media_errors: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub num_err_log_entries: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub available_spare: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    pub percentage_used: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NvmeSelfTestLog {
    /// Newest first.
    pub table: Vec<NvmeSelfTestEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NvmeSelfTestEntry {
    pub self_test_code: ValueString,
    pub self_test_result: ValueString,
    #[serde(deserialize_with = "lenient")]
    pub power_on_hours: Option<u64>,
}

/// A count read as `None` when it is missing, negative, fractional or not a
/// number; one larger than `u64` (NVMe counters are 128-bit) saturates.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
                .map(|f| {
                    if f >= u64::MAX as f64 {
                        u64::MAX
                    } else {
                        f as u64
                    }
                })
        }),
        _ => None,
    })
}

/// Parse smartctl's stdout.
pub fn parse(json: &[u8]) -> Result<Output, serde_json::Error> {
    serde_json::from_slice(json)
}
