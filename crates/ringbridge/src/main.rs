//! The `ringbridge` binary. Everything lives in the library; see `cli`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ringbridge::cli::main().await
}
