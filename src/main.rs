use clap::Parser;

fn main() {
    let cli = ie_preflight::cli::Cli::parse();
    std::process::exit(ie_preflight::cli::run(cli));
}
