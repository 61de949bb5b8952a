//! Size limits per destination type (S-FAQ, S-BLOBSCALE,
//! S-FILESCALE, S-PREP1).

use super::codes;
use crate::azure::destination::ObjectKind;
use crate::azure::limits::{
    Limit, AZURE_FILE_CONSERVATIVE, AZURE_FILE_MAX, BLOCK_BLOB_MAX, PAGE_BLOB_ALIGNMENT,
    PAGE_BLOB_MAX,
};
use crate::report::{DriveStatus, Finding};

/// Rule `azure.page-blob-alignment`: a page blob's length is a multiple of 512.
pub fn page_blob_alignment(subject: &str, size: u64) -> Vec<Finding> {
    let a = PAGE_BLOB_ALIGNMENT.value;
    if size % a == 0 {
        return Vec::new();
    }
    vec![Finding::error(
        codes::PAGE_BLOB_ALIGNMENT,
        DriveStatus::UnsupportedData,
        subject,
        format!("{size} bytes is not a multiple of {a}, so it cannot be a page blob"),
    )
    .with_hint("import it as a block blob, or pad it to a multiple of 512 bytes")]
}

fn over(subject: &str, size: u64, kind: &str, limit: &Limit) -> Finding {
    Finding::error(
        codes::SIZE_LIMIT,
        DriveStatus::UnsupportedData,
        subject,
        format!(
            "{size} bytes is more than a {kind} may hold ({} bytes, {})",
            limit.value, limit.source
        ),
    )
    .with_hint("split the file")
}

/// Rule `azure.size-limit` (hard caps) and `azure.file-size` (Azure Files
/// above the older 1 TiB cap: UNCONFIRMED for Import/Export, a warning).
pub fn size_limit(subject: &str, size: u64, kind: ObjectKind) -> Vec<Finding> {
    match kind {
        ObjectKind::BlockBlob if size > BLOCK_BLOB_MAX.value => {
            vec![over(subject, size, "block blob", &BLOCK_BLOB_MAX)]
        }
        ObjectKind::PageBlob if size > PAGE_BLOB_MAX.value => {
            vec![over(subject, size, "page blob", &PAGE_BLOB_MAX)]
        }
        ObjectKind::AzureFile if size > AZURE_FILE_MAX.value => {
            vec![over(subject, size, "file in Azure Files", &AZURE_FILE_MAX)]
        }
        ObjectKind::AzureFile if size > AZURE_FILE_CONSERVATIVE.value => vec![Finding::warning(
            codes::FILE_SIZE,
            DriveStatus::UnsupportedData,
            subject,
            format!(
                "{size} bytes is more than the {} bytes older docs allow per Azure file; the cap Import/Export enforces is unconfirmed",
                AZURE_FILE_CONSERVATIVE.value
            ),
        )],
        _ => Vec::new(),
    }
}
