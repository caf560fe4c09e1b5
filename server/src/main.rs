use clap::Parser;
use qalf_server::config::Config;
use qalf_server::{Server, demo};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    let demo_mode = config.demo;
    let server = Server::start(config).await?;
    println!("\nQALF is running at {}", server.url());
    if demo_mode {
        println!("\n{}", demo::sign_in_help(&server.state.org()));
    }
    server.wait().await
}
