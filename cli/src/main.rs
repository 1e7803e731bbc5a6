//! `datanet`: contribute data, pay for model outputs, attribute and claim rewards. Run `datanet --help`.

mod cmd;
mod opts;
mod ui;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    // Usage errors exit with 2 (clap).
    let cli = cmd::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(cmd::run(cli));
    opts::log_rpc_stats();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", ui::one_line(&err));
            if err.downcast_ref::<cmd::epoch::Mismatch>().is_some() {
                ExitCode::from(cmd::EXIT_MISMATCH)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// `RUST_LOG` (e.g. `RUST_LOG=datanet_client=debug`) logs to stderr; nothing is logged without it.
/// The library logs addresses, hashes and counts, never keys or passwords.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .init();
}

/// `datanet … --json | head` closes stdout early: stop quietly, as `cat` and `rg` do, instead of
/// panicking in `println!`.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") || message.contains("BrokenPipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
