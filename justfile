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

# Validate the demo package with Frictionless (pip install -r .ci/requirements.txt).
validate out="out/demo": (demo out)
    frictionless validate {{out}}/datapackage.json

# Open-from-folder check of the viewer: a headless Chromium screenshot of the ward map.
screenshot out="out/demo":
    chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --window-size=1280,1000 --virtual-time-budget=5000 --screenshot=out/viewer.png "file://$(realpath {{out}})/index.html?layer=ward"

# Accept changed chart snapshots after looking at them (crates/gapmap-export/tests/snapshots).
update-snapshots:
    UPDATE_SNAPSHOTS=1 cargo test -p gapmap-export --test snapshots

# Benchmarks against pandas/GeoPandas and DuckDB (bench/RESULTS.md), a national release of
# 3·10^8 rows (56 states × 7 technology zips, ~6 GB, ~20 min), then criterion kernels.
bench sizes="1000000 10000000" national="300000000":
    cargo build --release -p gapmap-cli -p gapmap-bench
    test -x bench/.venv/bin/python || (python3 -m venv bench/.venv && bench/.venv/bin/pip install -q -r bench/requirements.txt)
    bench/.venv/bin/python bench/run.py {{sizes}} --national {{national}}
    cargo bench -p gapmap-bench --bench kernels

# Generate N simulated BDC rows in FCC zips (bench/data/zip_N), from the DC sample; add
# `--national` by hand for one set of zips per state (56 state FIPS codes).
generate rows="10000000":
    cargo run --release -p gapmap-bench --bin bdc-gen -- --rows {{rows}} --out bench/data/zip_{{rows}}

# Execute the notebooks (CI does), with the debug binary unless GAPMAP_BIN says otherwise.
notebooks:
    cargo build
    GAPMAP_BIN=target/debug/gapmap bench/.venv/bin/python notebooks/run.py
