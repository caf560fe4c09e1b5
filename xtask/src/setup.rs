//! Installs what the build and the tests need, only when it is missing.
//!
//! Nothing here downloads from outside the package registries (crates.io,
//! npm, Debian): Trunk runs with `offline = true` and finds every tool on PATH.
//! Tools are compiled with a cheap release profile (no LTO, 16 codegen units,
//! opt-level 1): they only drive the build, and a full LTO build of Trunk takes
//! most of an hour on a two-core machine.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::steps::Steps;

/// The Trunk release this project is built and tested with.
const TRUNK_VERSION: &str = "0.22.1";
/// wasm-opt from npm's binaryen package. Debian bookworm's binaryen (108)
/// produces a module that fails at start-up (`WebAssembly.Table.set()`).
const BINARYEN_VERSION: &str = "132.0.0";
/// Where the JavaScript test peers (automerge-repo) are declared.
const JS_TEST_DIR: &str = "e2e/js";

/// Which groups of tools a task needs.
#[derive(Clone, Copy)]
pub struct Needs {
    build: bool,
    browser: bool,
    js_peers: bool,
}

impl Needs {
    pub fn everything() -> Self {
        Self {
            build: true,
            browser: true,
            js_peers: true,
        }
    }
    pub fn build() -> Self {
        Self {
            build: true,
            browser: false,
            js_peers: false,
        }
    }
    pub fn bench() -> Self {
        Self {
            build: false,
            browser: false,
            js_peers: true,
        }
    }
}

pub fn all(steps: &mut Steps, needs: Needs) -> Result<()> {
    if needs.build {
        wasm_target(steps)?;
        trunk(steps)?;
        wasm_bindgen(steps)?;
        wasm_opt(steps)?;
    }
    if needs.browser {
        chromium(steps)?;
        mail_server(steps)?;
    }
    if needs.js_peers {
        js_peers(steps)?;
    }
    Ok(())
}

fn wasm_target(steps: &mut Steps) -> Result<()> {
    let name = "rust target wasm32-unknown-unknown";
    let installed = steps
        .output("rustup", &["target", "list", "--installed"])
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        steps.skip(name, "installed");
        return Ok(());
    }
    steps.run(name, "rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// `cargo install` with the cheap tool profile described in the module docs.
pub(crate) fn cargo_install(steps: &mut Steps, name: &str, args: &[&str]) -> Result<()> {
    let mut all_args = vec!["install"];
    all_args.extend_from_slice(args);
    let mut command = steps.command("cargo", &all_args);
    command
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        // Installs must not pick up this workspace's toolchain file or target dir.
        .current_dir(std::env::temp_dir())
        .env_remove("CARGO_TARGET_DIR");
    steps.run_command(name, command)
}

fn trunk(steps: &mut Steps) -> Result<()> {
    let name = format!("trunk {TRUNK_VERSION}");
    let found = steps.output("trunk", &["--version"]).unwrap_or_default();
    if found.trim() == format!("trunk {TRUNK_VERSION}") {
        steps.skip(&name, "installed");
        return Ok(());
    }
    // Trunk 0.22.1 declares a newer rust-version than it needs; it builds and
    // runs on the toolchain pinned here.
    cargo_install(
        steps,
        &name,
        &[
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
            "--ignore-rust-version",
        ],
    )
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly,
/// and Trunk.toml must name the same version.
fn wasm_bindgen(steps: &mut Steps) -> Result<()> {
    let version = locked_version(steps.root(), "wasm-bindgen")?;
    let trunk_toml =
        std::fs::read_to_string(steps.root().join("Trunk.toml")).context("reading Trunk.toml")?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        bail!(
            "Trunk.toml must pin `wasm_bindgen = \"{version}\"` under [tools] \
             (the version of wasm-bindgen in Cargo.lock)"
        );
    }
    let name = format!("wasm-bindgen-cli {version}");
    let found = steps
        .output("wasm-bindgen", &["--version"])
        .unwrap_or_default();
    if found.trim() == format!("wasm-bindgen {version}") {
        steps.skip(&name, "installed");
        return Ok(());
    }
    // Not --locked: its lock file pins a yanked webpki-roots.
    cargo_install(
        steps,
        &name,
        &["wasm-bindgen-cli", "--version", &version, "--force"],
    )
}

fn wasm_opt(steps: &mut Steps) -> Result<()> {
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    let name = format!("wasm-opt (npm binaryen {BINARYEN_VERSION})");
    let found = steps.output("wasm-opt", &["--version"]).unwrap_or_default();
    if found.contains(&format!("version {major} ")) || found.contains(&format!("version_{major}")) {
        steps.skip(&name, "installed");
        return Ok(());
    }
    require_program(steps, "npm", "apt-get install -y nodejs npm")?;
    let tools = steps.tools_dir();
    std::fs::create_dir_all(&tools).context("creating .tools")?;
    let tools = tools.to_string_lossy().into_owned();
    steps.run(
        &name,
        "npm",
        &[
            "install",
            "--prefix",
            &tools,
            "--no-audit",
            "--no-fund",
            &format!("binaryen@{BINARYEN_VERSION}"),
        ],
    )
}

fn chromium(steps: &mut Steps) -> Result<()> {
    let name = "chromium and chromium-driver (Debian)";
    if Path::new("/usr/bin/chromium").exists() {
        steps.skip(name, "installed");
        return Ok(());
    }
    let how = "apt-get update && apt-get install -y chromium chromium-driver";
    let is_root = steps
        .output("id", &["-u"])
        .is_some_and(|uid| uid.trim() == "0");
    if !is_root || steps.output("apt-get", &["--version"]).is_none() {
        bail!("Chromium is missing; as root, run: {how}");
    }
    steps.run(name, "sh", &["-c", how])
}

/// The SMTP server the e-mail tests start (Debian's aiosmtpd, run by
/// Debian's python).
fn mail_server(steps: &mut Steps) -> Result<()> {
    let name = "aiosmtpd, the test mail server (Debian)";
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    if steps.output(python, &["-c", "import aiosmtpd"]).is_some() {
        steps.skip(name, "installed");
        return Ok(());
    }
    let how = "apt-get update && apt-get install -y python3-aiosmtpd";
    let is_root = steps
        .output("id", &["-u"])
        .is_some_and(|uid| uid.trim() == "0");
    if !is_root || steps.output("apt-get", &["--version"]).is_none() {
        bail!("the test mail server is missing; as root, run: {how}");
    }
    steps.run(name, "sh", &["-c", how])
}

/// The JavaScript automerge-repo peers used by the interop tests and benchmark.
fn js_peers(steps: &mut Steps) -> Result<()> {
    let name = "npm packages for the JavaScript test peers";
    let dir = steps.root().join(JS_TEST_DIR);
    if !dir.join("package.json").exists() {
        steps.skip(name, "none declared");
        return Ok(());
    }
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules").join(".package-lock.json");
    if marker.exists() && newer_or_same(&marker, &lock) {
        steps.skip(name, "installed");
        return Ok(());
    }
    require_program(steps, "npm", "apt-get install -y nodejs npm")?;
    steps.run(
        name,
        "npm",
        &["ci", "--prefix", JS_TEST_DIR, "--no-audit", "--no-fund"],
    )
}

fn newer_or_same(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

fn require_program(steps: &Steps, program: &str, how: &str) -> Result<()> {
    if steps.output(program, &["--version"]).is_none() {
        bail!("`{program}` is missing; install it with: {how}");
    }
    Ok(())
}

/// The version of `package` recorded in Cargo.lock.
fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")?;
    Ok(lock[start..start + end].to_string())
}
