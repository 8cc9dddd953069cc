//! The `ringbridge` binary: parses the command line and hands over to the
//! library crates. Kept thin on purpose.

mod cli;
mod config;
mod logging;
mod serve;

use anyhow::Result;
use clap::Parser;

use crate::cli::{Cli, Command, SimCommand};
use crate::config::Config;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Keygen => {
            println!("{}", ringbridge_store::SecretKey::generate_base64());
            Ok(())
        }
        Command::Sim(SimCommand::Yeastar(args)) => {
            logging::init(config::LogFormat::Text, "info");
            Ok(ringbridge_sim_yeastar::run(args).await?)
        }
        Command::Sim(SimCommand::Zoho(args)) => {
            logging::init(config::LogFormat::Text, "info");
            Ok(ringbridge_sim_zoho::run(args).await?)
        }
        Command::Migrate => {
            let config = load(cli.config.as_deref())?;
            let store = serve::open_store(&config).await?;
            tracing::info!(database = %config.database_url(), "database is up to date");
            store.close().await;
            Ok(())
        }
        Command::Serve => serve::run(load(cli.config.as_deref())?).await,
    }
}

fn load(path: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::load(path)?;
    logging::init(config.log.format, &config.log.filter);
    Ok(config)
}
