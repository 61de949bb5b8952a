//! `ie-preflight generate bash|zsh|fish|man` (hidden): shell completions and
//! the man page, generated from the clap definitions so they never drift.

use super::Exit;
use crate::cli::{Cli, Generated};
use clap::CommandFactory;

pub fn run(what: Generated) -> Exit {
    let mut cmd = Cli::command();
    // Generated into memory, then written: clap_complete panics on a closed pipe.
    let mut out = Vec::new();
    let written = match what {
        Generated::Bash => {
            clap_complete::generate(
                clap_complete::Shell::Bash,
                &mut cmd,
                "ie-preflight",
                &mut out,
            );
            Ok(())
        }
        Generated::Zsh => {
            clap_complete::generate(
                clap_complete::Shell::Zsh,
                &mut cmd,
                "ie-preflight",
                &mut out,
            );
            Ok(())
        }
        Generated::Fish => {
            clap_complete::generate(
                clap_complete::Shell::Fish,
                &mut cmd,
                "ie-preflight",
                &mut out,
            );
            Ok(())
        }
        Generated::Man => clap_mangen::Man::new(cmd).render(&mut out),
    };
    match written {
        Ok(()) => {
            super::write_stdout(&out);
            Exit::Ready
        }
        Err(e) => super::fail(Exit::Incomplete, &format!("cannot write: {e}"), false),
    }
}
