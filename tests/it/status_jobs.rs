//! `status` on the jobs of both resource providers (testdata/jobs/databox,
//! testdata/jobs/classic; sources in testdata/README.md): the portal's words,
//! the counts, the fields that change the next step, list responses, key
//! responses, and the error document for input that is no job.

use crate::common::cli::Cmd;
use std::path::{Path, PathBuf};

fn jobs(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/jobs")
        .join(rel)
}

/// Every secret in the fixtures: recovery passwords and a carrier account number.
const SECRETS: &[&str] = &[
    "301301-016797",
    "529551-345609",
    "379643-496463",
    "606221-333608",
    "CARRIER-ACCOUNT-SECRET-42",
];

#[test]
fn every_fixture_in_the_portals_words() {
    // (fixture, exit code, text that must be there, text that must not)
    let table: &[(&str, i32, &[&str], &[&str])] = &[
        (
            "databox/import-datacopy.json",
            1,
            &[
                "Job disk-import-01 (Import, Data Box customer disk)",
                "state      Data copy in progress (\"DataCopy\")",
                "Drive SN-COPY-0002\n  state      25% completed",
                "310 of 900 files processed, 0 errored",
                "Drive SN-DONE-0001\n  state      Data copy completed",
                "1200 of 1200 files processed",
                "Drive SN-LOST-0003\n  state      FAILED: Disk not received at datacenter",
                "shipped    FedEx, tracking number 771234567890",
                "disk-import-01_SN-DONE-0001_CopyLog_0a1b2c3d.xml",
                "disk-import-01_SN-DONE-0001_VerboseLog_0a1b2c3d.xml",
            ],
            &["no state recorded", "0 of 0 bytes"],
        ),
        (
            "databox/import-completed-with-errors.az.json",
            1,
            &[
                "state      Data copy completed with errors (\"CompletedWithErrors\")",
                "Drive SN-ERR-0001\n  state      Data copy completed with errors",
                "493 of 500 files processed, 7 errored",
                "error log  https://acct.blob.core.windows.net/databoxcopylog/disk-import-02_SN-ERR-0001_CopyLog_5e6f7a8b.xml",
                "Drive SN-OK-0002\n  state      Data copy completed",
            ],
            &[],
        ),
        (
            "databox/import-awaiting-shipment.json",
            0,
            &[
                "state      Awaiting shipment information (\"AwaitingShipmentDetails\")",
                "Ship the drives, then enter the carrier and tracking number",
                "cancel     still possible",
                "Drive LAB-SERIAL-A\n  state      Data copy not started",
                "key        not given",
            ],
            &["already holds the shipment"],
        ),
        (
            "databox/export-shipped-back.json",
            0,
            &[
                "(Export, Data Box customer disk)",
                "state      Shipped to customer (\"ShippedToCustomer\")",
                "Watch for the return shipment: DHL, tracking number JD014600006281239999.",
                "TransferUsingFilter, 1 filter files",
                "Drive EXP-DISK-01\n  state      Data copy completed",
                "none (export drives need none from you)",
            ],
            &[],
        ),
        (
            "databox/failed-bare-status.json",
            1,
            &[
                "state      Data copy failed (\"Failed_IssueDetectedAtAzureDC\")",
                "error      DiskMetadataModified: The metadata on one disk",
                "FAILED: MetadataFilesModifiedOrRemoved",
                "metadata files on the disk",
                "error      MetadataFilesModifiedOrRemoved: DriveManifest.xml was not found.",
            ],
            &[],
        ),
        (
            "databox/list-credentials.json",
            0,
            &[
                "Job disk-import-03 (Data Box customer disk)",
                "Drive LAB-SERIAL-B",
                "given, a well-formed recovery password",
            ],
            &["Data copy not started"],
        ),
        (
            "classic/cancel-requested.json",
            0,
            &[
                "Cancellation was requested (cancelRequested)",
                "next step  Do not ship the drives.",
                "cancel     no longer possible",
            ],
            &["Ship the drives, then enter"],
        ),
        (
            "classic/tracking-given.json",
            0,
            &[
                "already holds the shipment to the datacenter (FedEx, tracking number 123456789012)",
                "shipped    FedEx, tracking number 123456789012",
            ],
            &["then enter the carrier and tracking number"],
        ),
        (
            "classic/more-info-in-progress.json",
            0,
            &[
                "Drive WDMORE0001\n  state      60% completed",
                "Still in progress: the drive state is CompletedMoreInfo",
                "644245094 bytes copied",
                "manifest@  https://acct.blob.core.windows.net/waimportexport/transfer-more-info_WDMORE0001_manifest.xml",
                "Drive WDMORE0002\n  state      Data copy completed with warnings",
            ],
            &[],
        ),
        (
            "classic/export-incomplete.json",
            0,
            &[
                "state      Completed, 100% complete",
                "export-partial_incomplete.xml lists those not exported",
                "exports    1 blob paths and 2 blob path prefixes",
                "returned   FedEx, tracking number 222222222222",
                "Drive WDEXPORT01\n  state      Shipped back",
            ],
            &[],
        ),
        (
            "classic/shipped-back-return-tracking.json",
            0,
            &[
                "state      Preparing to ship (\"Packaging\")",
                "the blob list blob exportlists/list1.xml",
                "returned   UPS, tracking number 1Z999AA10123456784",
            ],
            &[],
        ),
        (
            "classic/list-bitlocker-keys.json",
            0,
            &["Drive WDTRACK0001", "Drive WDOTHER9999", "well-formed recovery password"],
            &[],
        ),
    ];
    for (file, code, want, not) in table {
        let r = Cmd::new(["status"]).arg(jobs(file)).run();
        assert_eq!(r.code, *code, "{file}: {}{}", r.stdout, r.stderr);
        for w in *want {
            assert!(
                r.stdout.contains(w),
                "{file}: missing {w:?} in\n{}",
                r.stdout
            );
        }
        for n in *not {
            assert!(
                !r.stdout.contains(n),
                "{file}: {n:?} should not be in\n{}",
                r.stdout
            );
        }
        let j = Cmd::new(["status", "--json"]).arg(jobs(file)).run();
        assert_eq!(j.code, *code, "{file} --json");
        assert_eq!(j.report()["schema"], "ie-preflight/1", "{file}");
        for s in SECRETS {
            assert!(
                !r.stdout.contains(s) && !j.stdout.contains(s),
                "{file} printed {s}"
            );
        }
    }
}

#[test]
fn json_fields_of_a_data_box_job() {
    let r = Cmd::new(["status", "--json"])
        .arg(jobs("databox/import-datacopy.json"))
        .run();
    let v = r.report();
    assert_eq!(v["job"]["provider"], "data-box");
    assert_eq!(v["job"]["job_type"], "Import");
    assert_eq!(v["job"]["delivery"]["tracking"], "771234567890");
    let drives = v["drives"].as_array().unwrap();
    let copy = drives
        .iter()
        .find(|d| d["drive_id"] == "SN-COPY-0002")
        .unwrap();
    assert_eq!(copy["percent_complete"], 25);
    assert_eq!(copy["files_processed"], 310);
    assert_eq!(copy["total_files"], 900);
    assert_eq!(copy["kind"], "progress");
    let lost = drives
        .iter()
        .find(|d| d["drive_id"] == "SN-LOST-0003")
        .unwrap();
    assert_eq!(lost["kind"], "failure");
    assert!(
        lost["percent_complete"].is_null(),
        "a zero total gives no percent"
    );
}

#[test]
fn lists_give_one_summary_per_job() {
    for (file, names, code) in [
        (
            "databox/list.json",
            &["disk-import-03", "disk-import-01"][..],
            1,
        ),
        (
            "classic/array-of-jobs.json",
            &["cancelme", "shipped-not-yet", "export-partial"][..],
            0,
        ),
        ("classic/list.json", &["cancelme", "shipped-not-yet"][..], 0),
    ] {
        let r = Cmd::new(["status", "--json"]).arg(jobs(file)).run();
        assert_eq!(r.code, code, "{file}");
        let got: Vec<&str> = r.report()["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["job"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, names, "{file}");
        let text = Cmd::new(["status"]).arg(jobs(file)).run().stdout;
        for n in names {
            assert!(text.contains(&format!("Job {n} (")), "{file}: {n}");
        }
    }
}

/// Input that is no job: under `--json`, the error document on stdout, exit 3,
/// for every command that takes a job.
#[test]
fn unrecognised_job_input_prints_the_error_document() {
    let dir = tempfile::tempdir().unwrap();
    let img = crate::common::images::image("mbr-ntfs.img.xz");
    let cases: &[(&str, &str, &str)] = &[
        ("hello.json", r#"{"hello": 1}"#, "no job found"),
        (
            "empty-list.json",
            r#"{"value": []}"#,
            "the list holds no job",
        ),
        (
            "no-id.json",
            r#"[{"driveId": "A"}, {"x": 1}]"#,
            "has no `driveId`",
        ),
        (
            "bad-field.json",
            r#"{"properties": {"state": 5}}"#,
            "field `properties`",
        ),
        ("text.json", "just some words here", "not a job record"),
    ];
    for (name, body, says) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let other_sku = jobs("databox/other-sku.json");
        for path in [&p, &other_sku] {
            let runs = [
                Cmd::new(["status", "--json"]).arg(path).run(),
                Cmd::new(["check", "--json", "--job"])
                    .arg(path)
                    .arg(&img)
                    .run(),
            ];
            for r in runs {
                assert_eq!(r.code, 3, "{name}: {}", r.stdout);
                let v = r.report();
                assert_eq!(v["verdict"], "incomplete", "{name}");
                assert_eq!(v["exit_code"], 3, "{name}");
                let e = v["error"].as_str().unwrap();
                let want = if path == &p { *says } else { "SKU DataBox" };
                assert!(e.contains(want), "{name}: {e}");
            }
        }
    }
    let r = Cmd::new(["check", "--json", "--job"])
        .arg(jobs("databox/list.json"))
        .arg(&img)
        .run();
    assert_eq!(r.code, 3);
    assert!(r.report()["error"]
        .as_str()
        .unwrap()
        .contains("holds 2 jobs"));
}
