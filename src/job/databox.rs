//! Data Box customer-disk jobs (`Microsoft.DataBox/jobs`, SKU
//! `DataBoxCustomerDisk`, S-DBRP): Import/Export jobs as the current portal
//! makes them. The REST GET body nests everything under `properties`;
//! `az databox job show` puts the same fields at the top level. The drives
//! are the keys of `importDiskDetailsCollection` / `exportDiskDetailsCollection`
//! (disk serial numbers), joined with `copyProgress[]` and `copyLogDetails[]`
//! by `serialNumber`.

use super::model::{typed, Drive, Job, JobError, Package, Provider};
use crate::source::same_serial;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The SKU of Import/Export under Data Box.
pub const CUSTOMER_DISK: &str = "DataBoxCustomerDisk";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CloudError {
    code: Option<String>,
    message: Option<String>,
}

impl CloudError {
    fn describe(self) -> Option<String> {
        match (self.code, self.message) {
            (Some(c), Some(m)) => Some(format!("{c}: {m}")),
            (Some(s), None) | (None, Some(s)) => Some(s),
            (None, None) => None,
        }
    }
}

/// `ImportDiskDetails` / `ExportDiskDetails`. `bitLockerKey` is a secret
/// (the GET leaves it out; `listCredentials` has it).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DiskDetails {
    manifest_file: Option<String>,
    manifest_hash: Option<String>,
    bit_locker_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyProgress {
    serial_number: Option<String>,
    copy_status: Option<String>,
    bytes_processed: Option<i64>,
    total_bytes_to_process: Option<i64>,
    files_processed: Option<i64>,
    total_files_to_process: Option<i64>,
    files_errored_out: Option<i64>,
    error: Option<CloudError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyLogDetails {
    serial_number: Option<String>,
    error_log_link: Option<String>,
    verbose_log_link: Option<String>,
}

/// `PackageCarrierInfo` / `PackageCarrierDetails` / `PackageShippingDetails`;
/// `carrierAccountNumber` (a secret) is not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Carrier {
    carrier_name: Option<String>,
    tracking_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Details {
    job_details_type: Option<String>,
    import_disk_details_collection: Option<BTreeMap<String, DiskDetails>>,
    export_disk_details_collection: Option<BTreeMap<String, DiskDetails>>,
    copy_progress: Option<Vec<CopyProgress>>,
    copy_log_details: Option<Vec<CopyLogDetails>>,
    deliver_to_dc_package_details: Option<Carrier>,
    return_to_customer_package_details: Option<Carrier>,
    delivery_package: Option<Carrier>,
    return_package: Option<Carrier>,
    data_export_details: Option<Vec<Value>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties {
    status: Option<String>,
    transfer_type: Option<String>,
    is_cancellable: Option<bool>,
    error: Option<CloudError>,
    details: Option<Details>,
}

/// `properties` of the REST body, or the object itself (`az databox job show`).
fn properties(v: &Value) -> &Value {
    v.get("properties").filter(|p| p.is_object()).unwrap_or(v)
}

fn sku_name(v: &Value) -> Option<&str> {
    v.get("sku")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
}

/// Whether the object is a Data Box job (of any SKU).
pub fn is_databox(v: &Value) -> bool {
    let kind = v.get("type").and_then(Value::as_str);
    let p = properties(v);
    kind.is_some_and(|k| k.eq_ignore_ascii_case("Microsoft.DataBox/jobs"))
        || sku_name(v).is_some()
        || p.get("transferType").is_some()
        || p.get("details")
            .and_then(|d| d.get("jobDetailsType"))
            .is_some()
}

fn package(c: Option<Carrier>) -> Option<Package> {
    c.map(|c| Package {
        carrier: c.carrier_name.filter(|s| !s.is_empty()),
        tracking: c.tracking_id.filter(|s| !s.is_empty()),
    })
    .filter(|p| p.carrier.is_some() || p.tracking.is_some())
}

/// The portal's words for `transferType`.
fn job_type(transfer: Option<&str>) -> Option<String> {
    match transfer? {
        "ImportToAzure" => Some("Import".into()),
        "ExportFromAzure" => Some("Export".into()),
        other => Some(other.to_string()),
    }
}

/// One Data Box job object; other SKUs than customer disk are refused.
pub fn job(v: &Value) -> Result<Job, JobError> {
    if let Some(sku) = sku_name(v) {
        if !sku.eq_ignore_ascii_case(CUSTOMER_DISK) {
            return Err(JobError::OtherSku(sku.to_string()));
        }
    }
    let p: Properties = typed(properties(v), "properties")?;
    let d = p.details.unwrap_or_default();
    if let Some(t) = d.job_details_type.as_deref() {
        if !t.eq_ignore_ascii_case(CUSTOMER_DISK) {
            return Err(JobError::OtherSku(t.to_string()));
        }
    }
    let export = d
        .data_export_details
        .as_ref()
        .is_some_and(|e| !e.is_empty())
        || d.export_disk_details_collection.is_some();
    let job_type =
        job_type(p.transfer_type.as_deref()).or_else(|| export.then(|| "Export".to_string()));
    let export_selection = d
        .data_export_details
        .as_deref()
        .and_then(<[Value]>::first)
        .map(export_selection);
    let delivery = package(d.deliver_to_dc_package_details).or(package(d.delivery_package));
    let return_package =
        package(d.return_to_customer_package_details).or(package(d.return_package));
    let drives = disks(
        d.import_disk_details_collection,
        d.export_disk_details_collection,
        d.copy_progress.unwrap_or_default(),
        d.copy_log_details.unwrap_or_default(),
    );
    Ok(Job {
        provider: Some(Provider::DataBox),
        name: v
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        job_type,
        state: p.status.filter(|s| !s.is_empty()),
        is_cancellable: p.is_cancellable,
        error: p.error.and_then(CloudError::describe),
        delivery,
        return_package,
        export_selection,
        drives,
        ..Job::default()
    })
}

/// What `dataExportDetails[0].transferConfiguration` selects, in a few words.
fn export_selection(e: &Value) -> String {
    let kind = e
        .pointer("/transferConfiguration/transferConfigurationType")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    match kind {
        "TransferAll" => "everything in the storage account (TransferAll)".to_string(),
        "TransferUsingFilter" => {
            let files = e
                .pointer("/transferConfiguration/transferFilterDetails/include/filterFileDetails")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("what the filter selects (TransferUsingFilter, {files} filter files)")
        }
        other => format!("transfer configuration {other}"),
    }
}

/// The job's disks, by serial: the detail maps first (in serial order), then
/// any serial only copy progress or copy logs name.
fn disks(
    import: Option<BTreeMap<String, DiskDetails>>,
    export: Option<BTreeMap<String, DiskDetails>>,
    progress: Vec<CopyProgress>,
    logs: Vec<CopyLogDetails>,
) -> Vec<Drive> {
    let mut drives: Vec<Drive> = import
        .into_iter()
        .chain(export)
        .flatten()
        .map(|(serial, d)| Drive {
            drive_id: serial,
            bitlocker_key: d
                .bit_locker_key
                .filter(|k| !k.is_empty())
                .map(Zeroizing::new),
            manifest_file: d.manifest_file.filter(|s| !s.is_empty()),
            manifest_hash: d.manifest_hash.filter(|s| !s.is_empty()),
            ..Drive::default()
        })
        .collect();
    for cp in progress {
        let Some(sn) = cp.serial_number.clone() else {
            continue;
        };
        let d = entry(&mut drives, &sn);
        d.copy_status = cp.copy_status.filter(|s| !s.is_empty());
        d.bytes_processed = cp.bytes_processed;
        d.total_bytes = cp.total_bytes_to_process;
        d.files_processed = cp.files_processed;
        d.total_files = cp.total_files_to_process;
        d.files_errored = cp.files_errored_out;
        d.error = cp.error.and_then(CloudError::describe);
        d.percent_complete = percent(cp.bytes_processed, cp.total_bytes_to_process);
    }
    for l in logs {
        let Some(sn) = l.serial_number.clone() else {
            continue;
        };
        let d = entry(&mut drives, &sn);
        d.error_log_uri = l.error_log_link.filter(|s| !s.is_empty());
        d.verbose_log_uri = l.verbose_log_link.filter(|s| !s.is_empty());
    }
    drives
}

/// The drive with serial `sn`, added when the maps did not name it.
fn entry<'a>(drives: &'a mut Vec<Drive>, sn: &str) -> &'a mut Drive {
    let i = match drives.iter().position(|d| same_serial(&d.drive_id, sn)) {
        Some(i) => i,
        None => {
            drives.push(Drive {
                drive_id: sn.to_string(),
                ..Drive::default()
            });
            drives.len() - 1
        }
    };
    &mut drives[i]
}

/// Percent of bytes processed; none without a positive total (S-DBRP §6.4.1, INFERRED).
fn percent(done: Option<i64>, total: Option<i64>) -> Option<i64> {
    let (done, total) = (done?, total?);
    (total > 0).then(|| (done.clamp(0, total) as i128 * 100 / total as i128) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_needs_a_total() {
        assert_eq!(percent(Some(50), Some(200)), Some(25));
        assert_eq!(percent(Some(50), Some(0)), None);
        assert_eq!(percent(None, Some(10)), None);
        assert_eq!(percent(Some(i64::MAX), Some(i64::MAX)), Some(100));
    }

    #[test]
    fn other_skus_are_refused() {
        let v: Value = serde_json::from_str(
            r#"{"sku":{"name":"DataBoxDisk"},"properties":{"status":"DataCopy"}}"#,
        )
        .unwrap();
        assert!(is_databox(&v));
        assert!(matches!(job(&v), Err(JobError::OtherSku(_))));
    }
}
