//! The job record, from any of the shapes users have at hand: the REST
//! resource (`properties.driveList`), `az import-export show` output (the same,
//! camelCase), or a bare drive list. Unknown fields are ignored.

use serde_json::Value;
use zeroize::Zeroizing;

/// The stable finding codes of a job's drive list against the drives checked (`job.*`).
pub mod codes {
    crate::finding_codes! {
        DRIVE_NOT_CHECKED = "job.drive-not-checked";
        EXTRA_DRIVE = "job.extra-drive";
        TOO_MANY_DRIVES = "job.too-many-drives";
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
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub struct Job {
    pub name: Option<String>,
    pub job_type: Option<String>,
    pub state: Option<String>,
    pub percent_complete: Option<i64>,
    pub cancel_requested: Option<bool>,
    pub drives: Vec<Drive>,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no job found: expected a job resource (with `properties.driveList`), `az import-export show` output, or a drive list array")]
    Shape,
    #[error("drive {index} of the drive list has no `driveId`")]
    NoDriveId { index: usize },
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(|x| {
        x.as_i64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
    })
}

fn drive(v: &Value, index: usize) -> Result<Drive, JobError> {
    Ok(Drive {
        drive_id: text(v, "driveId").ok_or(JobError::NoDriveId { index })?,
        bitlocker_key: text(v, "bitLockerKey").map(Zeroizing::new),
        manifest_file: text(v, "manifestFile"),
        manifest_hash: text(v, "manifestHash"),
        state: text(v, "state"),
        copy_status: text(v, "copyStatus"),
        percent_complete: int(v, "percentComplete"),
        error_log_uri: text(v, "errorLogUri"),
        verbose_log_uri: text(v, "verboseLogUri"),
        bytes_succeeded: int(v, "bytesSucceeded"),
    })
}

fn drives(list: &Value) -> Result<Vec<Drive>, JobError> {
    list.as_array()
        .ok_or(JobError::Shape)?
        .iter()
        .enumerate()
        .map(|(i, d)| drive(d, i + 1))
        .collect()
}

/// Parse a job from JSON text in any of the accepted shapes.
pub fn parse_job(json: &str) -> Result<Job, JobError> {
    let v: Value = serde_json::from_str(json)?;
    if v.is_array() {
        return Ok(Job {
            drives: drives(&v)?,
            ..Job::default()
        });
    }
    // REST and az CLI nest the details under `properties`; accept them flat too.
    let p = v.get("properties").filter(|p| p.is_object()).unwrap_or(&v);
    let has_job =
        p.get("driveList").is_some() || p.get("jobType").is_some() || p.get("state").is_some();
    if !has_job {
        return Err(JobError::Shape);
    }
    Ok(Job {
        name: text(&v, "name"),
        job_type: text(p, "jobType"),
        state: text(p, "state"),
        percent_complete: int(p, "percentComplete"),
        cancel_requested: p.get("cancelRequested").and_then(Value::as_bool),
        drives: match p.get("driveList") {
            Some(l) if !l.is_null() => drives(l)?,
            _ => Vec::new(),
        },
    })
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
        assert!(!format!("{:?}", j).contains("060456"));
    }

    #[test]
    fn bare_list_and_errors() {
        let j = parse_job(r#"[{"driveId":"A"},{"driveId":"B","percentComplete":"40"}]"#).unwrap();
        assert_eq!(j.drives.len(), 2);
        assert_eq!(j.drives[1].percent_complete, Some(40));
        assert!(matches!(parse_job("{}"), Err(JobError::Shape)));
        assert!(matches!(
            parse_job(r#"[{"x":1}]"#),
            Err(JobError::NoDriveId { index: 1 })
        ));
        assert!(parse_job("nope").is_err());
    }
}
