//! Property tests: accepted names round-trip unchanged, generated valid
//! container names are accepted, and no input panics a validator.

use ie_preflight::azure::rules;
use ie_preflight::azure::{judge_entries, BlobType, Destination, EntryRef, ObjectKind, Target};
use proptest::prelude::*;

fn file(path: &str) -> EntryRef<'_> {
    EntryRef {
        path,
        is_dir: false,
        size: 0,
        is_reparse_point: false,
        is_encrypted: false,
    }
}

/// Path-like names, with Unicode, dots, spaces and the odd control character.
fn path_like() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ._\\-éü日😀\u{1}\u{FFFE}]{1,30}(/[a-zA-Z0-9 ._\\-éü日😀]{1,30}){0,6}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, max_global_rejects: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn valid_container_names_are_accepted(
        name in "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,4}"
            .prop_filter("3-63 chars", |s| (3..=63).contains(&s.len()))
    ) {
        prop_assert!(rules::container_name(&name).is_empty(), "{}", name);
        prop_assert!(rules::share_name(&name).is_empty());
        prop_assert!(rules::is_valid_container_name(&name));
    }

    #[test]
    fn accepted_blob_names_round_trip(name in path_like()) {
        prop_assume!(rules::blob_name(&name).is_empty());
        let d = Destination::parse(Target::Blob(Some(BlobType::Block)), "cont/").unwrap();
        let m = d.map(&file(&name)).unwrap();
        prop_assert_eq!(m.container.as_str(), "cont");
        prop_assert_eq!(&m.name, &name);
        prop_assert_eq!(m.kind, ObjectKind::BlockBlob);
        let d = Destination::parse(Target::Blob(None), "cont/pre/").unwrap();
        prop_assert_eq!(d.map(&file(&name)).unwrap().name, format!("pre/{name}"));
    }

    #[test]
    fn accepted_file_paths_round_trip(name in path_like()) {
        prop_assume!(rules::file_path(&name, false).is_empty());
        let d = Destination::parse(Target::Files, "share/").unwrap();
        let m = d.map(&file(&name)).unwrap();
        prop_assert_eq!((m.container.as_str(), m.name.as_str()), ("share", name.as_str()));
    }

    #[test]
    fn no_string_panics_the_rules(s in any::<String>()) {
        let _ = rules::container_name(&s);
        let _ = rules::share_name(&s);
        let _ = rules::blob_name(&s);
        let _ = rules::file_path(&s, false);
        let _ = rules::file_path(&s, true);
        let _ = rules::metadata_name(&s);
        let _ = rules::predicted_container_name(&s);
        let _ = rules::long_path(&s);
        let _ = rules::show(&s);
        for t in [Target::Files, Target::Blob(None)] {
            if let Ok(d) = Destination::parse(t, &s) {
                let _ = judge_entries([file(&s)], &d);
            }
        }
    }

    #[test]
    fn no_path_set_panics_judge(paths in proptest::collection::vec(path_like(), 0..20)) {
        let d = Destination::parse(Target::Files, "").unwrap();
        let r = judge_entries(paths.iter().map(|p| file(p)), &d);
        prop_assert_eq!(r.entries, paths.len() as u64);
    }
}
