//! `ie-preflight manifest DriveManifest.xml [--source SOURCE]`: a drive
//! manifest validated on its own, or against the drive it describes.

use super::check::CheckRun;
use super::file_report::finish;
use super::{fail, input, Exit};
use crate::cli::ManifestArgs;
use crate::pipeline::{self, JobType};
use crate::report::DriveStatus;
use std::path::Path;

pub fn run(a: &ManifestArgs) -> Exit {
    if let Err(e) = super::keys::one_drive_only(&a.keys) {
        return fail(Exit::Usage, &e, a.json);
    }
    let outputs = match &a.source {
        Some(source) => match super::outputs::prepare(&a.content, None, &[source]) {
            Ok(o) => o,
            Err(e) => return fail(Exit::Usage, &e.to_string(), a.json),
        },
        None => Default::default(),
    };
    let manifest = crate::sniff::xml_of("DriveManifest");
    let bytes = match input::read_bytes(
        &a.file,
        crate::manifest::MAX_BYTES,
        "a drive manifest",
        manifest,
    ) {
        Ok(b) => b,
        Err(e) => return fail(Exit::Incomplete, &e, a.json),
    };
    let Some(source) = &a.source else {
        return manifest_alone(&a.file, &bytes, &a.content.options(), a.json, a.strict);
    };
    let mut content = a.content.options();
    content.external_manifest = Some((a.file.display().to_string(), bytes));
    let run = CheckRun {
        source,
        keys: &a.keys,
        json: a.json,
        strict: a.strict,
        outputs,
        drive_id: a.content.drive_id.clone(),
    };
    run.check_and_print(|credentials| pipeline::Options {
        credentials,
        job_type: JobType::Import,
        sector_size: a.sector_size,
        strict: a.strict,
        rules: Default::default(),
        content: Some(content),
    })
}

/// `manifest FILE` without a source: the manifest's own rules, its MD5 against
/// `--manifest-hash` and its DriveId against `--drive-id`.
fn manifest_alone(
    path: &Path,
    bytes: &[u8],
    opts: &crate::pipeline::ContentOptions,
    json: bool,
    strict: bool,
) -> Exit {
    use md5::{Digest, Md5};
    let (m, mut findings) = crate::manifest::parse_manifest(bytes);
    let md5: [u8; 16] = Md5::digest(bytes).into();
    if let Some(h) = &opts.manifest_hash {
        findings.extend(crate::manifest::compare_manifest_hash(h, &md5, "file"));
    }
    if let (Some(want), Some(have)) = (&opts.drive_id, m.as_ref().and_then(|m| m.drive_id.as_ref()))
    {
        findings.extend(crate::manifest::check_drive_id(want, have, "DriveId"));
    }
    finish(
        DriveStatus::ManifestFileError,
        vec![(path.to_path_buf(), findings)],
        None,
        json,
        strict,
    )
}
