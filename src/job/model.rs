//! The job record, from any of the shapes users have at hand, for both
//! resource providers: the Import/Export resource (`Microsoft.ImportExport/jobs`,
//! [`super::classic`]) and the Data Box customer-disk job
//! (`Microsoft.DataBox/jobs`, SKU `DataBoxCustomerDisk`, [`super::databox`]),
//! each as the REST body, `az ... show` output, or a list response
//! (`{"value": [...]}`, or a JSON array of jobs); a bare drive list; and the
//! key responses (`listBitLockerKeys`, `listCredentials`, [`super::keys`]).
//! Unknown fields are ignored.

use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

/// The stable finding codes of a job's drive list against the drives checked (`job.*`).
pub mod codes {
    crate::finding_codes! {
        DRIVE_NOT_CHECKED = "job.drive-not-checked";
        EXTRA_DRIVE = "job.extra-drive";
        TOO_MANY_DRIVES = "job.too-many-drives";
        NO_KEY = "job.no-key";
        KEY_FOR_UNKNOWN_DRIVE = "job.key-for-unknown-drive";
    }
}

/// Which resource provider the record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// `Microsoft.ImportExport/jobs` (the classic Import/Export resource).
    ImportExport,
    /// `Microsoft.DataBox/jobs` with SKU `DataBoxCustomerDisk`.
    DataBox,
}

/// A shipment as the job records it: carrier and tracking number.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Package {
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

impl Package {
    /// A tracking number is what the portal asks for; a carrier alone is not enough.
    pub fn has_tracking(&self) -> bool {
        self.tracking
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    }
}

/// One drive of a job. `bitlocker_key` is a secret: never printed.
#[derive(Default)]
pub struct Drive {
    pub drive_id: String,
    pub bitlocker_key: Option<Zeroizing<String>>,
    pub manifest_file: Option<String>,
    pub manifest_hash: Option<String>,
    pub state: Option<String>,
    pub copy_status: Option<String>,
    pub percent_complete: Option<i64>,
    pub error_log_uri: Option<String>,
    pub verbose_log_uri: Option<String>,
    pub bytes_succeeded: Option<i64>,
    /// Classic: the blob holding the drive manifest the service copied.
    pub manifest_uri: Option<String>,
    /// Data Box `copyProgress`: bytes processed of the total.
    pub bytes_processed: Option<i64>,
    pub total_bytes: Option<i64>,
    pub files_processed: Option<i64>,
    pub total_files: Option<i64>,
    pub files_errored: Option<i64>,
    /// The error the service gives for this drive (`copyProgress[].error`).
    pub error: Option<String>,
}

impl std::fmt::Debug for Drive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Drive")
            .field("drive_id", &self.drive_id)
            .field(
                "bitlocker_key",
                &self.bitlocker_key.as_ref().map(|_| "<secret>"),
            )
            .field("state", &self.state)
            .field("copy_status", &self.copy_status)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub struct Job {
    pub provider: Option<Provider>,
    pub name: Option<String>,
    /// `Import` or `Export` (Data Box `transferType` is mapped onto these).
    pub job_type: Option<String>,
    /// The state (classic `state`, Data Box `status`, the stage name).
    pub state: Option<String>,
    pub percent_complete: Option<i64>,
    pub cancel_requested: Option<bool>,
    /// Data Box `isCancellable`.
    pub is_cancellable: Option<bool>,
    /// To the datacenter (classic `deliveryPackage`, Data Box `deliverToDcPackageDetails`).
    pub delivery: Option<Package>,
    /// Back to the customer (classic `returnPackage`, Data Box `returnToCustomerPackageDetails`).
    pub return_package: Option<Package>,
    /// The job's own error (Data Box `error`: code and message).
    pub error: Option<String>,
    /// Classic export: the blob listing what did not fit on the drives.
    pub incomplete_blob_list_uri: Option<String>,
    /// Export: what is exported (blob paths and prefixes, or a blob-list blob).
    pub export_selection: Option<String>,
    pub drives: Vec<Drive>,
    /// Serials a key source named that are not drives of this job.
    pub unmatched_keys: Vec<String>,
}

impl Job {
    pub fn is_export(&self) -> bool {
        self.job_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("export"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no job found: expected an Import/Export job (with `properties.driveList`, or `az import-export show` output), a Data Box customer-disk job (`Microsoft.DataBox/jobs`, SKU DataBoxCustomerDisk, or `az databox job show` output), a list of jobs (`{{\"value\": [...]}}`), a drive list array, or a listBitLockerKeys / listCredentials response")]
    Shape,
    #[error("drive {index} of the drive list has no `driveId`")]
    NoDriveId { index: usize },
    #[error("field `{field}`: {msg}")]
    Field { field: &'static str, msg: String },
    #[error("a Data Box job of SKU {0}: only customer-disk jobs (DataBoxCustomerDisk) are Import/Export jobs")]
    OtherSku(String),
    #[error("the list holds {0} jobs; give one job (its GET body or `az ... show` output)")]
    Many(usize),
    #[error("the list holds no job")]
    Empty,
}

/// A typed read of one JSON value, the error naming the field.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    v: &Value,
    field: &'static str,
) -> Result<T, JobError> {
    T::deserialize(v).map_err(|e| JobError::Field {
        field,
        msg: e.to_string(),
    })
}

/// Every job in the text: one for a job, several for a list response.
pub fn parse_jobs(json: &str) -> Result<Vec<Job>, JobError> {
    let v: Value = serde_json::from_str(json)?;
    if let Some(items) = v.as_array() {
        if items.first().is_some_and(|d| d.get("driveId").is_some()) {
            return Ok(vec![super::classic::drive_list(&v)?]);
        }
        return list(items);
    }
    if let Some(items) = v.get("value").and_then(Value::as_array) {
        if v.get("properties").is_none() {
            if let Some(job) = super::keys::key_response(items)? {
                return Ok(vec![job]);
            }
            return list(items);
        }
    }
    Ok(vec![one(&v)?])
}

fn list(items: &[Value]) -> Result<Vec<Job>, JobError> {
    if items.is_empty() {
        return Err(JobError::Empty);
    }
    items.iter().map(one).collect()
}

/// One job object, of either provider.
fn one(v: &Value) -> Result<Job, JobError> {
    if super::databox::is_databox(v) {
        super::databox::job(v)
    } else {
        super::classic::job(v)
    }
}

/// Parse a single job from JSON text in any of the accepted shapes.
pub fn parse_job(json: &str) -> Result<Job, JobError> {
    let mut jobs = parse_jobs(json)?;
    match jobs.len() {
        1 => jobs.pop().ok_or(JobError::Empty),
        0 => Err(JobError::Empty),
        n => Err(JobError::Many(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_shape() {
        let j = parse_job(r#"{"name":"job1","properties":{"jobType":"Import","state":"Shipping",
            "driveList":[{"driveId":"WD1","bitLockerKey":"060456-014509-132033-080300-252615-584177-672089-411631",
            "manifestFile":"\\DriveManifest.xml","manifestHash":"ABC","state":"Specified"}]}}"#)
        .unwrap();
        assert_eq!(j.name.as_deref(), Some("job1"));
        assert_eq!(j.drives[0].drive_id, "WD1");
        assert_eq!(j.provider, Some(Provider::ImportExport));
        assert!(!format!("{:?}", j).contains("060456"));
    }

    #[test]
    fn bare_list_and_errors() {
        let j = parse_job(r#"[{"driveId":"A"},{"driveId":"B","percentComplete":"40"}]"#).unwrap();
        assert_eq!(j.drives.len(), 2);
        assert_eq!(j.drives[1].percent_complete, Some(40));
        assert!(matches!(parse_job("{}"), Err(JobError::Shape)));
        assert!(matches!(
            parse_job(r#"[{"driveId":"A"},{"x":1}]"#),
            Err(JobError::NoDriveId { index: 2 })
        ));
        assert!(parse_job("nope").is_err());
        assert!(matches!(parse_job(r#"{"value":[]}"#), Err(JobError::Empty)));
    }

    #[test]
    fn lists_of_jobs() {
        let two = r#"{"value":[{"name":"a","properties":{"state":"Creating","driveList":[]}},
            {"name":"b","properties":{"state":"Shipping","driveList":[]}}]}"#;
        assert_eq!(parse_jobs(two).unwrap().len(), 2);
        assert!(matches!(parse_job(two), Err(JobError::Many(2))));
        let arr = r#"[{"name":"a","properties":{"state":"Creating"}}]"#;
        assert_eq!(parse_job(arr).unwrap().name.as_deref(), Some("a"));
    }
}
