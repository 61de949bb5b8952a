use super::items::{below, volume_relative};
use super::*;
use crate::manifest::BlobKind;

#[test]
fn base_paths_map_to_the_volume() {
    assert_eq!(volume_relative("F:\\folder\\").as_deref(), Some("folder"));
    assert_eq!(volume_relative("F:\\").as_deref(), Some(""));
    assert_eq!(volume_relative("f:\\a\\b.vhd").as_deref(), Some("a/b.vhd"));
    assert_eq!(volume_relative("\\\\srv\\share\\"), None);
    assert_eq!(below("Folder/x", "folder"), Some("x"));
    assert_eq!(below("folderx/y", "folder"), None);
    assert_eq!(below("a", ""), Some("a"));
    assert_eq!(below("é", "e"), None);
}

#[test]
fn dataset_rows_judge_their_own_part() {
    let csv = "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\
               \"F:\\data\\\",\"data-c1/\",BlockBlob,rename,None,None\n\
               \"F:\\disk.vhd\",\"vhd-c2/d.vhd\",PageBlob,rename,None,None\n\
               \"F:\\gone\\\",\"gone-c3/\",BlockBlob,rename,None,None\n";
    let (f, rows) = crate::azure::dataset::validate_dataset(csv);
    assert!(f.is_empty(), "{f:?}");
    let item = |p: &str, d: bool, s: u64| Item {
        path: p.into(),
        is_dir: d,
        size: s,
        is_reparse_point: false,
        is_encrypted: false,
    };
    let items = vec![
        item("data", true, 0),
        item("data/ok.txt", false, 5),
        item("data/bad.", false, 5),
        item("disk.vhd", false, 1000),
    ];
    let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].report.count("azure.blob-trailing"), 1);
    assert_eq!(runs[0].report.files, 2);
    assert_eq!(runs[1].report.count("azure.page-blob-alignment"), 1);
    assert_eq!(runs[1].destination, "vhd-c2/d.vhd");
    let codes: Vec<&str> = found.iter().map(|f| f.code).collect();
    assert!(codes.contains(&DATASET_PATH_MISSING), "{codes:?}");
}

#[test]
fn dataset_container_limit_counts_every_row() {
    let mut csv = String::from(
        "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n",
    );
    for n in 0..513 {
        csv.push_str(&format!(
            "\"F:\\d{n}\\\",\"cont{n}/\",BlockBlob,rename,None,None\n"
        ));
    }
    let (f, rows) = crate::azure::dataset::validate_dataset(&csv);
    assert!(f.is_empty(), "{:?}", f.first());
    let items: Vec<Item> = (0..513)
        .map(|n| Item {
            path: format!("d{n}"),
            is_dir: true,
            size: 0,
            is_reparse_point: false,
            is_encrypted: false,
        })
        .collect();
    let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
    assert_eq!(runs.len(), 513);
    let too_many: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code == "azure.too-many-containers")
        .collect();
    assert_eq!(too_many.len(), 1);
    assert_eq!(too_many[0].subject, "dataset destinations");
}

fn item(p: &str, d: bool, s: u64) -> Item {
    Item {
        path: p.into(),
        is_dir: d,
        size: s,
        is_reparse_point: false,
        is_encrypted: false,
    }
}

fn all(runs: &[RulesRun], code: &str) -> Vec<String> {
    runs.iter()
        .flat_map(|r| r.report.all_paths.get(code).cloned().unwrap_or_default())
        .collect()
}

#[test]
fn dataset_rows_collide_across_rows() {
    // Azure Files: `a/Report.txt` and `b/report.txt` land in one share
    // folder (case-insensitive); `c/x` is a file where row 4's prefix
    // makes a folder `x`; two folders `docs` merge without a finding.
    let csv = "BasePath,DstItemPathOrPrefix,ItemType,Disposition,MetadataFile,PropertiesFile\n\
               \"F:\\a\\\",\"share/\",file,rename,None,None\n\
               \"F:\\b\\\",\"share/\",file,rename,None,None\n\
               \"F:\\c\\\",\"share/\",file,rename,None,None\n\
               \"F:\\d\\\",\"share/x/\",file,rename,None,None\n\
               \"F:\\e\\\",\"other/\",file,rename,None,None\n";
    let (f, rows) = crate::azure::dataset::validate_dataset(csv);
    assert!(f.is_empty(), "{f:?}");
    let items = vec![
        item("a", true, 0),
        item("a/Report.txt", false, 1),
        item("a/docs", true, 0),
        item("a/docs/1", false, 1),
        item("b", true, 0),
        item("b/report.txt", false, 1),
        item("b/docs", true, 0),
        item("b/docs/2", false, 1),
        item("c", true, 0),
        item("c/x", false, 1),
        item("d", true, 0),
        item("d/y", false, 1),
        item("e", true, 0),
        item("e/report.txt", false, 1), // another share: no collision
    ];
    let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
    assert_eq!(runs.len(), 5);
    assert_eq!(all(&runs, "azure.name-collision"), ["report.txt"]);
    assert_eq!(runs[1].report.count("azure.name-collision"), 1);
    let f = found
        .iter()
        .find(|f| f.code == "azure.name-collision")
        .expect("collision");
    assert!(f.message.contains("a/Report.txt (dataset line 2)"), "{f:?}");
    assert_eq!(
        all(&runs, "azure.file-dir-collision"),
        ["destination prefix x/"]
    );
    assert_eq!(runs[3].report.count("azure.file-dir-collision"), 1);

    // Blobs: the same name from two rows collides; case differs: no collision.
    let csv = "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\
               \"F:\\a\\\",\"data/\",BlockBlob,rename,None,None\n\
               \"F:\\b\\\",\"data/\",BlockBlob,rename,None,None\n\
               \"F:\\c.bin\",\"data/same.bin\",BlockBlob,rename,None,None\n";
    let (f, rows) = crate::azure::dataset::validate_dataset(csv);
    assert!(f.is_empty(), "{f:?}");
    let items = vec![
        item("a", true, 0),
        item("a/same.bin", false, 1),
        item("a/Case.txt", false, 1),
        item("b", true, 0),
        item("b/case.txt", false, 1),
        item("c.bin", false, 1),
    ];
    let (runs, _) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
    assert_eq!(all(&runs, "azure.name-collision"), ["same.bin"]);
    assert_eq!(runs[2].report.count("azure.name-collision"), 1);
    assert_eq!(all(&runs, "azure.file-dir-collision"), Vec::<String>::new());
}

#[test]
fn dataset_long_paths_count_from_the_drive_root() {
    // X:\ + 150 + / + 110 = 264 characters from the root; 113 from BasePath.
    let base = "b".repeat(150);
    let file = format!("{base}/{}", "f".repeat(110));
    let csv = format!(
        "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n\
         \"F:\\{base}\\\",\"data/\",BlockBlob,rename,None,None\n\
         \"F:\\{}\",\"data/one.bin\",BlockBlob,rename,None,None\n",
        file.replace('/', "\\")
    );
    let (f, rows) = crate::azure::dataset::validate_dataset(&csv);
    assert!(f.is_empty(), "{f:?}");
    let items = vec![item(&base, true, 0), item(&file, false, 1)];
    let (runs, found) = judge_items(&items, "drive", "", &Mode::Dataset(rows));
    assert_eq!(runs.len(), 2);
    assert_eq!(
        all(&runs, "azure.long-path"),
        ["f".repeat(110), "one.bin".to_string()]
    );
    let f = found
        .iter()
        .find(|f| f.code == "azure.long-path")
        .expect("long path");
    assert!(f.message.contains("264 characters"), "{}", f.message);
}

#[test]
fn manifest_blob_paths_are_judged_with_file_paths_as_subjects() {
    let t = |file: &str, blob: &str, kind: BlobKind, len: u64| BlobTarget {
        file_path: file.into(),
        blob_path: blob.into(),
        kind,
        length: Some(len),
    };
    let targets = vec![
        t("\\data\\ok.bin", "backup/data/ok.bin", BlobKind::Block, 10),
        t("\\data\\a.bin", "backup/trailing.", BlobKind::Block, 10),
        t("\\disk.vhd", "vhds/disk.vhd", BlobKind::Page, 1000),
        t("\\b.bin", "Bad_Container/b.bin", BlobKind::Block, 1),
        t("\\c.bin", "backup/dir./c.bin", BlobKind::Block, 1),
        t("\\d.bin", "backup/dir./d.bin", BlobKind::Block, 1),
        t("\\e.bin", "$root/sub/e.bin", BlobKind::Block, 1),
    ];
    let run = judge_manifest(&targets, None);
    assert_eq!(run.destination, MANIFEST_DESTINATION);
    let r = &run.report;
    assert_eq!(r.files, 7);
    assert_eq!(r.bytes, 1024);
    assert_eq!(r.containers, 4);
    let paths = |c: &str| r.all_paths.get(c).cloned().unwrap_or_default();
    assert_eq!(paths("azure.blob-trailing"), ["\\data\\a.bin"]);
    assert_eq!(paths("azure.page-blob-alignment"), ["\\disk.vhd"]);
    assert_eq!(paths("azure.container-name"), ["\\b.bin"]);
    // A folder in the blob names is judged once.
    assert_eq!(paths("azure.blob-segment-dot"), ["\\c.bin"]);
    assert_eq!(paths("azure.root-subdir"), ["\\e.bin"]);
    assert_eq!(r.counts.len(), 5, "{:?}", r.counts);

    // Through the stage: the rows are checked without any option.
    let mut findings = Vec::new();
    let mut list = Checklist::default();
    let runs = stage(
        None,
        Some(&targets),
        JobType::Import,
        &RulesOptions::default(),
        &mut findings,
        &mut list,
    );
    assert_eq!(runs.len(), 1);
    assert!(findings
        .iter()
        .any(|f| f.code == "azure.page-blob-alignment"));
    assert!(list.incomplete_reasons().is_empty());
    // Neither an option nor a manifest: not checked; the flag without one: blocked.
    let mut list = Checklist::default();
    let runs = stage(
        None,
        None,
        JobType::Import,
        &RulesOptions::default(),
        &mut Vec::new(),
        &mut list,
    );
    assert!(runs.is_empty());
    assert!(list.incomplete_reasons().is_empty());
    let rows = list.rows(&[]);
    let row = rows
        .iter()
        .find(|r| r.status == DriveStatus::UnsupportedData)
        .expect("row");
    assert_eq!(row.reason.as_deref(), Some(NO_DESTINATION_OR_MANIFEST));
    let mut list = Checklist::default();
    let opts = RulesOptions {
        mode: Mode::Manifest,
        ..RulesOptions::default()
    };
    stage(
        None,
        None,
        JobType::Import,
        &opts,
        &mut Vec::new(),
        &mut list,
    );
    assert_eq!(list.incomplete_reasons().len(), 2);
}
