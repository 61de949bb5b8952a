//! How text reports reach a terminal: coloured (FAIL red, warn yellow, pass
//! green, not checked dim) when stdout is a terminal and `NO_COLOR` is not
//! set, or as `--color` says; wrapped to the terminal's width; with
//! `-q/--quiet`, the verdict line only. In a pipe the text is left exactly as
//! the renderers wrote it (no escape codes, no wrapping), so it greps the same.
//!
//! The renderers write plain text; the painting here recognises their fixed
//! row and verdict words, so one piece of code styles every command.

use crate::cli::ColorArg;
use std::io::IsTerminal;
use std::sync::OnceLock;

/// The terminal settings of this run, decided once from the flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    color: bool,
    quiet: bool,
    /// Wrap to this many columns (a terminal only).
    width: Option<usize>,
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// Decide the style from `--color`, `--quiet`, `NO_COLOR` and stdout.
pub fn init(color: ColorArg, quiet: bool) {
    let tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => tty && !no_color,
    };
    let width = tty
        .then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
        .flatten()
        .filter(|&w| w >= 40);
    let _ = STYLE.set(Style {
        color,
        quiet,
        width,
    });
}

fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

/// Print a rendered text report on stdout, styled for where it goes.
pub fn print_report(text: &str) {
    super::write_stdout(styled(text, style()).as_bytes());
}

fn styled(text: &str, s: Style) -> String {
    if s.quiet {
        let verdict = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return format!("{}\n", paint(verdict, s.color));
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines() {
        for part in wrap(line, s.width) {
            out.push_str(&paint(&part, s.color));
            out.push('\n');
        }
    }
    out
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_GREEN: &str = "\x1b[1;32m";
const BOLD_YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// Colour the first word that marks a row, a finding or a verdict.
fn paint(line: &str, color: bool) -> String {
    if !color {
        return line.to_string();
    }
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    // (prefix, colour, whole line?)
    const MARKS: &[(&str, &str, bool)] = &[
        ("FAIL ", RED, false),
        ("warn ", YELLOW, false),
        ("pass ", GREEN, false),
        ("not checked", DIM, true),
        ("n/a ", DIM, true),
        ("error [", RED, false),
        ("warning [", YELLOW, false),
        ("WOULD FAIL", BOLD_RED, true),
        ("INVALID", BOLD_RED, true),
        ("READY", BOLD_GREEN, true),
        ("OK:", BOLD_GREEN, true),
        ("INCOMPLETE", BOLD_YELLOW, true),
    ];
    for (mark, colour, whole) in MARKS {
        if body.starts_with(mark) {
            return if *whole {
                format!("{indent}{colour}{body}{RESET}")
            } else {
                let word = mark.trim_end_matches([' ', '[']);
                let tail = &body[word.len()..];
                format!("{indent}{colour}{word}{RESET}{tail}")
            };
        }
    }
    line.to_string()
}

/// Split a long line at spaces so each part fits `width`; continuation
/// lines keep the line's indentation plus two columns.
fn wrap(line: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![line.to_string()];
    };
    if line.chars().count() <= width {
        return vec![line.to_string()];
    }
    let body = line.trim_start();
    let indent = " ".repeat((line.len() - body.len() + 2).min(width / 2));
    let mut parts = Vec::new();
    let mut current = line[..line.len() - body.len()].to_string();
    let mut empty = true;
    for word in body.split(' ') {
        let fits = current.chars().count() + 1 + word.chars().count() <= width;
        if !empty && !fits {
            parts.push(std::mem::replace(&mut current, indent.clone()));
            empty = true;
        }
        if !empty {
            current.push(' ');
        }
        current.push_str(word);
        empty = false;
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_get_the_text_as_is() {
        let text = "  FAIL         BitLocker volume not found\nWOULD FAIL: fix it\n";
        assert_eq!(styled(text, Style::default()), text);
    }

    #[test]
    fn colours_mark_the_row_word() {
        let s = Style {
            color: true,
            ..Style::default()
        };
        let out = styled("  FAIL  x\n  pass  y\n", s);
        assert_eq!(
            out,
            format!("  {RED}FAIL{RESET}  x\n  {GREEN}pass{RESET}  y\n")
        );
    }

    #[test]
    fn quiet_keeps_the_verdict() {
        let s = Style {
            quiet: true,
            ..Style::default()
        };
        assert_eq!(styled("a\n\nWOULD FAIL: x\n\n", s), "WOULD FAIL: x\n");
    }

    #[test]
    fn wraps_at_words_keeping_the_indent() {
        let parts = wrap("    one two three four five six", Some(14));
        assert_eq!(
            parts,
            vec!["    one two", "      three", "      four", "      five six"]
        );
        assert!(parts.iter().all(|p| p.len() <= 14));
    }
}
