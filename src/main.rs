use clap::Parser;
use ie_preflight::commands::{self, Exit};

fn main() {
    // An interrupted run leaves no half-written output and no silent terminal.
    let _ = ctrlc::set_handler(|| {
        ie_preflight::output::remove_temporary_files();
        ie_preflight::tty::restore_terminal();
        eprintln!("ie-preflight: interrupted");
        std::process::exit(Exit::Interrupted.code());
    });
    let cli = ie_preflight::cli::Cli::parse();
    std::process::exit(commands::run(cli).code());
}
