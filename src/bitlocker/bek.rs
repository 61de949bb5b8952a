//! Startup key files (`.BEK`; `docs/formats/bitlocker.md`, "Keys").

use super::entries::{self, entry_type, Value};
use super::error::{Error, Result};
use crate::bytes::u32_at;
use crate::guid::Guid;
use zeroize::Zeroizing;

/// Largest `.BEK` accepted (the samples are 156 and 180 bytes).
pub const MAX_BEK_LEN: usize = 64 * 1024;

/// What a `.BEK` file holds.
pub struct StartupKey {
    /// GUID of the startup-key protector it opens.
    pub guid: Guid,
    /// Windows 11: the volume it belongs to.
    pub volume_guid: Option<Guid>,
    pub key: Zeroizing<[u8; 32]>,
}

pub fn parse(file: &[u8]) -> Result<StartupKey> {
    if file.len() > MAX_BEK_LEN || file.len() < 48 {
        return Err(Error::BadStartupKey("size is not that of a .BEK file"));
    }
    if u32_at(file, 0).map(|s| s as usize) != Some(file.len()) {
        return Err(Error::BadStartupKey(
            "size field differs from the file size",
        ));
    }
    if u32_at(file, 8) != Some(48) {
        return Err(Error::BadStartupKey("header size is not 48"));
    }
    let guid = Guid::from_disk(&file[16..]).ok_or(Error::BadStartupKey("too short"))?;
    let list = entries::parse_list(&file[48..], 48)?;
    let ext = list
        .iter()
        .find(|e| e.entry_type == entry_type::STARTUP_KEY)
        .ok_or(Error::BadStartupKey("no startup key entry"))?;
    let Value::ExternalKey { children, .. } = &ext.value else {
        return Err(Error::BadStartupKey(
            "startup key entry is not an external key",
        ));
    };
    let mut volume_guid = None;
    let mut key = None;
    for c in children {
        match &c.value {
            Value::Guid(g) if c.entry_type == entry_type::VOLUME_GUID => volume_guid = Some(*g),
            Value::Key { key: k, .. } => {
                let arr: [u8; 32] = k
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::BadStartupKey("key is not 32 bytes"))?;
                key = Some(Zeroizing::new(arr));
            }
            _ => {}
        }
    }
    Ok(StartupKey {
        guid,
        volume_guid,
        key: key.ok_or(Error::BadStartupKey("no key inside"))?,
    })
}
