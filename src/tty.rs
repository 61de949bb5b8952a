//! A secret typed at a terminal: a prompt on stderr, one line read with echo
//! off (as `cryptsetup` does), the terminal restored afterwards, also when the
//! run is interrupted. The termios and `read(2)` calls are the only `unsafe`
//! here; they go straight to the file descriptor so that no buffer outside a
//! zeroizing one ever holds the key.
#![allow(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use zeroize::Zeroizing;

/// A line longer than this is not a key.
const MAX_LINE: usize = 4096;

/// The terminal settings to put back if a signal ends the run mid-prompt.
static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);

/// Is stdin a terminal (so a key would be typed, and must not be echoed)?
pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Print `prompt` on stderr and read one line from the terminal on stdin
/// without echo. The line (without its newline) is returned in a zeroizing buffer.
pub fn read_hidden_line(prompt: &str) -> io::Result<Zeroizing<Vec<u8>>> {
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut original: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is stdin, the pointer is to a live termios.
    if unsafe { libc::tcgetattr(fd, &mut original) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut quiet = original;
    quiet.c_lflag &= !(libc::ECHO | libc::ECHOE | libc::ECHOK);
    quiet.c_lflag |= libc::ECHONL | libc::ICANON;
    let mut err = io::stderr();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    if let Ok(mut s) = SAVED.lock() {
        *s = Some(original);
    }
    // SAFETY: fd is stdin, the pointer is to a live termios.
    if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let line = read_line(fd);
    restore_terminal();
    line
}

/// One line, byte by byte, so nothing is read past it into another buffer.
fn read_line(fd: libc::c_int) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(128));
    loop {
        let mut byte = 0u8;
        // SAFETY: reads at most one byte into a live local.
        let n = unsafe { libc::read(fd, (&mut byte as *mut u8).cast(), 1) };
        match n {
            1 if byte == b'\n' => return Ok(line),
            1 if line.len() < MAX_LINE => line.push(byte),
            1 => {}
            0 => return Ok(line),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}

/// Put the terminal back as it was before a prompt (no-op when none is active).
pub fn restore_terminal() {
    let saved = SAVED.lock().ok().and_then(|mut s| s.take());
    if let Some(t) = saved {
        // SAFETY: fd is stdin; t is the termios tcgetattr gave for it.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSAFLUSH, &t);
        }
    }
}
