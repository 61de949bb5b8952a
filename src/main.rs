use clap::Parser;
use ie_preflight::commands;

fn main() {
    // An interrupted run leaves no half-written output and no silent terminal.
    let _ = ctrlc::set_handler(|| std::process::exit(commands::interrupted().code()));
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match ie_preflight::cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => std::process::exit(commands::parse_error(&e, &args).code()),
    };
    std::process::exit(commands::run(cli).code());
}
