//! `gapmap serve`: a package folder over HTTP on this machine, with the range requests the
//! viewer's tiled layers need (Python's `http.server` answers none). For looking at a package
//! before publishing it; a portal serves the folder as it is.
//!
//! Hand-written on std::net (HTTP/1.1, one request per connection, `Connection: close`): with
//! tiny_http's keep-alive connections, headless Chromium waited for ever on a request in 3 of 6
//! page loads here, and it does not let a response close its connection. GET and HEAD, one
//! byte range per request (RFC 9110 §14), files of the folder only.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The media type of a package file, by extension.
fn media_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "geojsonl" => "application/geo+json-seq",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "qml" => "application/xml",
        "pmtiles" => "application/vnd.pmtiles",
        "parquet" => "application/vnd.apache.parquet",
        "gpkg" => "application/geopackage+sqlite3",
        "txt" | "sha256" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names inside `root`; `None` for anything outside it.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let mut decoded = Vec::with_capacity(path.len());
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let relative = PathBuf::from(String::from_utf8(decoded).ok()?.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

/// A `Range: bytes=…` header's one range within `len` bytes: `Ok(None)` for none,
/// `Err(())` when it cannot be satisfied.
fn range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        // Several ranges: answered with the whole file, as RFC 9110 allows.
        return Ok(None);
    }
    let (first, last) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            (len.saturating_sub(n), len.checked_sub(1).ok_or(())?)
        }
        (a, "") => (a.parse().map_err(|_| ())?, len.checked_sub(1).ok_or(())?),
        (a, b) => {
            let b: u64 = b.parse().map_err(|_| ())?;
            (a.parse().map_err(|_| ())?, b.min(len.saturating_sub(1)))
        }
    };
    if start >= len || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// The request line's method and target, and the `Range` header, of a request head; `None`
/// when it is not HTTP.
fn read_head(stream: &TcpStream) -> Option<(String, String, Option<String>)> {
    let mut reader = BufReader::new(stream.take(64 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    let mut range = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_owned());
            }
        }
    }
    Some((method, target, range))
}

/// Writes a response head (and a short text body for errors).
fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    text: Option<&str>,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if let Some(text) = text {
        let _ = write!(
            head,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
    } else {
        head.push_str("\r\n");
    }
    stream.write_all(head.as_bytes())
}

/// Answers one connection's request; returns the request line, status and body bytes sent.
fn answer(root: &Path, mut stream: TcpStream) -> std::io::Result<(String, u16, u64)> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let Some((method, target, asked)) = read_head(&stream) else {
        respond(&mut stream, 400, &[], Some("not an HTTP request\n"))?;
        return Ok(("?".into(), 400, 0));
    };
    let line = format!("{method} {target}");
    let head = method == "HEAD";
    if !head && method != "GET" {
        respond(
            &mut stream,
            405,
            &[("Allow", "GET, HEAD".into())],
            Some("only GET and HEAD\n"),
        )?;
        return Ok((line, 405, 0));
    }
    let found = resolve(root, &target).and_then(|p| {
        let file = File::open(&p).ok()?;
        let len = file
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)?
            .len();
        Some((p, file, len))
    });
    let Some((path, mut file, len)) = found else {
        respond(
            &mut stream,
            404,
            &[],
            Some(&format!("{target} is not in this package\n")),
        )?;
        return Ok((line, 404, 0));
    };
    let mut headers = vec![
        ("Content-Type", media_type(&path).to_owned()),
        ("Accept-Ranges", "bytes".to_owned()),
        ("Cache-Control", "no-cache".to_owned()),
    ];
    let (status, start, count) = match range(asked.as_deref(), len) {
        Ok(None) => (200, 0, len),
        Ok(Some((start, end))) => {
            headers.push(("Content-Range", format!("bytes {start}-{end}/{len}")));
            (206, start, end - start + 1)
        }
        Err(()) => {
            let unsatisfiable = [("Content-Range", format!("bytes */{len}"))];
            respond(
                &mut stream,
                416,
                &unsatisfiable,
                Some("range not satisfiable\n"),
            )?;
            return Ok((line, 416, 0));
        }
    };
    headers.push(("Content-Length", count.to_string()));
    respond(&mut stream, status, &headers, None)?;
    if head {
        return Ok((line, status, 0));
    }
    file.seek(SeekFrom::Start(start))?;
    let sent = std::io::copy(&mut file.take(count), &mut stream)?;
    stream.flush()?;
    Ok((line, status, sent))
}

/// Serves `root` on `address:port` until stopped; prints the address on stdout (the port the
/// system chose when `port` is 0); with `verbose`, one line per request on stderr.
pub fn serve(root: &Path, address: IpAddr, port: u16, verbose: bool) -> Result<()> {
    if !root.join("index.html").is_file() {
        bail!(
            "{} holds no index.html: give the output folder of `gapmap run` or `gapmap demo` (with its viewer)",
            root.display()
        );
    }
    let root = Arc::new(
        root.canonicalize()
            .with_context(|| root.display().to_string())?,
    );
    let listener = TcpListener::bind(SocketAddr::new(address, port))
        .with_context(|| format!("cannot listen on {address}:{port} (another port: --port)"))?;
    let bound = listener.local_addr()?;
    println!(
        "Serving {} at http://{bound}/ (range requests answered); Ctrl-C stops.",
        root.display()
    );
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = Arc::clone(&root);
        std::thread::spawn(move || match answer(&root, stream) {
            Ok((line, status, bytes)) if verbose => eprintln!("{line} {status} {bytes}"),
            Err(e) if verbose => eprintln!("a request failed: {e}"),
            _ => {}
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(range(None, 100), Ok(None));
        assert_eq!(range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        // The end is clamped to the file; a start past it cannot be satisfied.
        assert_eq!(range(Some("bytes=95-200"), 100), Ok(Some((95, 99))));
        assert_eq!(range(Some("bytes=100-"), 100), Err(()));
        assert_eq!(range(Some("bytes=5-2"), 100), Err(()));
        assert_eq!(range(Some("bytes=a-b"), 100), Err(()));
        assert_eq!(range(Some("bytes=0-1,5-6"), 100), Ok(None));
    }

    #[test]
    fn paths_stay_inside_the_package() {
        let root = Path::new("/srv/package");
        assert_eq!(
            resolve(root, "/viewer/data.js?x=1"),
            Some(root.join("viewer/data.js"))
        );
        assert_eq!(resolve(root, "/a%20b.csv"), Some(root.join("a b.csv")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/viewer/%2e%2e/%2e%2e/etc"), None);
        assert_eq!(resolve(root, "/%zz"), None);
    }
}
