"""The raw limit: polars (Python, lazy, streaming) parses the 7 needed columns of the same CSVs
into memory (as strings: no conversion) and does nothing else.

    python bench/peers/polars_scan.py <dir with bdc CSVs>
"""
import pathlib
import sys

import polars as pl

COLUMNS = ["location_id", "technology", "max_advertised_download_speed",
           "max_advertised_upload_speed", "low_latency", "business_residential_code", "block_geoid"]

folder = pathlib.Path(sys.argv[1])
frame = (pl.scan_csv(str(folder / "*.csv"), schema_overrides={c: pl.String for c in COLUMNS})
         .select(COLUMNS).collect(engine="streaming"))
print(frame.height, frame.estimated_size("mb"))
