# gapmap recipes; `just` lists them. Each mirrors a command from the README or CI.

# List the recipes.
default:
    @just --list

# Run the bundled District of Columbia demo into out/demo (release build).
demo out="out/demo":
    cargo run --release -- demo --out {{out}}

# Run every test (unit, doc and end-to-end), as CI does.
test:
    cargo test --workspace

# Format, lint with warnings as errors, then test: what CI runs.
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy --workspace --all-targets --all-features -- -D warnings
    cargo test --workspace
    cargo test --workspace --features gapmap-cli/gdal,gapmap-ingest/gdal

# Every test again with GDAL (needs libgdal-dev).
test-gdal:
    cargo test --workspace --features gapmap-cli/gdal,gapmap-ingest/gdal

# Format the code.
fmt:
    cargo fmt --all

# Build the API docs with warnings as errors.
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Time the demo and its peak memory (release build; needs /usr/bin/time).
time-demo:
    cargo build --release
    /usr/bin/time -v target/release/gapmap demo --out out/demo

# Refresh the README picture from a demo run.
readme-image: demo
    cp out/demo/charts/tract_unserved_underserved.png docs/tract_unserved_underserved.png
