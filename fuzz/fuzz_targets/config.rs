//! Run configurations: TOML, every section and key, and the checks that follow parsing.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gapmap_cli::settings::Settings::parse(text, Path::new("/nonexistent"), Path::new("fuzz.toml"));
    }
});
