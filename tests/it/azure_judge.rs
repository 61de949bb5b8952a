//! Destination mapping and per-destination checks of `judge_entries`.

use ie_preflight::azure::rules::codes;
use ie_preflight::azure::{
    judge_entries, judge_entries_with, BlobType, DestError, Destination, EntryRef, Mapped,
    ObjectKind, Target,
};
use ie_preflight::report::Severity;

fn file(path: &str, size: u64) -> EntryRef<'_> {
    EntryRef {
        path,
        is_dir: false,
        size,
        is_reparse_point: false,
        is_encrypted: false,
    }
}

fn dir(path: &str) -> EntryRef<'_> {
    EntryRef {
        path,
        is_dir: true,
        size: 0,
        is_reparse_point: false,
        is_encrypted: false,
    }
}

fn dest(t: Target, d: &str) -> Destination {
    Destination::parse(t, d).unwrap()
}

const BLOCK: Target = Target::Blob(Some(BlobType::Block));

#[test]
fn parse_destination_like_dstdir() {
    for (d, err) in [
        ("/music/", DestError::LeadingSlash),
        ("music", DestError::NoTrailingSlash),
        ("music//", DestError::EmptySegment),
        ("$root/dir/", DestError::RootWithDirectory),
    ] {
        assert_eq!(Destination::parse(BLOCK, d), Err(err), "{d}");
    }
    let d = dest(BLOCK, "video/");
    assert_eq!((d.container(), d.prefix()), (Some("video"), ""));
    let d = dest(BLOCK, "c/a/b/");
    assert_eq!((d.container(), d.prefix()), (Some("c"), "a/b/"));
    assert_eq!(dest(BLOCK, "/").container(), None);
}

#[test]
fn worked_example_wf1() {
    // S-WF1: H:\Video\Drama\GreatMovie.mov with /dstdir:video/ → video/Drama/GreatMovie.mov.
    let m = dest(BLOCK, "video/")
        .map(&file("Drama/GreatMovie.mov", 1))
        .unwrap();
    assert_eq!(
        m,
        Mapped {
            container: "video".into(),
            name: "Drama/GreatMovie.mov".into(),
            kind: ObjectKind::BlockBlob
        }
    );
}

#[test]
fn vhd_defaults_to_page_blob() {
    let d = dest(Target::Blob(None), "vhds/");
    assert_eq!(
        d.map(&file("disk0.vhd", 512)).unwrap().kind,
        ObjectKind::PageBlob
    );
    assert_eq!(
        d.map(&file("disk1.VHDX", 512)).unwrap().kind,
        ObjectKind::PageBlob
    );
    assert_eq!(
        d.map(&file("notes.txt", 3)).unwrap().kind,
        ObjectKind::BlockBlob
    );
    let r = judge_entries([file("disk0.vhd", 1000), file("notes.txt", 3)], &d);
    assert_eq!(r.all_paths[codes::PAGE_BLOB_ALIGNMENT], ["disk0.vhd"]);
}

#[test]
fn top_level_files_go_to_root_or_nowhere() {
    let d = dest(Target::Blob(Some(BlobType::Page)), "");
    let m = d.map(&file("readme.txt", 3)).unwrap();
    assert_eq!(
        (m.container.as_str(), m.kind),
        ("$root", ObjectKind::BlockBlob)
    );
    let r = judge_entries([file("readme.txt", 3)], &dest(Target::Files, ""));
    assert_eq!(r.count(codes::FILE_OUTSIDE_SHARE), 1);
}

#[test]
fn root_container_takes_no_subfolders() {
    let r = judge_entries(
        [dir("a"), file("a/b.txt", 1), file("c.txt", 1)],
        &dest(BLOCK, "$root/"),
    );
    assert_eq!(r.all_paths[codes::ROOT_SUBDIR], ["a/b.txt"]);
    assert_eq!(r.counts.len(), 1, "{:?}", r.counts);
}

#[test]
fn azure_files_collisions() {
    let entries = [
        file("A.txt", 1),
        file("a.txt", 1),
        file("x", 1),
        dir("X"),
        file("X/y", 1),
        file("n.", 1),
        file("n", 1),
        file("ok", 1),
    ];
    let r = judge_entries(entries, &dest(Target::Files, "share/"));
    assert_eq!(r.all_paths[codes::NAME_COLLISION], ["a.txt", "n"]);
    assert_eq!(r.all_paths[codes::FILE_DIR_COLLISION], ["X"]);
    // The same names are distinct blobs, except after the trailing dot is dropped.
    let r = judge_entries(entries, &dest(BLOCK, "cont/"));
    assert_eq!(r.all_paths[codes::NAME_COLLISION], ["n"]);
    assert!(!r.counts.contains_key(codes::FILE_DIR_COLLISION));
}

#[test]
fn too_many_containers_and_container_rules_once() {
    let names: Vec<String> = (0..513).map(|i| format!("c{i:03}")).collect();
    let mut entries: Vec<EntryRef> = names.iter().map(|n| dir(n)).collect();
    let files: Vec<String> = names.iter().map(|n| format!("{n}/f")).collect();
    entries.extend(files.iter().map(|f| file(f, 1)));
    let r = judge_entries(entries, &dest(BLOCK, ""));
    assert_eq!(r.containers, 513);
    assert_eq!(r.count(codes::TOO_MANY_CONTAINERS), 1);
    let r = judge_entries(
        [dir("Bad"), file("Bad/a", 1), file("Bad/b", 1)],
        &dest(BLOCK, ""),
    );
    assert_eq!(r.count(codes::CONTAINER_NAME), 1);
}

#[test]
fn reparse_points_and_efs_are_unsupported_data() {
    let link = EntryRef {
        is_reparse_point: true,
        ..file("l", 0)
    };
    let efs = EntryRef {
        is_encrypted: true,
        ..file("e.doc", 1000)
    };
    let r = judge_entries(
        [link, efs],
        &dest(Target::Blob(Some(BlobType::Page)), "cont/"),
    );
    assert_eq!(r.count(codes::REPARSE_POINT), 1);
    assert_eq!(r.count(codes::EFS_ENCRYPTED), 1);
    // Nothing else is judged for them (no alignment finding for the EFS file).
    assert_eq!(r.counts.len(), 2, "{:?}", r.counts);
    assert!(r.findings.iter().all(|f| f.severity == Severity::Error));
}

#[test]
fn empty_directories_in_any_order() {
    // NTFS inventories list children before parents at times.
    let r = judge_entries(
        [file("a/b/f", 1), dir("a/b"), dir("a"), dir("a/e"), dir("z")],
        &dest(BLOCK, "cont/"),
    );
    assert_eq!(r.all_paths[codes::EMPTY_DIRECTORY], ["a/e", "z"]);
    assert_eq!((r.files, r.directories, r.bytes), (1, 4, 1));
}

#[test]
fn first_n_caps_findings_not_counts() {
    let names: Vec<String> = (0..30).map(|i| format!("f{i}.")).collect();
    let r = judge_entries_with(names.iter().map(|n| file(n, 0)), &dest(BLOCK, "cont/"), 5);
    assert_eq!(r.count(codes::BLOB_TRAILING), 30);
    assert_eq!(r.findings.len(), 5, "{:?}", r.counts);
    assert_eq!(r.first_paths[codes::BLOB_TRAILING].len(), 5);
    assert_eq!(r.all_paths[codes::BLOB_TRAILING].len(), 30);
}

#[test]
fn destination_itself_is_judged() {
    let r = judge_entries([file("a", 1)], &dest(BLOCK, "Bad_Container/x./"));
    assert_eq!(r.count(codes::CONTAINER_NAME), 1);
    assert_eq!(r.count(codes::BLOB_SEGMENT_DOT), 1);
    let r = judge_entries([file("a", 1)], &dest(Target::Files, "$root/"));
    assert_eq!(r.count(codes::SHARE_NAME), 1);
}

#[test]
fn report_serialises() {
    let r = judge_entries([file("a.", 1)], &dest(BLOCK, "cont/"));
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["counts"]["azure.blob-trailing"], 1);
    assert_eq!(j["all_paths"]["azure.blob-trailing"][0], "a.");
}
