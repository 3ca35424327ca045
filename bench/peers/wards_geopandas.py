"""The DC wards apportionment (METHOD.md §6) as an analyst writes it with GeoPandas: block
group tiers and ACS households from the same inputs, an overlay of block groups with wards in
an equal-area projection (EPSG:5070), each count multiplied by the share of the block group's
area in the ward.

    python bench/peers/wards_geopandas.py <out.csv> [--geodesic]

With --geodesic the overlay stays in longitude/latitude and areas are geodesic (pyproj.Geod on
WGS84), as gapmap computes them: straight edges between vertices are different curves in
longitude/latitude and in a projection, which moves some weights by up to 3e-3.
"""
import pathlib
import sys
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
DC = ROOT / "data" / "dc"
COLUMNS = ["location_id", "technology", "max_advertised_download_speed",
           "max_advertised_upload_speed", "low_latency", "business_residential_code", "block_geoid"]
RELIABLE = {10, 40, 50, 71, 72}

frames = []
for path in sorted((DC / "bdc_simulated").glob("*.zip")):
    with zipfile.ZipFile(path) as z:
        with z.open(z.namelist()[0]) as f:
            frames.append(pd.read_csv(f, usecols=COLUMNS, dtype={"location_id": str, "block_geoid": str}))
rows = pd.concat(frames, ignore_index=True)
rows = rows[rows["business_residential_code"] != "B"]
ok = rows["technology"].isin(RELIABLE) & (rows["low_latency"] == 1)
down, up = rows["max_advertised_download_speed"], rows["max_advertised_upload_speed"]
rows = rows.assign(served=(ok & (down >= 100) & (up >= 20)).astype(int), under=(ok & (down >= 25) & (up >= 3)).astype(int))
best = rows.groupby("location_id").agg(block=("block_geoid", "first"), served=("served", "max"), under=("under", "max"))
best["bg"] = best["block"].str[:12]
best["underserved"] = ((best["served"] == 0) & (best["under"] == 1)).astype(int)
best["unserved"] = ((best["served"] == 0) & (best["under"] == 0)).astype(int)
best["locations"] = 1
bg = best.groupby("bg")[["locations", "served", "underserved", "unserved"]].sum()
households = pd.read_csv(DC / "acs_2021_5yr_blockgroup/2021_11001_b28002-001.csv", dtype={"GEOID21": str}).set_index("GEOID21")["B28002_001E"]
bg = bg.join(households.rename("households"), how="outer").fillna(0)

geodesic = "--geodesic" in sys.argv
crs = 4326 if geodesic else 5070
units = gpd.read_file(DC / "boundaries/cb_2020_11_bg_500k.geojson")[["GEOID", "geometry"]].to_crs(crs)
wards = gpd.read_file(DC / "districts/wards_2022/Wards_from_2022.geojson")[["GEOCODE", "geometry"]].to_crs(crs)
if geodesic:
    import pyproj
    geod = pyproj.Geod(ellps="WGS84")
    area = lambda s: s.apply(lambda g: abs(geod.geometry_area_perimeter(g)[0]))  # noqa: E731
else:
    area = lambda s: s.area  # noqa: E731
units["unit_area"] = area(units.geometry)
pieces = gpd.overlay(units, wards, how="intersection", keep_geom_type=True)
pieces["w"] = area(pieces.geometry) / pieces["unit_area"]
pieces = pieces.join(bg, on="GEOID")
fields = ["locations", "served", "underserved", "unserved", "households"]
for field in fields:
    pieces[field] = pieces[field].fillna(0) * pieces["w"]
out = pieces.groupby("GEOCODE")[fields].sum()
out.index.name = "geoid"
out.to_csv(sys.argv[1])
