//! Is a device (or one of its partitions) mounted? From `/proc/self/mountinfo`.

/// Mount points whose source device number (`major:minor`) is one of `devs`.
pub fn mounted_paths_for(devs: &[String]) -> Vec<String> {
    match std::fs::read_to_string("/proc/self/mountinfo") {
        Ok(text) => parse_mountinfo(&text, devs),
        Err(_) => Vec::new(),
    }
}

/// One line of `/proc/self/mountinfo`.
pub(super) struct MountLine {
    /// `st_dev` of the files on this mount.
    pub dev: super::identity::DevNumber,
    pub mount_point: String,
    /// What was mounted, as the file system names it (`/dev/sdb1`, an image path, ...).
    pub source: String,
}

/// mountinfo line: `id parent major:minor root mountpoint options [optional...] - fstype source superopts`.
pub(super) fn parse_mount_lines(text: &str) -> Vec<MountLine> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split(' ');
            let (major, minor) = f.nth(2)?.split_once(':')?;
            let mount_point = unescape_octal(f.nth(1)?);
            let source = f.skip_while(|x| *x != "-").nth(2).map(unescape_octal)?;
            Some(MountLine {
                dev: (major.parse().ok()?, minor.parse().ok()?),
                mount_point,
                source,
            })
        })
        .collect()
}

fn parse_mountinfo(text: &str, devs: &[String]) -> Vec<String> {
    parse_mount_lines(text)
        .into_iter()
        .filter(|m| {
            let d = format!("{}:{}", m.dev.0, m.dev.1);
            devs.contains(&d)
        })
        .map(|m| m.mount_point)
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_partition_mount() {
        let text = "36 25 8:17 / /mnt/my\\040disk rw,relatime shared:1 - ntfs3 /dev/sdb1 rw\n\
                    37 25 8:1 / / rw - ext4 /dev/sda1 rw\n";
        let got = parse_mountinfo(text, &["8:16".into(), "8:17".into()]);
        assert_eq!(got, vec!["/mnt/my disk".to_string()]);
        let lines = parse_mount_lines(text);
        assert_eq!(lines[0].source, "/dev/sdb1");
        assert_eq!(lines[1].dev, (8, 1));
    }
}
