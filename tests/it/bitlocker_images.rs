//! The BitLocker reader against the 9 Windows-made images (`../shared/testdata/bitlk/`).

use crate::bitlk;
use crate::common;

use ie_preflight::bitlocker::protectors::ProtectorKind;
use ie_preflight::bitlocker::{self, assess, Assessment, Credentials, Variant};
use ie_preflight::guid::Guid;
use ie_preflight::report::{DriveStatus, Severity};
use ie_preflight::source::{self, ReadAt};
use sha2::{Digest, Sha256};
use std::sync::Arc;

fn open(img: &bitlk::Image) -> Arc<dyn ReadAt> {
    source::open(&img.path).unwrap().reader
}

fn run(img: &bitlk::Image, creds: &Credentials) -> Assessment {
    assess(open(img), creds)
}

fn codes(a: &Assessment) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.code).collect()
}

fn finding<'a>(a: &'a Assessment, code: &str) -> &'a ie_preflight::report::Finding {
    a.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", a.findings))
}

fn bek_of(img: &bitlk::Image) -> Vec<u8> {
    let guid = img.get("SK_VMK_GUID").unwrap().to_uppercase();
    std::fs::read(img.path.with_file_name(format!("{guid}.BEK"))).unwrap()
}

#[test]
fn every_credential_opens_its_protector() {
    let Some(images) = bitlk::images() else {
        return;
    };
    assert_eq!(images.len(), 9);
    let mut checked = 0;
    for img in &images {
        let mut cases: Vec<(&str, Credentials)> = Vec::new();
        for (cred, guid_key) in [("RP", "RP_VMK_GUID"), ("RP2", "RP2_VMK_GUID")] {
            if let Some(rp) = img.get(cred) {
                cases.push((guid_key, Credentials::recovery_password(rp)));
            }
        }
        if let Some(pw) = img.get("PW") {
            cases.push(("PW_VMK_GUID", Credentials::password(pw)));
        }
        if img.get("SK_VMK_GUID").is_some() {
            cases.push(("SK_VMK_GUID", Credentials::bek(bek_of(img))));
        }
        if img.get("CLEARKEY_VMK_GUID").is_some() {
            cases.push(("CLEARKEY_VMK_GUID", Credentials::none()));
        }
        for (guid_key, creds) in cases {
            let a = run(img, &creds);
            let want = Guid::parse(img.get(guid_key).unwrap()).unwrap();
            let opened = a.facts.opened_by.as_ref().map(|o| o.guid);
            assert_eq!(
                opened,
                Some(want),
                "{} {guid_key}: {:?}",
                img.name,
                a.findings
            );
            assert_eq!(
                a.facts.volume_guid,
                Guid::parse(img.get("GUID").unwrap()),
                "{}",
                img.name
            );
            assert!(
                !codes(&a).contains(&"bitlocker.key-mismatch"),
                "{}",
                img.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18, "credentials in images.conf");
}

#[test]
fn wrong_credentials_are_rejected() {
    let Some(images) = bitlk::images() else {
        return;
    };
    for img in images.iter().filter(|i| i.get("RP").is_some()) {
        let rp = bitlk::wrong_recovery_password(img.get("RP").unwrap());
        let a = run(img, &Credentials::recovery_password(&rp));
        let f = finding(&a, "bitlocker.key-mismatch");
        assert_eq!(f.predicts, DriveStatus::BitLockerKeyInvalid);
        assert_eq!(f.severity, Severity::Error);
        let has_clear = a
            .facts
            .protectors
            .iter()
            .any(|p| p.kind == ProtectorKind::ClearKey);
        if !has_clear {
            assert!(
                a.facts.opened_by.is_none() && a.unlocked.is_none(),
                "{}",
                img.name
            );
        }
        if let Some(pw) = img.get("PW") {
            let a = run(img, &Credentials::password(&format!("{pw}x")));
            assert!(
                codes(&a).contains(&"bitlocker.key-mismatch"),
                "{}",
                img.name
            );
        }
    }
}

#[test]
fn malformed_recovery_password_names_the_group() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let rp = "235818-357951-253979-013366-241120-245575-342914-591910";
    let a = run(&img, &Credentials::recovery_password(rp));
    let f = finding(&a, "bitlocker.key-malformed");
    assert_eq!(f.predicts, DriveStatus::BitLockerKeyInvalid);
    assert!(f.message.contains("group 4"), "{}", f.message);
    assert!(!f.message.contains("013366") && !f.message.contains("235818"));
    assert!(a.unlocked.is_none());
}

#[test]
fn no_key_means_not_checked_and_says_how() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let a = run(&img, &Credentials::none());
    let f = finding(&a, "bitlocker.no-key");
    assert!(f.hint.contains("--recovery-key-file"));
    assert!(f.message.contains("not checked"));
    assert!(a.unlocked.is_none() && !a.facts.decrypted);
    // Metadata facts are there without a key.
    assert_eq!(a.facts.variant, Some(Variant::Win7));
    assert_eq!(a.facts.sector_size, 512);
    assert_eq!(
        a.facts.description.as_deref(),
        Some("DESKTOP-NPM7RCA H: 7/4/2019")
    );
    assert_eq!(
        a.facts.creation_time.as_deref(),
        Some("2019-07-04T07:01:55Z")
    );
    assert_eq!(a.facts.encrypted_size, Some(104_857_600));
    assert_eq!(a.facts.protectors.len(), 2);
    let json = serde_json::to_string(&a.facts).unwrap();
    assert!(json.contains("\"XTS-AES-128\"") && json.contains("recovery-password"));
}

fn sha256_of(v: &dyn ReadAt) -> String {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 4 << 20];
    let mut off = 0u64;
    while off < v.len() {
        let n = (v.len() - off).min(buf.len() as u64) as usize;
        v.read_exact_at(&mut buf[..n], off).unwrap();
        h.update(&buf[..n]);
        off += n as u64;
    }
    format!("{:x}", h.finalize())
}

#[test]
fn decrypted_volumes_match_dm_crypt_and_inner_serial() {
    let Some(images) = bitlk::images() else {
        return;
    };
    let mut hashed = 0;
    for img in &images {
        let Some(want) = img.get("SHA256SUM") else {
            continue;
        };
        // The cheapest credential: a clear key or a startup key needs no stretch.
        let creds = if img.get("CLEARKEY_VMK_GUID").is_some() {
            Credentials::none()
        } else {
            Credentials::recovery_password(img.get("RP").unwrap())
        };
        let a = run(img, &creds);
        let view = a
            .unlocked
            .as_ref()
            .unwrap_or_else(|| panic!("{}: {:?}", img.name, a.findings));
        assert_eq!(view.len(), open(img).len());
        assert_eq!(sha256_of(view), want, "{}", img.name);
        let inner = a.facts.inner.as_ref().unwrap();
        assert_eq!(inner.serial.as_deref(), img.get("UUID"), "{}", img.name);
        hashed += 1;
    }
    assert_eq!(hashed, 8);
}

#[test]
fn damaged_metadata_uses_copy_3() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128-crc") else {
        return;
    };
    let a = run(&img, &Credentials::password(img.get("PW").unwrap()));
    assert_eq!(a.facts.metadata_copy_used, Some(3));
    let ok: Vec<bool> = a.facts.metadata_copies.iter().map(|c| c.ok).collect();
    assert_eq!(ok, [false, false, true]);
    assert!(a.facts.metadata_copies[0].problem.contains("CRC-32"));
    assert_eq!(a.facts.metadata_copies[2].authenticated, Some(true));
    let f = finding(&a, "bitlocker.metadata-damaged");
    assert_eq!(
        (f.severity, f.predicts),
        (Severity::Warning, DriveStatus::DiskCorrupted)
    );
    assert!(f.message.contains("copy 1") && f.message.contains("copy 2"));
    assert!(a.unlocked.is_some());
}

#[test]
fn intact_metadata_authenticates_every_copy() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let a = run(&img, &Credentials::password("anaconda"));
    assert!(a
        .facts
        .metadata_copies
        .iter()
        .all(|c| c.ok && c.authenticated == Some(true)));
    assert_eq!(a.facts.metadata_copy_used, Some(1));
    assert!(!codes(&a).contains(&"bitlocker.metadata-damaged"));
}

#[test]
fn to_go_reports_fat_inside() {
    let Some(img) = bitlk::image("bitlk-togo-aes-xts-128") else {
        return;
    };
    let vol = open(&img);
    assert_eq!(bitlocker::detect(&*vol), Some(Variant::ToGo));
    let a = assess(vol, &Credentials::password(img.get("PW").unwrap()));
    assert_eq!(a.facts.variant, Some(Variant::ToGo));
    let inner = a.facts.inner.as_ref().unwrap();
    assert_eq!(inner.fs_type, "FAT16");
    let f = finding(&a, "bitlocker.inner-not-ntfs");
    assert_eq!(f.predicts, DriveStatus::NtfsVolumeNotFound);
    assert!(f.message.contains("FAT16"));
}

#[test]
fn eow_image_is_not_activated_and_not_decrypted() {
    let Some(img) = bitlk::image("bitlk-partially-encrypted-aes-cbc-128") else {
        return;
    };
    let a = run(
        &img,
        &Credentials::recovery_password(img.get("RP").unwrap()),
    );
    assert!(a.facts.eow_identifier);
    let f = finding(&a, "bitlocker.not-activated");
    assert_eq!(f.predicts, DriveStatus::BitLockerVolumeNotFound);
    assert!(f.message.contains("EOW") && f.message.contains("encrypted"));
    // The key is still checked, but nothing is decrypted into garbage.
    assert_eq!(
        a.facts.opened_by.as_ref().map(|o| o.guid),
        Guid::parse(img.get("RP_VMK_GUID").unwrap())
    );
    assert!(a.unlocked.is_none() && !a.facts.decrypted && a.facts.inner.is_none());
}

#[test]
fn clear_key_only_unlocks_without_credentials() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128-clearkey-only") else {
        return;
    };
    let a = run(&img, &Credentials::none());
    let opened = a.facts.opened_by.as_ref().unwrap();
    assert_eq!(opened.kind, ProtectorKind::ClearKey);
    assert!(a.unlocked.is_some());
    let f = finding(&a, "bitlocker.protection-suspended");
    assert_eq!(f.severity, Severity::Warning);
    let f = finding(&a, "bitlocker.no-recovery-protector");
    assert_eq!(f.predicts, DriveStatus::BitLockerKeyInvalid);
    assert!(finding(&a, "bitlocker.no-key")
        .message
        .contains("clear key"));
}

#[test]
fn two_recovery_protectors_both_open() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128-two-recovery") else {
        return;
    };
    let a = run(
        &img,
        &Credentials::recovery_password(img.get("RP2").unwrap()),
    );
    let attempt = &a.facts.unlock_attempts[0];
    assert_eq!(attempt.credential, ProtectorKind::RecoveryPassword);
    assert_eq!(
        attempt.opened,
        Guid::parse(img.get("RP2_VMK_GUID").unwrap())
    );
    assert_eq!(attempt.protectors_tried, 2);
}

#[test]
fn startup_key_of_another_volume_is_refused() {
    let Some(sk) = bitlk::image("bitlk-aes-xts-128-startup-key") else {
        return;
    };
    let Some(other) = bitlk::image("bitlk-aes-xts-128") else {
        return;
    };
    let a = run(&other, &Credentials::bek(bek_of(&sk)));
    assert!(codes(&a).contains(&"bitlocker.key-mismatch"));
    assert!(a.unlocked.is_none());
    let a = run(&sk, &Credentials::bek(b"not a bek file".to_vec()));
    assert!(codes(&a).contains(&"bitlocker.key-malformed"));
}

#[test]
fn detect_and_plain_volume() {
    let Some(images) = bitlk::images() else {
        return;
    };
    for img in &images {
        assert!(bitlocker::detect(&*open(img)).is_some(), "{}", img.name);
    }
    let mut ntfs = vec![0u8; 4096];
    ntfs[3..11].copy_from_slice(b"NTFS    ");
    assert_eq!(bitlocker::detect(&ntfs), None);
    let a = assess(Arc::new(ntfs), &Credentials::none());
    let f = finding(&a, "bitlocker.not-found");
    assert_eq!(f.predicts, DriveStatus::BitLockerVolumeNotFound);
    assert!(f.message.contains("NTFS"), "{}", f.message);
}

#[test]
fn cryptsetup_lists_the_same_protectors() {
    if !common::require_tool("cryptsetup", "cryptsetup-bin") {
        return;
    }
    let Some(images) = bitlk::images() else {
        return;
    };
    for img in &images {
        let out = std::process::Command::new("cryptsetup")
            .arg("bitlkDump")
            .arg(&img.path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", img.name);
        let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
        let a = run(img, &Credentials::none());
        assert!(!a.facts.protectors.is_empty());
        for p in &a.facts.protectors {
            assert!(
                text.contains(&p.guid.to_string().to_lowercase()),
                "{} {}",
                img.name,
                p.guid
            );
        }
        let guid = a.facts.volume_guid.unwrap().to_string().to_lowercase();
        assert!(text.contains(&guid), "{}", img.name);
    }
}
