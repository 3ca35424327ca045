"""Points in polygons with GeoPandas: read, build points, spatial join (within), count.

    python bench/peers/pip_geopandas.py <polygons.geojson> <points.csv> <out.csv>
"""
import sys

import geopandas as gpd
import pandas as pd

polygons = gpd.read_file(sys.argv[1])
points = pd.read_csv(sys.argv[2])
points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(points["x"], points["y"]), crs=polygons.crs)
joined = gpd.sjoin(points, polygons[["id", "geometry"]], predicate="within", how="inner")
counts = joined.groupby("id").size().reindex(polygons["id"], fill_value=0)
counts.rename("points").to_csv(sys.argv[3], index_label="id")
