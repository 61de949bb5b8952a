//! The Import/Export resource (`Microsoft.ImportExport/jobs`, S-RP): the REST
//! body, `az import-export show` output (the same, camelCase), the details
//! flat without `properties`, and a bare drive list.

use super::model::{typed, Drive, Job, JobError, Package, Provider};
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

/// A number the service sends as a number, or that a hand-made file spells as a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Int {
    Num(i64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

fn int(v: Option<Int>) -> Option<i64> {
    match v? {
        Int::Num(n) => Some(n),
        Int::Text(s) => s.trim().parse().ok(),
        Int::Other(_) => None,
    }
}

fn text(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// DriveStatus (S-RP §6.2). `bitLockerKey` is a secret.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DriveStatus {
    drive_id: Option<String>,
    bit_locker_key: Option<String>,
    manifest_file: Option<String>,
    manifest_hash: Option<String>,
    state: Option<String>,
    copy_status: Option<String>,
    percent_complete: Option<Int>,
    error_log_uri: Option<String>,
    verbose_log_uri: Option<String>,
    manifest_uri: Option<String>,
    bytes_succeeded: Option<Int>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PackageInformation {
    carrier_name: Option<String>,
    tracking_number: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct BlobList {
    #[serde(default)]
    blob_path: Vec<String>,
    #[serde(default)]
    blob_path_prefix: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Export {
    blob_list: Option<BlobList>,
    blob_list_blob_path: Option<String>,
}

/// JobDetails (S-RP §6.1), the fields that change what the user must do.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobDetails {
    job_type: Option<String>,
    state: Option<String>,
    percent_complete: Option<Int>,
    cancel_requested: Option<bool>,
    drive_list: Option<Vec<Value>>,
    delivery_package: Option<PackageInformation>,
    return_package: Option<PackageInformation>,
    incomplete_blob_list_uri: Option<String>,
    export: Option<Export>,
}

fn drive(v: &Value, index: usize) -> Result<Drive, JobError> {
    let d: DriveStatus = typed(v, "driveList")?;
    Ok(Drive {
        drive_id: text(d.drive_id).ok_or(JobError::NoDriveId { index })?,
        bitlocker_key: text(d.bit_locker_key).map(Zeroizing::new),
        manifest_file: text(d.manifest_file),
        manifest_hash: text(d.manifest_hash),
        state: text(d.state),
        copy_status: text(d.copy_status),
        percent_complete: int(d.percent_complete),
        error_log_uri: text(d.error_log_uri),
        verbose_log_uri: text(d.verbose_log_uri),
        manifest_uri: text(d.manifest_uri),
        bytes_succeeded: int(d.bytes_succeeded),
        ..Drive::default()
    })
}

fn drives(list: &[Value]) -> Result<Vec<Drive>, JobError> {
    list.iter()
        .enumerate()
        .map(|(i, d)| drive(d, i + 1))
        .collect()
}

/// A bare drive list (`[{"driveId": ...}, ...]`).
pub fn drive_list(v: &Value) -> Result<Job, JobError> {
    let list = v.as_array().ok_or(JobError::Shape)?;
    Ok(Job {
        drives: drives(list)?,
        ..Job::default()
    })
}

fn package(p: Option<PackageInformation>) -> Option<Package> {
    p.map(|p| Package {
        carrier: text(p.carrier_name),
        tracking: text(p.tracking_number),
    })
}

/// What an export job selects, in a few words.
fn export_selection(e: Option<Export>) -> Option<String> {
    let e = e?;
    if let Some(path) = text(e.blob_list_blob_path) {
        return Some(format!("the blobs named by the blob list blob {path}"));
    }
    let l = e.blob_list?;
    let (n, p) = (l.blob_path.len(), l.blob_path_prefix.len());
    (n + p > 0).then(|| format!("{n} blob paths and {p} blob path prefixes given with the job"))
}

/// One Import/Export job object (REST body, `az import-export show`, or its details flat).
pub fn job(v: &Value) -> Result<Job, JobError> {
    if !v.is_object() {
        return Err(JobError::Shape);
    }
    let p = v.get("properties").filter(|p| p.is_object()).unwrap_or(v);
    let has_job =
        p.get("driveList").is_some() || p.get("jobType").is_some() || p.get("state").is_some();
    if !has_job {
        return Err(JobError::Shape);
    }
    let d: JobDetails = typed(p, "properties")?;
    let name = v.get("name").and_then(Value::as_str).map(str::to_string);
    Ok(Job {
        provider: Some(Provider::ImportExport),
        name: text(name),
        job_type: text(d.job_type),
        state: text(d.state),
        percent_complete: int(d.percent_complete),
        cancel_requested: d.cancel_requested,
        delivery: package(d.delivery_package),
        return_package: package(d.return_package),
        incomplete_blob_list_uri: text(d.incomplete_blob_list_uri),
        export_selection: export_selection(d.export),
        drives: drives(d.drive_list.as_deref().unwrap_or_default())?,
        ..Job::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_and_packages() {
        let v: Value = serde_json::from_str(
            r#"{"name":"e","properties":{"jobType":"Export","state":"Completed",
            "incompleteBlobListUri":"https://a/b/incomplete.xml",
            "deliveryPackage":{"carrierName":"FedEx","trackingNumber":"123"},
            "export":{"blobList":{"blobPath":["/c/a"],"blobPathPrefix":["/d/","/e/"]}}}}"#,
        )
        .unwrap();
        let j = job(&v).unwrap();
        assert!(j.delivery.as_ref().unwrap().has_tracking());
        assert!(j.return_package.is_none());
        assert_eq!(
            j.export_selection.as_deref(),
            Some("1 blob paths and 2 blob path prefixes given with the job")
        );
        assert!(j.incomplete_blob_list_uri.is_some());
    }
}
