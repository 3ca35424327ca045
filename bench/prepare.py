"""Prepares a benchmark area around generated BDC files (bdc-gen): the DC block groups and
tracts, and their ACS tables, cloned under every county code the generator used, so that the
districts grow with the rows. Writes <dir>/geo/{block_group,tract}.geojson, <dir>/acs/*.csv and
<dir>/gapmap.toml. Values are copied unchanged; the geography of cloned counties is DC's.

    python bench/prepare.py bench/data/csv_10m
"""
import csv
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DC = ROOT / "data" / "dc"


def counties_of(folder: pathlib.Path) -> list[str]:
    """The 5-digit state+county codes bdc-gen cloned the blocks under (counties.txt)."""
    listed = folder / "counties.txt"
    if listed.exists():
        return listed.read_text().split()
    readme = (folder / "README.md").read_text()
    count = int(readme.split(" county codes")[0].rsplit(" ", 1)[-1])
    return [f"11{1 + 2 * i:03d}" for i in range(count)]


def clone_layer(source: pathlib.Path, target: pathlib.Path, counties: list[str]) -> None:
    layer = json.loads(source.read_text())
    features = []
    for county in counties:
        for feature in layer["features"]:
            f = json.loads(json.dumps(feature))
            geoid = f["properties"]["GEOID"]
            f["properties"]["GEOID"] = county + geoid[5:]
            f["properties"]["STATEFP"] = county[:2]
            f["properties"]["COUNTYFP"] = county[2:]
            features.append(f)
    layer["features"] = features
    target.write_text(json.dumps(layer))


def clone_acs(target: pathlib.Path, counties: list[str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((DC / "acs_2021_5yr_blockgroup").glob("*b28002*.csv")):
        with source.open() as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        g = header.index("GEOID21")
        out = [header]
        for county in counties:
            for row in body:
                r = list(row)
                r[g] = county + r[g][5:]
                out.append(r)
        with (target / source.name).open("w", newline="") as f:
            csv.writer(f).writerows(out)


CONFIG = """[area]
name = "Benchmark area ({n} cloned counties)"

[bdc]
files = ["{files}"]
vintage = "SIMULATED (bdc-gen)"
simulated = true

[acs]
tables = ["acs"]
vintage = "2017-2021"

{levels}
[suppression]
min_households = 0
min_locations = 0

[output]
charts = false
viewer = false
web_simplify_m = 0
"""


LEVEL = """[[level]]
level = "{level}"
boundaries = "geo/{level}.geojson"
id_field = "GEOID"
"""
SOURCES = {"block_group": "cb_2020_11_bg_500k.geojson", "tract": "cb_2020_11_tract_500k.geojson"}


def main() -> None:
    """python bench/prepare.py <dir> [block_group,tract]"""
    folder = pathlib.Path(sys.argv[1])
    levels = (sys.argv[2] if len(sys.argv) > 2 else "block_group,tract").split(",")
    counties = counties_of(folder)
    (folder / "geo").mkdir(exist_ok=True)
    for level in levels:
        clone_layer(DC / "boundaries" / SOURCES[level], folder / "geo" / f"{level}.geojson", counties)
    clone_acs(folder / "acs", counties)
    files = "."
    config = CONFIG.format(n=len(counties), files=files, levels="\n".join(LEVEL.format(level=l) for l in levels))
    (folder / "gapmap.toml").write_text(config)
    print(f"{folder}: {len(counties)} counties")


if __name__ == "__main__":
    main()
