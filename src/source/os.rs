//! `unsafe` is fenced in two modules: this one (Linux block-device ioctls) and
//! `tty` (terminal echo off for a typed key).
//!
//! Each call passes a pointer to a local integer of exactly the size the kernel
//! writes for that request, on a file descriptor that `file` keeps open for the
//! duration of the call.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::unix::io::AsRawFd;

/// Size and sector sizes as the kernel reports them.
#[derive(Debug, Clone, Copy)]
pub struct BlockGeometry {
    pub size_bytes: u64,
    pub logical_sector: u32,
    pub physical_sector: u32,
}

// From <linux/fs.h>: _IO(0x12,104), _IO(0x12,123), _IOR(0x12,114,size_t).
const BLKSSZGET: libc::c_ulong = 0x1268;
const BLKPBSZGET: libc::c_ulong = 0x127b;
const BLKGETSIZE64: libc::c_ulong = 0x8008_1272;

#[cfg(target_os = "linux")]
pub fn block_geometry(file: &File) -> io::Result<BlockGeometry> {
    let fd = file.as_raw_fd();
    let mut size: u64 = 0;
    let mut logical: libc::c_int = 0;
    let mut physical: libc::c_uint = 0;
    // SAFETY: BLKGETSIZE64 writes one u64 through the pointer; `size` is a live u64.
    let r = unsafe { libc::ioctl(fd, BLKGETSIZE64 as _, &mut size as *mut u64) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: BLKSSZGET writes one int; `logical` is a live c_int.
    let r = unsafe { libc::ioctl(fd, BLKSSZGET as _, &mut logical as *mut libc::c_int) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: BLKPBSZGET writes one unsigned int; `physical` is a live c_uint.
    let r = unsafe { libc::ioctl(fd, BLKPBSZGET as _, &mut physical as *mut libc::c_uint) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(BlockGeometry {
        size_bytes: size,
        logical_sector: u32::try_from(logical).unwrap_or(0),
        physical_sector: physical,
    })
}

#[cfg(not(target_os = "linux"))]
pub fn block_geometry(_file: &File) -> io::Result<BlockGeometry> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "block devices are only supported on Linux",
    ))
}
