//! The key responses: where the drives' BitLocker keys come from when the job
//! record does not carry them. Import/Export: `POST .../listBitLockerKeys`
//! → `{"value": [{"driveId", "bitLockerKey"}]}` (S-RP). Data Box:
//! `POST .../listCredentials` → `{"value": [{"jobName", "jobSecrets":
//! {"jobSecretsType": "DataBoxCustomerDisk", "diskSecrets": [{"diskSerialNumber",
//! "bitLockerKey"}]}}]}` (S-DBRP; the GET body and `az databox job show` hide
//! the keys). Keys are secrets: they go into zeroizing buffers and are never
//! printed; `carrierAccountNumber` (also secret) is not read.

use super::model::{typed, Drive, Job, JobError, Provider};
use crate::source::same_serial;
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DriveKey {
    drive_id: Option<String>,
    bit_locker_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiskSecret {
    disk_serial_number: Option<String>,
    bit_locker_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobSecrets {
    job_secrets_type: Option<String>,
    disk_secrets: Option<Vec<DiskSecret>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Credentials {
    job_name: Option<String>,
    job_secrets: JobSecrets,
}

fn key_drive(serial: Option<String>, key: Option<String>) -> Option<Drive> {
    Some(Drive {
        drive_id: serial.filter(|s| !s.is_empty())?,
        bitlocker_key: key.filter(|k| !k.is_empty()).map(Zeroizing::new),
        ..Drive::default()
    })
}

/// A key response as a job of drives with keys only; `None` when the items
/// are not keys (a list of jobs).
pub fn key_response(items: &[Value]) -> Result<Option<Job>, JobError> {
    let first = match items.first() {
        Some(f) => f,
        None => return Ok(None),
    };
    if first.get("jobSecrets").is_some() {
        let mut job = Job {
            provider: Some(Provider::DataBox),
            ..Job::default()
        };
        for it in items {
            let c: Credentials = typed(it, "value[].jobSecrets")?;
            if let Some(t) = c.job_secrets.job_secrets_type.as_deref() {
                if !t.eq_ignore_ascii_case(super::databox::CUSTOMER_DISK) {
                    return Err(JobError::OtherSku(t.to_string()));
                }
            }
            job.name = job.name.or(c.job_name);
            job.drives.extend(
                c.job_secrets
                    .disk_secrets
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| key_drive(s.disk_serial_number, s.bit_locker_key)),
            );
        }
        return Ok(Some(job));
    }
    let is_key_list = first.get("driveId").is_some()
        && first.get("bitLockerKey").is_some()
        && first.get("properties").is_none();
    if !is_key_list {
        return Ok(None);
    }
    let mut drives = Vec::new();
    for it in items {
        let k: DriveKey = typed(it, "value[]")?;
        drives.extend(key_drive(k.drive_id, k.bit_locker_key));
    }
    Ok(Some(Job {
        provider: Some(Provider::ImportExport),
        drives,
        ..Job::default()
    }))
}

/// Give each drive of `job` the key `keys` holds for its serial (a key the
/// job record already has stays); serials of `keys` that are not drives of
/// the job are kept in `job.unmatched_keys`.
pub fn apply(job: &mut Job, keys: Job) {
    for k in keys.drives {
        let Some(key) = k.bitlocker_key else {
            continue;
        };
        match job
            .drives
            .iter_mut()
            .find(|d| same_serial(&d.drive_id, &k.drive_id))
        {
            Some(d) => {
                if d.bitlocker_key.is_none() {
                    d.bitlocker_key = Some(key);
                }
            }
            None => job.unmatched_keys.push(k.drive_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(json: &str) -> Vec<Value> {
        serde_json::from_str::<Value>(json).unwrap()["value"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn both_key_responses() {
        let c = items(
            r#"{"value":[{"jobName":"j","jobSecrets":{"jobSecretsType":"DataBoxCustomerDisk",
            "diskSecrets":[{"diskSerialNumber":"S1","bitLockerKey":"k1"},{"diskSerialNumber":"S2","bitLockerKey":"k2"}]}}]}"#,
        );
        let j = key_response(&c).unwrap().unwrap();
        assert_eq!(j.name.as_deref(), Some("j"));
        assert_eq!(j.drives.len(), 2);
        let b = items(r#"{"value":[{"driveId":"D1","bitLockerKey":"k"}]}"#);
        assert_eq!(key_response(&b).unwrap().unwrap().drives[0].drive_id, "D1");
        let jobs = items(r#"{"value":[{"name":"x","properties":{}}]}"#);
        assert!(key_response(&jobs).unwrap().is_none());
    }

    #[test]
    fn apply_keeps_existing_keys_and_names_strangers() {
        let mut job = Job {
            drives: vec![
                Drive {
                    drive_id: "S1".into(),
                    ..Drive::default()
                },
                Drive {
                    drive_id: "S2".into(),
                    bitlocker_key: Some(Zeroizing::new("old".into())),
                    ..Drive::default()
                },
            ],
            ..Job::default()
        };
        let keys = Job {
            drives: ["s1", "S2", "S9"]
                .iter()
                .map(|s| Drive {
                    drive_id: s.to_string(),
                    bitlocker_key: Some(Zeroizing::new(format!("key-{s}"))),
                    ..Drive::default()
                })
                .collect(),
            ..Job::default()
        };
        apply(&mut job, keys);
        assert_eq!(
            job.drives[0].bitlocker_key.as_deref().map(|k| k.as_str()),
            Some("key-s1")
        );
        assert_eq!(
            job.drives[1].bitlocker_key.as_deref().map(|k| k.as_str()),
            Some("old")
        );
        assert_eq!(job.unmatched_keys, ["S9"]);
    }
}
