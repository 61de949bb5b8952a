//! The WAImportExport journal (`.jrn`) and the per-drive `_DriveInfo_<serial>.xml`
//! (S-PREP2, S-TOBLOBS in `docs/sources.md`): both carry, per drive, the serial, BitLocker key,
//! manifest file and manifest hash. Other journal values (the storage account
//! key among them) are skipped, never kept.

use super::model::{Drive, Job};
use quick_xml::events::Event;
use quick_xml::Reader;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("line {line}: {what}")]
    Journal { line: usize, what: String },
    #[error("DriveInfo XML: {0}")]
    Xml(String),
    #[error("no <Drive> record found")]
    NoDrive,
}

/// Every `<Drive>` element in an XML text (a DriveInfo file, or a value
/// embedded in a journal record).
pub fn drives_from_xml(text: &str) -> Result<Vec<Drive>, JournalError> {
    let mut reader = Reader::from_str(text);
    let mut out = Vec::new();
    let mut current: Option<Drive> = None;
    let mut field: Option<String> = None;
    let mut depth = 0usize;
    loop {
        match reader
            .read_event()
            .map_err(|e| JournalError::Xml(e.to_string()))?
        {
            Event::Start(e) => {
                depth += 1;
                if depth > 16 {
                    return Err(JournalError::Xml("elements nested too deep".into()));
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name == "Drive" {
                    current = Some(Drive::default());
                } else if current.is_some() {
                    field = Some(name);
                }
            }
            Event::Text(t) => {
                if let (Some(d), Some(f)) = (current.as_mut(), field.as_deref()) {
                    let v = t
                        .xml10_content()
                        .map_err(|e| JournalError::Xml(e.to_string()))?;
                    let v = v.trim().to_string();
                    match f {
                        "DriveId" => d.drive_id = v,
                        "BitLockerKey" => d.bitlocker_key = Some(Zeroizing::new(v)),
                        "ManifestFile" => d.manifest_file = Some(v),
                        "ManifestHash" => d.manifest_hash = Some(v),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                field = None;
                if e.name().as_ref() == b"Drive" {
                    if let Some(d) = current.take() {
                        out.push(d);
                    }
                }
            }
            Event::DocType(_) => return Err(JournalError::Xml("a DOCTYPE is not expected".into())),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The DriveInfo records of a journal.
pub fn drives_from_journal(text: &str) -> Result<Vec<Drive>, JournalError> {
    let mut out = Vec::new();
    let mut value: Option<(usize, String)> = None; // an open [BeginValue] block
    let mut in_record = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some((_, buf)) = value.as_mut() {
            if let Some(before) = line.strip_suffix("[EndValue]") {
                buf.push_str(before);
                let (_, v) = value.take().unwrap_or_default();
                if v.contains("<Drive") {
                    out.extend(drives_from_xml(&v)?);
                }
            } else {
                buf.push_str(line);
                buf.push('\n');
            }
            continue;
        }
        if line.starts_with("[BeginUpdateRecord]") {
            in_record = true;
        } else if line.starts_with("[EndUpdateRecord]") {
            in_record = false;
        } else if in_record {
            if let Some((_, rest)) = line.split_once(": ") {
                if let Some(after) = rest.strip_prefix("[BeginValue]") {
                    value = Some((n, format!("{after}\n")));
                }
            }
        }
    }
    if let Some((start, _)) = value {
        return Err(JournalError::Journal {
            line: start,
            what: "a [BeginValue] block is never closed with [EndValue]".into(),
        });
    }
    Ok(out)
}

/// A job from a journal or a DriveInfo file (no job state: they describe drives only).
pub fn job_from_text(text: &str) -> Result<Job, JournalError> {
    let drives = if text.contains("[BeginUpdateRecord]") {
        drives_from_journal(text)?
    } else {
        drives_from_xml(text)?
    };
    if drives.is_empty() {
        return Err(JournalError::NoDrive);
    }
    Ok(Job {
        drives,
        ..Job::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOURNAL: &str = "[BeginUpdateRecord][2024/01/02 10:11:12.345][Type:NewJournalFile]\n\
VocabularyVersion: 2013-02-01\n\
[EndUpdateRecord]\n\
[BeginUpdateRecord][2024/01/02 10:11:13.000][Type:ActivityRecord]\n\
ActivityId: PrepImportDriveCommandContext\n\
StorageAccountKey: *******\n\
[EndUpdateRecord]\n\
[BeginUpdateRecord][2024/01/02 10:11:14.000][Type:ActivityRecord]\n\
ActivityId: DriveInfo\n\
DriveState: [BeginValue]\n\
<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<Drive><DriveId>9CA995BB</DriveId><BitLockerKey>238810-662376-448998-450120-652806-203390-606320-483076</BitLockerKey><ManifestFile>\\DriveManifest.xml</ManifestFile><ManifestHash>109B21108597EF36D5785F08303F3638</ManifestHash></Drive>\n\
[EndValue]\n\
SaveCommandOutput: Completed\n\
[EndUpdateRecord]\n";

    #[test]
    fn journal_drive_info() {
        let j = job_from_text(JOURNAL).unwrap();
        assert_eq!(j.drives.len(), 1);
        let d = &j.drives[0];
        assert_eq!(d.drive_id, "9CA995BB");
        assert_eq!(d.manifest_file.as_deref(), Some("\\DriveManifest.xml"));
        assert_eq!(
            d.manifest_hash.as_deref(),
            Some("109B21108597EF36D5785F08303F3638")
        );
        assert!(d.bitlocker_key.is_some());
    }

    #[test]
    fn unclosed_value_names_its_line() {
        let bad =
            "[BeginUpdateRecord][x][Type:ActivityRecord]\nDriveState: [BeginValue]\n<Drive>\n";
        assert!(matches!(
            job_from_text(bad),
            Err(JournalError::Journal { line: 2, .. })
        ));
        assert!(matches!(
            job_from_text("<Other/>"),
            Err(JournalError::NoDrive)
        ));
    }
}
