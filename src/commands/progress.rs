//! The hash scan's progress bars on stderr (only on a terminal): one line
//! per drive (drives checked at once each get their own), with bytes, MB/s
//! and ETA.

use crate::pipeline::Progress;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The progress callback for the scan: `Some` when stderr is a terminal.
pub fn on_terminal() -> Option<Progress> {
    std::io::stderr().is_terminal().then_some(draw as Progress)
}

/// Every drive's bar, so drives checked at once (`check --job`) each get
/// their own line on stderr.
fn bars() -> &'static indicatif::MultiProgress {
    static BARS: std::sync::OnceLock<indicatif::MultiProgress> = std::sync::OnceLock::new();
    BARS.get_or_init(|| {
        indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr())
    })
}

/// Draw one drive's bar until the scan says it is finished.
fn draw(label: &str, total: u64, done: &AtomicU64, finished: &AtomicBool) {
    let bar = bars().add(indicatif::ProgressBar::new(total));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{prefix} hashing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_string());
    while !finished.load(Ordering::Relaxed) {
        bar.set_position(done.load(Ordering::Relaxed));
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    bar.finish_and_clear();
    bars().remove(&bar);
}
