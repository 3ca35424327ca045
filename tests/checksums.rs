//! The demo packages, file by file, against the SHA-256 lists in `tests/checksums/`: a
//! refactoring that is meant to change no output proves it here. Lists made with
//! `SOURCE_DATE_EPOCH=1767225600` (as `util::gapmap` sets it), `sha256sum` format.
//!
//! When a change is meant to alter outputs, look at what changed, then rewrite the lists with
//! `UPDATE_CHECKSUMS=1 cargo test --test e2e checksums` and say why in the commit.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::{demo_output, files, maui_output, root};

fn listing(dir: &Path) -> String {
    let mut text = String::new();
    for (path, bytes) in files(dir) {
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
        let _ = writeln!(text, "{hex}  {}", path.display());
    }
    text
}

fn compare(area: &str, out: &Path) {
    let list = root().join(format!("tests/checksums/{area}.sha256"));
    let actual = listing(out);
    if std::env::var_os("UPDATE_CHECKSUMS").is_some() {
        std::fs::write(&list, &actual).expect("write the checksum list");
        return;
    }
    let expected = std::fs::read_to_string(&list).expect("the checksum list");
    let differing: Vec<String> = expected
        .lines()
        .filter(|line| !actual.lines().any(|a| a == *line))
        .chain(
            actual
                .lines()
                .filter(|line| !expected.lines().any(|e| e == *line)),
        )
        .map(str::to_owned)
        .collect();
    assert!(
        differing.is_empty(),
        "the {area} demo package differs from {} in these lines (expected, then actual):\n{}",
        list.display(),
        differing.join("\n")
    );
}

#[test]
fn the_dc_demo_package_is_byte_identical_to_its_checksum_list() {
    compare("dc", demo_output());
}

#[test]
fn the_maui_demo_package_is_byte_identical_to_its_checksum_list() {
    let (_dir, out) = maui_output();
    compare("maui", &out);
}
