"""`just bench`: gapmap against GeoPandas/pandas and DuckDB on the same inputs, with the raw
limits (polars only parsing the CSVs' columns, Python inflating the zips). Each tool runs as
its own process under /usr/bin/time (wall time, peak RSS), the tools of a table in turn,
ROUNDS times (medians quoted); every peer's numbers are compared with gapmap's (counts
exactly, shares to 1e-9); the results go to bench/RESULTS.generated.md and
bench/results/results.json. `--national N` adds a national release of N rows (bdc-gen
--national: 56 states × 7 technology zips) read once by gapmap.

    bench/.venv/bin/python bench/run.py 1000000 10000000 [--national 300000000] [--before OLD_GAPMAP] [--rounds N] [--quick]
"""
import csv
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
PY = str(BENCH / ".venv" / "bin" / "python")
GAPMAP = str(ROOT / "target" / "release" / "gapmap")
GEN = str(ROOT / "target" / "release" / "bdc-gen")
PIP = str(ROOT / "target" / "release" / "pip")
PANDAS_MAX_ROWS = 20_000_000  # pandas needs ~5 GiB per 10^7 rows: 5·10^7 would not fit in 24 GiB
ROUNDS = 3
# `--before BIN`: an earlier gapmap binary timed in the same rounds as the current one.
BEFORE = None
# `--quick`: the tier tables without pandas (50 s a round at 10^7 rows), the wards and the points.
QUICK = False


def measure(cmd: list[str]) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", t.name, *cmd],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        fields = t.read().strip().splitlines()[-1].split()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return {"wall_s": round(wall, 3), "peak_rss_mb": round(int(fields[1]) / 1024, 1),
            "cpu_s": round(float(fields[2]) + float(fields[3]), 2)}


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def measure_all(runs: dict, rounds: int) -> dict:
    """Every command once per round, in turn (A B C A B C …): the medians of wall and RSS."""
    seen = {name: [] for name in runs}
    for _ in range(rounds):
        for name, cmd in runs.items():
            seen[name].append(measure(cmd))
    return {name: {"wall_s": median([m["wall_s"] for m in ms]), "peak_rss_mb": median([m["peak_rss_mb"] for m in ms]),
                   "cpu_s": median([m["cpu_s"] for m in ms]), "walls": [m["wall_s"] for m in ms]}
            for name, ms in seen.items()}


def table(path: pathlib.Path, names: dict) -> dict:
    with path.open() as f:
        return {r["geoid"]: {k: r[v] for k, v in names.items()} for r in csv.DictReader(f)}


GAPMAP_FIELDS = {"locations": "locations", "served": "locations_served", "underserved": "locations_underserved",
                 "unserved": "locations_unserved", "households": "households", "without_broadband": "without_broadband",
                 "share_without_broadband": "share_without_broadband"}
PEER_FIELDS = {k: k for k in GAPMAP_FIELDS}


def compare(gapmap: pathlib.Path, peer: pathlib.Path) -> str:
    a, b = table(gapmap, GAPMAP_FIELDS), table(peer, PEER_FIELDS)
    a = {k: v for k, v in a.items() if k not in ("unassigned", "suppressed")}
    if set(a) != set(b):
        return f"districts differ: {len(set(a) ^ set(b))}"
    for geoid, row in a.items():
        for field, value in row.items():
            x, y = value or "", b[geoid][field] or ""
            if field.startswith("share"):
                if (x == "") != (y == "") or (x and abs(float(x) - float(y)) > 1e-9):
                    return f"{geoid} {field}: {x} vs {y}"
            elif float(x or 0) != float(y or 0):
                return f"{geoid} {field}: {x} vs {y}"
    return "same"


def tiers(n: int, results: list) -> None:
    csv_dir, zip_dir = DATA / f"csv_{n}", DATA / f"zip_{n}"
    for folder, level in [(csv_dir, "0"), (zip_dir, "1")]:
        if not (folder / "gapmap.toml").exists():
            subprocess.run([GEN, "--rows", str(n), "--out", str(folder), "--level", level], check=True, cwd=ROOT)
            subprocess.run([PY, str(BENCH / "prepare.py"), str(folder)], check=True, cwd=ROOT)
    rows = int((csv_dir / "README.md").read_text().split(": ")[1].split(" rows")[0])
    out = RESULTS / f"tiers_{n}"
    out.mkdir(parents=True, exist_ok=True)
    runs = {
        "gapmap (CSV)": [GAPMAP, "--threads", "2", "-q", "run", "--config", str(csv_dir / "gapmap.toml"), "--out", str(out / "gapmap")],
        "gapmap (FCC zips)": [GAPMAP, "--threads", "2", "-q", "run", "--config", str(zip_dir / "gapmap.toml"), "--out", str(out / "gapmap_zip")],
        "DuckDB": [PY, str(BENCH / "peers/duckdb_tiers.py"), str(csv_dir), str(out / "duckdb")],
        "polars parse of the 7 columns (raw limit)": [PY, str(BENCH / "peers/polars_scan.py"), str(csv_dir)],
        "inflate the zips, 2 threads (raw limit)": [PY, str(BENCH / "peers/inflate_zips.py"), str(zip_dir), "2"],
        "SHA-256 of the CSVs, 2 threads (raw limit)": [PY, str(BENCH / "peers/sha256_files.py"), str(csv_dir), "2"],
    }
    if BEFORE:
        # An earlier gapmap binary, in the same rounds: before/after in one sitting.
        runs["gapmap before (CSV)"] = [BEFORE, "--threads", "2", "-q", "run", "--config", str(csv_dir / "gapmap.toml"), "--out", str(out / "before")]
        runs["gapmap before (FCC zips)"] = [BEFORE, "--threads", "2", "-q", "run", "--config", str(zip_dir / "gapmap.toml"), "--out", str(out / "before_zip")]
    if rows <= PANDAS_MAX_ROWS and not QUICK:
        runs["pandas"] = [PY, str(BENCH / "peers/pandas_tiers.py"), str(csv_dir), str(out / "pandas")]
    measured = measure_all(runs, ROUNDS)
    for name, m in measured.items():
        print(f"tiers {rows:>11,} {name:<42} {m['wall_s']:>7.2f} s {m['cpu_s']:>6.2f} CPU-s {m['peak_rss_mb']:>8.0f} MB  {m['walls']}", flush=True)
    checks = {}
    for level in ["block_group", "tract"]:
        for peer, folder in [("DuckDB", "duckdb"), ("pandas", "pandas"), ("gapmap (FCC zips)", "gapmap_zip"),
                             ("gapmap before (CSV)", "before"), ("gapmap before (FCC zips)", "before_zip")]:
            path = out / folder / f"{level}.csv"
            # Only what ran in this sitting: a folder left by an earlier one is not checked.
            if peer in measured and path.exists():
                ours = folder.startswith(("gapmap", "before"))
                names = GAPMAP_FIELDS if ours else PEER_FIELDS
                if ours:
                    a = table(out / "gapmap" / f"{level}.csv", GAPMAP_FIELDS)
                    b = table(path, names)
                    checks[f"{peer} {level}"] = "same" if a == b else "differs"
                else:
                    checks[f"{peer} {level}"] = compare(out / "gapmap" / f"{level}.csv", path)
    results.append({"workload": "tiers + adoption (tract and block group)", "rows": rows, "runs": measured, "checks": checks})


def wards(results: list) -> None:
    out = RESULTS / "wards"
    out.mkdir(parents=True, exist_ok=True)
    measured = {
        "gapmap": measure([GAPMAP, "--threads", "2", "run", "--config", str(BENCH / "wards.toml"), "--out", str(out / "gapmap")]),
        "GeoPandas (EPSG:5070)": measure([PY, str(BENCH / "peers/wards_geopandas.py"), str(out / "geopandas.csv")]),
        "GeoPandas (geodesic)": measure([PY, str(BENCH / "peers/wards_geopandas.py"), str(out / "geopandas-geodesic.csv"), "--geodesic"]),
    }
    g = {r["geoid"]: r for r in csv.DictReader((out / "gapmap" / "ward.csv").open())}
    checks = {}
    for name, file in [("GeoPandas (EPSG:5070)", "geopandas.csv"), ("GeoPandas (geodesic)", "geopandas-geodesic.csv")]:
        worst = 0.0
        for r in csv.DictReader((out / file).open()):
            for a, b in [("locations", "locations"), ("served", "locations_served"), ("underserved", "locations_underserved"),
                         ("unserved", "locations_unserved"), ("households", "households")]:
                x, y = float(r[a]), float(g[r["geoid"]][b])
                worst = max(worst, abs(x - y) / max(abs(y), 1.0))
        checks[name] = f"max relative difference {worst:.1e}"
    for name, m in measured.items():
        print(f"wards {name:<30} {m['wall_s']:>7.2f} s {m['peak_rss_mb']:>8.0f} MB", flush=True)
    results.append({"workload": "DC wards apportionment (571 block groups → 8 wards)", "runs": measured, "checks": checks})


def pip(results: list, n: int = 10_000_000) -> None:
    folder = DATA / "pip"
    if not (folder / "points.csv").exists():
        subprocess.run([PY, str(BENCH / "prepare_pip.py"), str(folder), str(n)], check=True, cwd=ROOT)
    out = RESULTS / "pip"
    out.mkdir(parents=True, exist_ok=True)
    args = [str(folder / "polygons.geojson"), str(folder / "points.csv")]
    measured = {
        "gapmap": measure([PIP, *args, str(out / "gapmap.csv")]),
        "DuckDB spatial": measure([PY, str(BENCH / "peers/pip_duckdb.py"), *args, str(out / "duckdb.csv")]),
        "GeoPandas": measure([PY, str(BENCH / "peers/pip_geopandas.py"), *args, str(out / "geopandas.csv")]),
    }
    a = {r["id"]: int(r["points"]) for r in csv.DictReader((out / "gapmap.csv").open())}
    checks = {}
    for name, file in [("DuckDB spatial", "duckdb.csv"), ("GeoPandas", "geopandas.csv")]:
        b = {r["id"]: int(float(r["points"])) for r in csv.DictReader((out / file).open())}
        diff = [k for k in a if a[k] != b[k]]
        checks[name] = (f"{len(diff)} polygons differ, by {sum(a[k] - b[k] for k in diff)} points "
                        f"(gapmap {sum(a.values()):,}, peer {sum(b.values()):,})")
    for name, m in measured.items():
        print(f"pip {name:<30} {m['wall_s']:>7.2f} s {m['peak_rss_mb']:>8.0f} MB", flush=True)
    results.append({"workload": f"points in polygons ({n:,} points, 10,278 polygons)", "runs": measured, "checks": checks})


def national(n: int, results: list) -> None:
    """A national release: bdc-gen --national (56 states × 7 technology zips), tracts cloned per
    state; gapmap reads it once (a run takes minutes: one round)."""
    folder = DATA / f"national_{n}"
    if not (folder / "gapmap.toml").exists():
        subprocess.run([GEN, "--rows", str(n), "--out", str(folder), "--national"], check=True, cwd=ROOT)
        subprocess.run([PY, str(BENCH / "prepare.py"), str(folder), "tract"], check=True, cwd=ROOT)
    out = RESULTS / f"national_{n}"
    out.mkdir(parents=True, exist_ok=True)
    cmd = [GAPMAP, "--threads", "2", "-q", "run", "--config", str(folder / "gapmap.toml"), "--out", str(out / "gapmap")]
    m = measure(cmd)
    meta = json.loads((out / "gapmap" / "metadata.json").read_text())
    bdc = meta["input_summary"]["bdc"]
    m["rows_per_s"] = round(bdc["rows"] / m["wall_s"])
    m["locations"] = bdc["residential_locations"]
    m["bytes_per_location"] = round(m["peak_rss_mb"] * 2**20 / bdc["residential_locations"], 1)
    zips = sum(p.stat().st_size for p in folder.glob("*.zip"))
    print(f"national {bdc['rows']:,} rows, {len(list(folder.glob('*.zip')))} zips ({zips / 1e9:.1f} GB): "
          f"{m['wall_s']:.1f} s, {m['rows_per_s'] / 1e6:.2f} M rows/s, {m['peak_rss_mb']:.0f} MB, "
          f"{m['bytes_per_location']} bytes per residential location", flush=True)
    results.append({"workload": f"national release ({len(list(folder.glob('*.zip')))} zips, {zips / 1e9:.1f} GB)",
                    "rows": bdc["rows"], "runs": {"gapmap (FCC zips)": m}, "checks": {}})


def main() -> None:
    global BEFORE, QUICK, ROUNDS
    args = sys.argv[1:]
    national_rows = None
    if "--national" in args:
        i = args.index("--national")
        national_rows = int(args[i + 1])
        del args[i:i + 2]
    if "--before" in args:
        i = args.index("--before")
        BEFORE = str(pathlib.Path(args[i + 1]).resolve())
        del args[i:i + 2]
    QUICK = "--quick" in args
    args = [a for a in args if a != "--quick"]
    if "--rounds" in args:
        i = args.index("--rounds")
        ROUNDS = int(args[i + 1])
        del args[i:i + 2]
    sizes = [int(s) for s in args] or [1_000_000, 10_000_000]
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        tiers(n, results)
    if national_rows:
        national(national_rows, results)
    if not QUICK:
        wards(results)
        pip(results)
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    (RESULTS / "results.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    (BENCH / "RESULTS.generated.md").write_text(render(machine, results))
    print(f"wrote {BENCH / 'RESULTS.generated.md'}")


def render(machine: dict, results: list) -> str:
    lines = [f"Measured by `bench/run.py` on {machine['cpus']} CPUs ({machine['platform']}), each tool "
             "a separate process under /usr/bin/time.", ""]
    for r in results:
        title = r["workload"] + (f", {r['rows']:,} BDC rows" if "rows" in r else "")
        lines += [f"### {title}", "", "| tool | wall (s) | CPU (s) | peak RSS (MB) | vs gapmap |", "|---|---:|---:|---:|---:|"]
        base = next(iter(r["runs"].values()))["wall_s"]
        for name, m in r["runs"].items():
            lines.append(f"| {name} | {m['wall_s']:.2f} | {m.get('cpu_s', 0):.2f} | {m['peak_rss_mb']:.0f} | {m['wall_s'] / base:.2f}× |")
        lines += ["", "Agreement with gapmap: " + "; ".join(f"{k}: {v}" for k, v in r["checks"].items()), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
