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
    /// Set up a real instance: its first administrator and the one-time
    /// link with which they choose their password (printed once). Run again
    /// before they have used it for a new link (the old one stops working).
    Init(InitArgs),
    /// Take a consistent backup of everything the server keeps, while it
    /// runs (the secrets folder is backed up apart).
    Backup(BackupArgs),
    /// Restore a backup into the data folder, after checking it (the
    /// server must be stopped; the secrets folder must be in place).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
struct InitArgs {
    /// The administrator's name, as people will see it.
    #[arg(long, default_value = "Administrator")]
    admin_name: String,
    /// The username they sign in with.
    #[arg(long, default_value = "admin")]
    admin_username: String,
    #[command(flatten)]
    config: Config,
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
        Some(Command::Init(args)) => {
            let base = args.config.public_url();
            let state = qalf_server::AppState::open(
                args.config,
                std::sync::Arc::new(qalf_server::clock::SystemClock),
            )
            .await?;
            let link = qalf_server::setup::first_administrator(
                &state,
                qalf_server::setup::NewAdministrator {
                    name: args.admin_name,
                    username: args.admin_username,
                },
            )
            .await?;
            state.access_log().flush().await;
            print_link(&link, &base);
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
    } else if !qalf_server::setup::has_accounts(&server.state).await? {
        if server.state.org().people().next().is_some() {
            // Set up by `init`, whose link is still the one to use.
            println!(
                "\nNobody has set a password yet: the administrator uses the link `qalf-server init` printed (run it again for a new one)."
            );
            return server.wait().await;
        }
        // A real instance's first start, without `init`: nobody can sign
        // in yet.
        let link = qalf_server::setup::first_administrator(
            &server.state,
            qalf_server::setup::NewAdministrator {
                name: "Administrator".into(),
                username: "admin".into(),
            },
        )
        .await?;
        print_link(&link, &server.url());
    }
    server.wait().await
}

/// Shown once, to whoever started the instance: it is not stored.
fn print_link(link: &qalf_server::setup::SetUpLink, base: &str) {
    println!(
        "\nThe administrator ({}) sets their password at this link, once, before {}:\n\n    {}\n\nIt is shown only now. Running `qalf-server init` again makes a new one.",
        link.username,
        link.expires_at.format("%-d %B %Y %H:%M UTC"),
        link.url(base)
    );
}
