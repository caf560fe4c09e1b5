use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
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
    /// Take a consistent backup of everything the server keeps, while it
    /// runs (the secrets folder is backed up apart).
    Backup(BackupArgs),
    /// Restore a backup into the data folder, after checking it (the
    /// server must be stopped; the secrets folder must be in place).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
struct BackupArgs {
    /// The file to write (replaced only once the new backup is complete).
    #[arg(long)]
    to: PathBuf,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long)]
    from: PathBuf,
    /// Replace a database already in the data folder (it is kept beside).
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    config: Config,
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
        Some(Command::Backup(args)) => {
            let taken = qalf_server::backup::take(&args.config.database_path(), &args.to)?;
            println!(
                "Backed up {} records and {} access log rows to {} ({} bytes) in {} ms.\nBack up the secrets folder ({}) apart: the access log cannot be checked without its key.",
                taken.contents.records,
                taken.contents.log_rows,
                taken.path.display(),
                taken.bytes,
                taken.took.as_millis(),
                args.config.secrets_path().display()
            );
            Ok(())
        }
        Some(Command::Restore(args)) => {
            let restored = qalf_server::backup::restore(&args.from, &args.config, args.replace)?;
            println!(
                "Restored {} records and {} access log rows, every seal checked, into {}.",
                restored.contents.records,
                restored.contents.log_rows,
                args.config.database_path().display()
            );
            if let Some(kept) = restored.kept {
                println!("The database it replaced is kept at {}.", kept.display());
            }
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
