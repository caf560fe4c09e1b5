//! Brotli and gzip copies of the built front end, next to each file, which
//! the server sends to browsers that accept them (`ServeDir::precompressed_*`).
//! Made once at build time, so no request pays for compression.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// What is worth compressing: text and WebAssembly.
const KINDS: &[&str] = &["wasm", "js", "css", "html", "json", "svg", "webmanifest"];

/// Compresses every file of `dist` (recursively); returns what it did.
pub fn dist(dist: &Path) -> Result<String> {
    let mut lines = Vec::new();
    compress_dir(dist, &mut lines)?;
    Ok(lines.join("\n    "))
}

fn compress_dir(dir: &Path, lines: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            compress_dir(&path, lines)?;
            continue;
        }
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| KINDS.contains(&e));
        if !wanted {
            continue;
        }
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let br = brotli_of(&raw)?;
        let gz = gzip_of(&raw)?;
        std::fs::write(with_suffix(&path, "br"), &br)?;
        std::fs::write(with_suffix(&path, "gz"), &gz)?;
        lines.push(format!(
            "{}: {} bytes, brotli {} ({:.0}%), gzip {} ({:.0}%)",
            path.file_name().unwrap_or_default().to_string_lossy(),
            raw.len(),
            br.len(),
            100.0 * br.len() as f64 / raw.len().max(1) as f64,
            gz.len(),
            100.0 * gz.len() as f64 / raw.len().max(1) as f64,
        ));
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    name.into()
}

fn brotli_of(raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(raw)?;
    }
    Ok(out)
}

fn gzip_of(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn each_file_gets_brotli_and_gzip_copies_that_decompress_to_it() {
        let dir = std::env::temp_dir().join(format!("qalf-compress-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("public")).unwrap();
        let wasm: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.join("app.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("public/manifest.json"), b"{\"name\":\"QALF\"}").unwrap();
        std::fs::write(dir.join("icon.png"), [0u8; 10]).unwrap();

        let said = dist(&dir).unwrap();
        assert!(said.contains("app.wasm"), "{said}");

        let mut unbr = Vec::new();
        brotli::Decompressor::new(&std::fs::read(dir.join("app.wasm.br")).unwrap()[..], 4096)
            .read_to_end(&mut unbr)
            .unwrap();
        assert_eq!(unbr, wasm);
        let mut ungz = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("app.wasm.gz")).unwrap()[..])
            .read_to_end(&mut ungz)
            .unwrap();
        assert_eq!(ungz, wasm);
        assert!(dir.join("public/manifest.json.br").exists());
        assert!(
            !dir.join("icon.png.gz").exists(),
            "images are already compressed"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
