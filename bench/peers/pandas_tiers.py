"""The tier + adoption job as an analyst writes it in pandas (METHOD.md §2, §3): read the BDC
CSVs (7 columns, ids as text), keep residential rows, classify each row, take each location's
best row, count by block group and tract, and join the ACS adoption tables.

    python bench/peers/pandas_tiers.py <dir with bdc CSVs, acs/> <out dir>
"""
import pathlib
import sys

import numpy as np
import pandas as pd

COLUMNS = ["location_id", "technology", "max_advertised_download_speed",
           "max_advertised_upload_speed", "low_latency", "business_residential_code", "block_geoid"]
RELIABLE = {10, 40, 50, 71, 72}


def main() -> None:
    folder, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    frames = []
    for path in sorted(folder.glob("*.csv")):
        frames.append(pd.read_csv(path, usecols=COLUMNS, dtype={"location_id": str, "block_geoid": str,
                                                               "business_residential_code": str}))
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["business_residential_code"] != "B"]
    ok = rows["technology"].isin(RELIABLE) & (rows["low_latency"] == 1)
    down, up = rows["max_advertised_download_speed"], rows["max_advertised_upload_speed"]
    rows = rows.assign(served=(ok & (down >= 100) & (up >= 20)).astype(np.int8),
                       under=(ok & (down >= 25) & (up >= 3)).astype(np.int8))
    best = rows.groupby("location_id", sort=False).agg(block=("block_geoid", "first"),
                                                       served=("served", "max"), under=("under", "max"))
    best["tier"] = np.where(best["served"] == 1, "served", np.where(best["under"] == 1, "underserved", "unserved"))
    acs = {}
    for var in ["b28002-001", "b28002-004", "b28002-013"]:
        path = next((folder / "acs").glob(f"*{var}*.csv"))
        t = pd.read_csv(path, dtype={"GEOID21": str})
        acs[var] = t.set_index("GEOID21").iloc[:, 0]
    acs = pd.DataFrame(acs)
    for level, digits in [("block_group", 12), ("tract", 11)]:
        best["district"] = best["block"].str[:digits]
        counts = best.groupby(["district", "tier"]).size().unstack(fill_value=0)
        for tier in ["served", "underserved", "unserved"]:
            if tier not in counts:
                counts[tier] = 0
        counts["locations"] = counts[["served", "underserved", "unserved"]].sum(axis=1)
        units = acs.copy()
        units["district"] = units.index.str[:digits]
        units = units.groupby("district").sum()
        table = counts.join(units, how="outer").fillna(0)
        table["households"] = table["b28002-001"]
        table["without_broadband"] = table["b28002-001"] - table["b28002-004"]
        table["share_without_broadband"] = np.where(table["households"] > 0,
                                                    table["without_broadband"] / table["households"], np.nan)
        table.index.name = "geoid"
        table[["locations", "served", "underserved", "unserved", "households", "without_broadband",
               "share_without_broadband"]].to_csv(out / f"{level}.csv")


if __name__ == "__main__":
    main()
