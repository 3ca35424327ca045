"""The points-in-polygons workload: 10^4 polygons (the 571 DC block groups cloned 18 times,
side by side without overlapping, so shapes are real) and N random points over them (seeded).

    python bench/prepare_pip.py bench/data/pip 10000000
"""
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    out, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    layer = json.loads((ROOT / "data/dc/boundaries/cb_2020_11_bg_500k.geojson").read_text())
    layer.pop("crs", None)
    features = []
    for k in range(18):
        dx = 0.25 * k
        for f in layer["features"]:
            g = f["geometry"]

            def shift(ring):
                return [[round(x + dx, 6), y] for x, y in ring]

            if g["type"] == "Polygon":
                coords = [shift(r) for r in g["coordinates"]]
            else:
                coords = [[shift(r) for r in p] for p in g["coordinates"]]
            features.append({"type": "Feature", "properties": {"id": f"{k:02d}{f['properties']['GEOID']}"},
                             "geometry": {"type": g["type"], "coordinates": coords}})
    (out / "polygons.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    rng = np.random.default_rng(2024)
    xs = rng.uniform(-77.12, -77.12 + 0.25 * 18, n).round(6)
    ys = rng.uniform(38.79, 39.0, n).round(6)
    with (out / "points.csv").open("w") as f:
        f.write("x,y\n")
        np.savetxt(f, np.column_stack([xs, ys]), fmt="%.6f", delimiter=",")
    print(f"{len(features)} polygons, {n} points")


if __name__ == "__main__":
    main()
