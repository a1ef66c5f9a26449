//! A progress bar on stderr for long runs: drawn only when stderr is a
//! terminal and `CI` is unset, and only once a run has gone on for about a
//! second, so short commands and piped or CI output never show one.

use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes on before its bar appears.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// Counts finished units of work (scenarios, probes); cheap to clone and to
/// tick from any thread. The default counts nothing and draws nothing.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    bar: Option<Arc<Shown>>,
}

#[derive(Debug)]
struct Shown {
    bar: ProgressBar,
    started: Instant,
    drawn: OnceLock<()>,
}

impl Progress {
    /// A bar for `total` units named `what` (a spinner when the total is
    /// not known), or nothing where a bar would not be read.
    pub fn new(total: Option<u64>, what: &str) -> Progress {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !wanted {
            return Progress::default();
        }
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden())
                .with_style(style("{elapsed} [{bar:40}] {pos}/{len} {msg}")),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
                .with_style(style("{elapsed} {spinner} {pos} {msg}")),
        };
        bar.set_message(what.to_owned());
        Progress {
            bar: Some(Arc::new(Shown {
                bar,
                started: Instant::now(),
                drawn: OnceLock::new(),
            })),
        }
    }

    /// One more unit done.
    pub fn tick(&self) {
        let Some(shown) = &self.bar else { return };
        shown.bar.inc(1);
        if shown.started.elapsed() >= QUIET_FOR {
            shown
                .drawn
                .get_or_init(|| shown.bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        if let Some(shown) = &self.bar {
            shown.bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}
