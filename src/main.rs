use clap::Parser;

fn main() {
    // An interrupted run leaves no half-written output and no silent terminal.
    let _ = ctrlc::set_handler(|| {
        ie_preflight::output::remove_temporary_files();
        ie_preflight::tty::restore_terminal();
        eprintln!("ie-preflight: interrupted");
        std::process::exit(130);
    });
    let cli = ie_preflight::cli::Cli::parse();
    std::process::exit(ie_preflight::cli::run(cli));
}
