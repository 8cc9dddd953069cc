//! The `ringbridge` binary. Everything lives in the library; see `cli`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match ringbridge::cli::main().await {
        Ok(()) => ExitCode::SUCCESS,
        // One line, each cause once (anyhow's own report lists the causes
        // port errors already name).
        Err(err) => {
            eprintln!("Error: {}", ringbridge::logging::chain(&err));
            ExitCode::FAILURE
        }
    }
}
