//! WAImportExport v2 dataset/driveset CSV validation, with the reference's
//! examples and recovery-password test vectors.

use ie_preflight::azure::dataset::{codes, validate_dataset, validate_driveset};
use ie_preflight::azure::{ObjectKind, Target};
use ie_preflight::report::{DriveStatus, Severity};

fn found(v: &[ie_preflight::report::Finding]) -> Vec<(&'static str, String)> {
    v.iter().map(|f| (f.code, f.subject.clone())).collect()
}

const HEAD: &str =
    "BasePath,DstBlobPathOrPrefix,BlobType,Disposition,MetadataFile,PropertiesFile\n";

#[test]
fn composed_blob_example_is_valid() {
    // Reference §3.3 composed example.
    let csv = format!(
        "{HEAD}\"D:\\export\\2023\\\",\"archive-2023/\",BlockBlob,rename,\"None\",None\n\"D:\\vm\\disk0.vhd\",\"vhds/disk0.vhd\",PageBlob,overwrite,\"None\",None\n"
    );
    let (f, rows) = validate_dataset(&csv);
    assert_eq!(found(&f), vec![]);
    assert_eq!(rows.len(), 2);
    let d = rows[0].destination.as_ref().unwrap();
    assert_eq!((d.container(), d.prefix()), (Some("archive-2023"), ""));
    assert!(rows[1].destination.is_none() && !rows[1].is_dir);
}

#[test]
fn blob_type_defaults_by_extension() {
    let (f, rows) = validate_dataset(&format!("{HEAD}\\\\srv\\share\\vms\\,vhds/,,,,\n"));
    assert_eq!(found(&f), vec![]);
    let d = rows[0].destination.as_ref().unwrap();
    assert_eq!(d.target(), Target::Blob(None));
    let e = ie_preflight::azure::EntryRef {
        path: "a.vhdx",
        is_dir: false,
        size: 0,
        is_reparse_point: false,
        is_encrypted: false,
    };
    assert_eq!(d.map(&e).unwrap().kind, ObjectKind::PageBlob);
}

#[test]
fn azure_files_example_share_name_is_a_rename_warning() {
    // S-TOFILES writes `MyAzureFileshare1/`; share names are lowercase, and the service
    // renames an invalid one (ShareRenamed): the rename warning, not an error.
    let head = "BasePath,DstItemPathOrPrefix,ItemType\n";
    // (destination, expected (code, severity), a destination is kept)
    type Case<'a> = (&'a str, &'a [(&'a str, Severity)], bool);
    let table: &[Case] = &[
        (
            "MyAzureFileshare1/",
            &[("azure.share-name", Severity::Warning)],
            true,
        ),
        ("myazurefileshare1/", &[], true),
        ("/dir/", &[(codes::DESTINATION, Severity::Error)], false),
        ("NoSlash", &[(codes::DESTINATION, Severity::Error)], false),
    ];
    for (dst, want, kept) in table {
        let csv = format!("{head}\"F:\\MyFolder2\\\",\"{dst}\",file\n");
        let (f, rows) = validate_dataset(&csv);
        let got: Vec<(&str, Severity)> = f.iter().map(|x| (x.code, x.severity)).collect();
        assert_eq!(got, *want, "{dst}");
        if let Some(w) = f.iter().find(|x| x.code == "azure.share-name") {
            assert_eq!(w.predicts, DriveStatus::CopiedWithWarnings);
            assert_eq!(w.subject, "line 2, column DstItemPathOrPrefix");
            assert!(w.message.contains("myazurefileshare1"), "{}", w.message);
        }
        assert_eq!(rows[0].destination.is_some(), *kept, "{dst}");
        if *kept {
            assert_eq!(
                rows[0].destination.as_ref().unwrap().target(),
                Target::Files
            );
        }
    }
}

#[test]
fn dataset_errors() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("", &[(codes::EMPTY, "line 1")]),
        ("\"D:\\x,", &[(codes::CSV, "line 1")]),
        (
            "BasePath,BlobType\nD:\\a\\,block\n",
            &[
                (codes::HEADER, "line 1"),
                (codes::DESTINATION, "line 2, column DstBlobPathOrPrefix"),
            ],
        ),
        (
            "basepath,DstBlobPathOrPrefix\n",
            &[
                (codes::HEADER, "line 1"),
                (codes::HEADER, "line 1"),
                (codes::EMPTY, "line 1"),
            ],
        ),
        (
            "BasePath,DstBlobPathOrPrefix,BlobType\nD:\\a\\,cont/,blockblob\n",
            &[(codes::VALUE, "line 2, column BlobType")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix,Disposition\nD:\\a\\,cont/,Rename\n",
            &[(codes::VALUE, "line 2, column Disposition")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\na\\b\\,cont/\n",
            &[(codes::BASE_PATH, "line 2, column BasePath")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\nD:\\*.txt,cont/x\n",
            &[(codes::BASE_PATH, "line 2, column BasePath")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\nD:\\a\\,cont\n",
            &[(codes::DESTINATION, "line 2, column DstBlobPathOrPrefix")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\nD:\\a\\,Cont/\n",
            &[(codes::DESTINATION, "line 2, column DstBlobPathOrPrefix")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\nD:\\a\\,$root/dir/\n",
            &[(codes::DESTINATION, "line 2, column DstBlobPathOrPrefix")],
        ),
        (
            "BasePath,DstBlobPathOrPrefix\nD:\\a\\,cont/,x\n",
            &[(codes::COLUMNS, "line 2")],
        ),
    ];
    for (csv, want) in cases {
        let (f, _) = validate_dataset(csv);
        let want: Vec<(&str, String)> = want.iter().map(|(c, s)| (*c, s.to_string())).collect();
        assert_eq!(found(&f), want, "{csv:?}");
    }
    // A single-file destination gets the blob-name rules.
    let (f, _) = validate_dataset("BasePath,DstBlobPathOrPrefix\nD:\\a.txt,cont/a.\n");
    assert_eq!(f[0].code, "azure.blob-trailing");
}

const DHEAD: &str =
    "DriveLetter,FormatOption,SilentOrPromptOnFormat,Encryption,ExistingBitLockerKey\n";

#[test]
fn driveset_documented_keys_are_valid() {
    for key in [
        "060456-014509-132033-080300-252615-584177-672089-411631",
        "238810-662376-448998-450120-652806-203390-606320-483076",
        "397386-221353-718905-535249-156728-127017-683716-083391",
    ] {
        let csv = format!("{DHEAD}R,AlreadyFormatted,SilentMode,AlreadyEncrypted,{key}\n");
        assert_eq!(found(&validate_driveset(&csv)), vec![], "{key}");
    }
    let csv = format!("{DHEAD}H,Format,SilentMode,Encrypt,\n");
    assert_eq!(found(&validate_driveset(&csv)), vec![]);
}

#[test]
fn driveset_cli_example_key_is_not_a_key() {
    let key = "439675-460165-128202-905124-487224-524332-851649-442187";
    let csv = format!("{DHEAD}R,AlreadyFormatted,SilentMode,AlreadyEncrypted,{key}\n");
    let f = validate_driveset(&csv);
    assert_eq!(
        found(&f),
        vec![(
            codes::KEY_INVALID,
            "line 2, column ExistingBitLockerKey".into()
        )]
    );
    assert_eq!(f[0].predicts, DriveStatus::BitLockerKeyInvalid);
    assert!(!f[0].message.contains("439675"), "never echo the key");
}

#[test]
fn driveset_cross_field_rules_with_tool_wording() {
    let key = "060456-014509-132033-080300-252615-584177-672089-411631";
    let rows = [
        (
            format!("R,Format,SilentMode,AlreadyEncrypted,{key}"),
            codes::FORMAT_NEEDS_ENCRYPT,
            "When Format is specified, Encrypt must also be specified",
        ),
        (
            format!("R,AlreadyFormatted,SilentMode,Encrypt,{key}"),
            codes::KEY_FORBIDDEN,
            "BitLocker Key should not be specified",
        ),
        (
            "R,AlreadyFormatted,,Encrypt,".to_string(),
            codes::DRIVESET_VALUE,
            "Incorrect value for SilentOrPromptOnFormat: none",
        ),
        (
            "R,AlreadyFormatted,SilentMode,AlreadyEncrypted,".to_string(),
            codes::KEY_MISSING,
            "AlreadyEncrypted needs the drive's 48-digit recovery password",
        ),
        (
            "RR,AlreadyFormatted,SilentMode,Encrypt,".to_string(),
            codes::DRIVE_LETTER,
            "`RR` is not a drive letter (e.g. `R`)",
        ),
        (
            "R,format,SilentMode,Encrypt,".to_string(),
            codes::DRIVESET_VALUE,
            "`format` must be written `Format` (values are case-sensitive)",
        ),
    ];
    for (row, code, msg) in rows {
        let f = validate_driveset(&format!("{DHEAD}{row}\n"));
        assert_eq!(f.len(), 1, "{row}: {f:?}");
        assert_eq!((f[0].code, f[0].message.as_str()), (code, msg), "{row}");
    }
}
