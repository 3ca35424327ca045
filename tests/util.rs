//! Running the binary and reading its outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `gapmap` with `args` from the repository root.
pub fn gapmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("the gapmap binary runs")
}

/// The output folder of one demo run, shared by the tests of this binary.
pub fn demo_output() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    run_once(&DEMO, "demo", &[])
}

/// The output folder of one `gapmap demo --area lima` run, shared likewise.
pub fn lima_output() -> &'static Path {
    static LIMA: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    run_once(&LIMA, "lima", &["--area", "lima"])
}

/// Runs `gapmap demo <args> --out <tmp>/<folder>` the first time `cell` is asked; asserts that
/// it succeeded.
fn run_once(
    cell: &'static OnceLock<(tempfile::TempDir, PathBuf)>,
    folder: &str,
    args: &[&str],
) -> &'static Path {
    let (_, path) = cell.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join(folder);
        let mut all = vec!["demo"];
        all.extend_from_slice(args);
        all.extend(["--out", out.to_str().expect("utf-8 path")]);
        let output = gapmap(&all);
        assert!(
            output.status.success(),
            "gapmap demo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        (dir, out)
    });
    path
}

/// Whether `python` can import `modules` (with Qt offscreen, for PyQGIS). When it cannot, the
/// test is skipped with a message — unless the environment variable `require` is set, as CI
/// sets it, and then the test fails: CI must not skip it.
pub fn python_with(python: &str, modules: &str, require: &str) -> bool {
    let ready = Command::new(python)
        .args(["-c", &format!("import {modules}")])
        .env("QT_QPA_PLATFORM", "offscreen")
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        assert!(
            std::env::var_os(require).is_none(),
            "{require} is set but {python} cannot import {modules}"
        );
        eprintln!("skipped: {python} cannot import {modules}");
    }
    ready
}

/// A layer's districts (`<name>.csv`) followed by its summary lines (`<name>.summary.csv`:
/// `unassigned`, `suppressed`), the rows whose columns add up to the area's totals.
pub fn read_layer(dir: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut rows = read_table(&dir.join(format!("{name}.csv")));
    rows.extend(read_table(&dir.join(format!("{name}.summary.csv"))));
    rows
}

/// A CSV table as rows of field → text.
pub fn read_table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let record = r.expect("valid record");
            headers
                .iter()
                .map(str::to_owned)
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// A count field (empty is 0).
pub fn count(row: &BTreeMap<String, String>, field: &str) -> u64 {
    let text = &row[field];
    if text.is_empty() {
        0
    } else {
        text.parse().expect("a count")
    }
}

/// A number field, `None` when empty.
pub fn number(row: &BTreeMap<String, String>, field: &str) -> Option<f64> {
    let text = &row[field];
    (!text.is_empty()).then(|| text.parse().expect("a number"))
}

/// Every file under `dir`, relative, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("file");
                out.insert(path.strip_prefix(dir).expect("inside").to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Runs the Maui demo into a new temporary folder; returns the folder (kept alive) and the
/// package's path.
pub fn maui_output() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("maui");
    let output = gapmap(&[
        "demo",
        "--area",
        "maui",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (dir, out)
}

/// Runs `gapmap run --config <config> --out <out>` with `sets` (`KEY=VALUE`, as `--set` takes
/// them); returns what it did, succeeded or not.
pub fn run_with(config: &Path, out: &Path, sets: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    for set in sets {
        args.extend(["--set", set]);
    }
    gapmap(&args)
}

/// Runs `gapmap run --config <config> --out <out>` and asserts that it succeeded.
pub fn run_config(config: &Path, out: &Path) {
    succeeded(&run_with(config, out, &[]));
}

/// Runs the DC configuration into `out` with `sets` and asserts that it succeeded.
pub fn run_dc(out: &Path, sets: &[&str]) {
    succeeded(&run_with(Path::new("data/dc/gapmap.toml"), out, sets));
}

fn succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs a Python `script` with `arg` as `sys.argv[1]` and asserts that it succeeded; returns
/// what it printed.
pub fn python_script(python: &str, script: &str, arg: &Path) -> String {
    let output = Command::new(python)
        .args(["-c", script])
        .arg(arg)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Python: `bounds(quadkey)` → (west, south, east, north) of an Ookla tile, from the Bing Maps
/// tile system's formulas (independent of gapmap's), and the imports the scripts use with it.
pub const PY_QUADKEY_BOUNDS: &str = r"
import csv, json, math, sys
from shapely.geometry import shape, box
def bounds(q):
    x = y = 0
    for c in q:
        d = int(c); x = (x << 1) | (d & 1); y = (y << 1) | (d >> 1)
    n = 2 ** len(q)
    lon = lambda x: x / n * 360 - 180
    lat = lambda y: math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon(x), lat(y + 1), lon(x + 1), lat(y)
";
