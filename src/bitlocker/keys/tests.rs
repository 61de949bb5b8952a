//! Known-answer values taken from the test image `bitlk-aes-xts-128`.

use super::*;
use crate::bitlocker::testutil::hex;

const RP: &str = "235818-357951-253979-013365-241120-245575-342914-591910";

#[test]
fn recovery_password_to_key16_and_initial() {
    let key16 = crate::recovery_password::parse(RP).unwrap();
    assert_eq!(key16.to_vec(), hex("be531d7f315abf04a0553557c67932d2"));
    assert_eq!(
        recovery_initial(&key16).to_vec(),
        hex("fdd303817e456f7a4b64a7063ae00be752a46841e57da98caf8522f136cb3411")
    );
}

#[test]
fn recovery_stretch() {
    let initial: [u8; 32] = hex("fdd303817e456f7a4b64a7063ae00be752a46841e57da98caf8522f136cb3411")
        .try_into()
        .unwrap();
    let salt: [u8; 16] = hex("2ba080989af9b50c203aaebd0b40d498").try_into().unwrap();
    assert_eq!(
        stretch(&initial, &salt).to_vec(),
        hex("1a39f926dab83e947fa85125b91e556e9ecc2bc5968924e03de234878d1fd4bd")
    );
}

#[test]
fn password_initial_and_stretch() {
    let utf16: Vec<u8> = "anaconda"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(
        Sha256::digest(&utf16).to_vec(),
        hex("43648e8a373755eb70ec22b8320b775f51869e4fa85431f01de81169ab89563c")
    );
    let initial = password_initial("anaconda");
    assert_eq!(
        initial.to_vec(),
        hex("0d6cbf9e5d75af220d7ac3e9f35d05f56952608dd1dacb31774452c489eadc51")
    );
    let salt: [u8; 16] = hex("8d7637cc5d885d5ff4f748dbc8440d2e").try_into().unwrap();
    assert_eq!(
        stretch(&initial, &salt).to_vec(),
        hex("37554410c6e0df5b4fe096259f4a21b847338d3e8d8d8d8c30012d1447cca957")
    );
}

#[test]
fn non_ascii_password_is_utf16le() {
    assert_eq!(
        password_initial("anaconda£").to_vec(),
        hex("bd3afd009ec0be1a2a9891011f611f988e0ad1d2374df4aca002510b1b16506a")
    );
}

#[test]
fn key_payload_checks() {
    let mut p = vec![0u8; 44];
    p[0] = 44;
    p[4] = 1;
    p[8..10].copy_from_slice(&METHOD_VMK.to_le_bytes());
    let k = key_payload(&p, 0).unwrap();
    assert_eq!(k.method, METHOD_VMK);
    assert_eq!(k.key.len(), 32);
    p[0] = 43;
    assert!(key_payload(&p, 0).is_err());
    assert!(key_payload(&[], 0).is_err());
}
