//! The known-answer chain of `bitlocker.md` §6.11, step by step, on the real
//! images: recovery password → key16 → stretch → VMK → FVEK → one sector; the
//! password path; the `.BEK` path; the Elephant sector; metadata CRC / SHA-256.

use crate::bitlk;

use ie_preflight::bitlocker::decrypt::{Method, SectorCipher};
use ie_preflight::bitlocker::protectors::{self, Protector, ProtectorKind};
use ie_preflight::bitlocker::{bek, header, keys, metadata};
use ie_preflight::recovery_password;
use ie_preflight::source::{self, read_vec, ReadAt};
use sha2::{Digest, Sha256};
use std::sync::Arc;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn first_copy(vol: &dyn ReadAt) -> metadata::MetadataCopy {
    let h = header::parse(&read_vec(vol, 0, 512).unwrap(), 512).unwrap();
    metadata::read_copy(vol, 1, h.fve_offsets[0]).unwrap()
}

fn protector(ps: &[Protector], kind: ProtectorKind) -> &Protector {
    ps.iter().find(|p| p.kind == kind).unwrap()
}

fn open(name: &str) -> Option<Arc<dyn ReadAt>> {
    let img = bitlk::image(name)?;
    Some(source::open(&img.path).unwrap().reader)
}

#[test]
fn xts_128_chain() {
    let Some(vol) = open("bitlk-aes-xts-128") else {
        return;
    };
    let copy = first_copy(&*vol);
    assert_eq!(copy.raw.len(), 880);
    assert_eq!(crc32fast::hash(&copy.raw), 0x42FD_BD31);
    assert_eq!(
        Sha256::digest(&copy.raw).to_vec(),
        hex("650451a7c3b43919f3fdae49ae17c72a51a1f6bd77b64cb94152a4f722135d16")
    );
    let ps = protectors::list(&copy.entries);
    let rp = protector(&ps, ProtectorKind::RecoveryPassword);
    assert_eq!(
        rp.guid.to_string().to_lowercase(),
        "64311dea-4587-4029-924a-ba299647998e"
    );
    assert_eq!(
        rp.salt.unwrap().to_vec(),
        hex("2ba080989af9b50c203aaebd0b40d498")
    );
    let wrapped = rp.wrapped_vmk.as_ref().unwrap();
    assert_eq!(wrapped.nonce.to_vec(), hex("c049ba6f3632d50106000000"));
    assert_eq!(
        wrapped.tag.to_vec(),
        hex("0cf85869dd1a2a024c48d0f6aa00b997")
    );

    let key16 = recovery_password::parse("235818-357951-253979-013365-241120-245575-342914-591910")
        .unwrap();
    let stretched = keys::stretch(&keys::recovery_initial(&key16), &rp.salt.unwrap());
    assert_eq!(
        stretched.to_vec(),
        hex("1a39f926dab83e947fa85125b91e556e9ecc2bc5968924e03de234878d1fd4bd")
    );
    let vmk = keys::unwrap_vmk(&stretched, wrapped).unwrap();
    let want_vmk = hex("e5862465920b1190605ae29547623fb9c0dbafab073c85634bfb0f8a4b8cf46b");
    assert_eq!(vmk.0.to_vec(), want_vmk);
    assert_eq!(keys::authenticate(&vmk, &copy), Some(true));

    // The password protector gives the same VMK.
    let pw = protector(&ps, ProtectorKind::Password);
    let stretched = keys::stretch(&keys::password_initial("anaconda"), &pw.salt.unwrap());
    assert_eq!(
        stretched.to_vec(),
        hex("37554410c6e0df5b4fe096259f4a21b847338d3e8d8d8d8c30012d1447cca957")
    );
    let vmk2 = keys::unwrap_vmk(&stretched, pw.wrapped_vmk.as_ref().unwrap()).unwrap();
    assert_eq!(vmk2.0.to_vec(), want_vmk);

    let fvek = keys::unwrap_fvek(&vmk, &copy).unwrap();
    assert_eq!(fvek.method, 0x8004);
    assert_eq!(
        fvek.key.to_vec(),
        hex("cc493ad40376cf719d3725073d5c1a6ca5759fc4ad179c95572f16c01a260d66")
    );

    // The relocated boot sector: physical 0x21A5000, XTS tweak 0x10D28.
    let cipher = SectorCipher::new(Method::XtsAes128, &fvek.key).unwrap();
    let mut sector = read_vec(&*vol, 0x21A5000, 512).unwrap();
    cipher.decrypt(&mut sector, 0x21A5000, 512);
    assert_eq!(&sector[3..11], b"NTFS    ");
    assert_eq!(
        u64::from_le_bytes(sector[0x48..0x50].try_into().unwrap()),
        0x6884_4E71_844E_41B4
    );
    assert_eq!(copy.relocated_region(512), Some((0x21A5000, 8192)));
}

#[test]
fn elephant_sector() {
    let Some(vol) = open("bitlk-aes-cbc-elephant-128") else {
        return;
    };
    let fvek = hex(
        "9d2733e172dc85e13e3de5aaa0e0501b 8444fe4bcabcca6b137dcc3f9f9300e2
         fd22a3f27966c51c94c8e3adce517b6e a013228b03583e8db1254d91786aeafe",
    );
    let mut sector = read_vec(&*vol, 0x2A2D000, 512).unwrap();
    assert_eq!(sector[..8].to_vec(), hex("2175c8446934efd6"));
    let cipher = SectorCipher::new(Method::AesCbc128Elephant, &fvek).unwrap();
    cipher.decrypt(&mut sector, 0x2A2D000, 512);
    assert_eq!(&sector[..11], b"\xEB\x52\x90NTFS    ");
    assert_eq!(
        u64::from_le_bytes(sector[0x48..0x50].try_into().unwrap()),
        0x3ECC_F65A_CCF6_0BC1
    );
}

#[test]
fn startup_key_chain() {
    let Some(img) = bitlk::image("bitlk-aes-xts-128-startup-key") else {
        return;
    };
    let vol = source::open(&img.path).unwrap().reader;
    let file = std::fs::read(
        img.path
            .with_file_name("4381F759-C4F8-4DE0-BB61-FC33A831BDA5.BEK"),
    )
    .unwrap();
    let sk = bek::parse(&file).unwrap();
    assert_eq!(
        sk.guid.to_string().to_lowercase(),
        "4381f759-c4f8-4de0-bb61-fc33a831bda5"
    );
    assert_eq!(sk.volume_guid, None, "a Windows 10 .BEK has no volume GUID");
    assert_eq!(
        sk.key.to_vec(),
        hex("e0bb38b9bc55e69e52837281655a762be4e460f95867c65186931d6998021866")
    );
    let copy = first_copy(&*vol);
    let ps = protectors::list(&copy.entries);
    let p = ps.iter().find(|p| p.guid == sk.guid).unwrap();
    assert_eq!(p.kind, ProtectorKind::StartupKey);
    let vmk = keys::unwrap_vmk(&sk.key, p.wrapped_vmk.as_ref().unwrap()).unwrap();
    assert_eq!(
        vmk.0.to_vec(),
        hex("2c792aaaf707ff1a9cb59246816a305102392c51bfbbdb881a54be15388aa69a")
    );
}
