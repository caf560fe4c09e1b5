use clap::{Parser, Subcommand};
use qalf_server::config::Config;
use qalf_server::{Server, demo};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "qalf-server",
    about = "QALF relay and server",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app (what runs with no command).
    Serve(Config),
    /// Rebuild the reports' projection from the stored documents alone (the
    /// server may be running; reports read the old rows until it is done).
    Reindex(Config),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Reindex(config)) => {
            let done = qalf_server::report::reindex_data_dir(&config).await?;
            println!(
                "Rebuilt the reports from {} records ({} with figures) in {} ms.",
                done.records,
                done.with_facts,
                done.took.as_millis()
            );
            Ok(())
        }
        Some(Command::Serve(config)) => serve(config).await,
        None => serve(cli.config).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let demo_mode = config.demo;
    let server = Server::start(config).await?;
    println!("\nQALF is running at {}", server.url());
    if demo_mode {
        println!("\n{}", demo::sign_in_help(&server.state.org()));
    }
    server.wait().await
}
