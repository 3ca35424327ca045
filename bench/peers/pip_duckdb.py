"""Points in polygons with DuckDB spatial (extension from PyPI, loaded offline).

    python bench/peers/pip_duckdb.py <polygons.geojson> <points.csv> <out.csv>
"""
import sys
import tempfile

import duckdb
from duckdb_extensions import import_extension

con = duckdb.connect()
con.sql(f"SET extension_directory='{tempfile.mkdtemp()}'; SET autoinstall_known_extensions=false")
import_extension("spatial", con=con)
con.sql("LOAD spatial")
con.sql(f"CREATE TABLE polygons AS SELECT id, geom FROM ST_Read('{sys.argv[1]}')")
con.sql(f"CREATE TABLE points AS SELECT ST_Point(x, y) AS p FROM read_csv('{sys.argv[2]}')")
con.sql(f"""COPY (
  SELECT polygons.id, count(points.p) AS points
  FROM polygons LEFT JOIN points ON ST_Contains(polygons.geom, points.p)
  GROUP BY polygons.id ORDER BY polygons.id
) TO '{sys.argv[3]}' (HEADER)""")
