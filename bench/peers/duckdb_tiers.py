"""Runs duckdb_tiers.sql and writes one table per level (as gapmap and the pandas peer do).

    python bench/peers/duckdb_tiers.py <dir with bdc CSVs, acs/> <out dir>
"""
import pathlib
import sys

import duckdb


def main() -> None:
    folder, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    sql = (pathlib.Path(__file__).parent / "duckdb_tiers.sql").read_text()
    con = duckdb.connect()
    con.execute(sql.replace("{bdc}", str(folder / "*.csv")).replace("{acs}", str(folder / "acs")))
    for level, digits in [("block_group", 12), ("tract", 11)]:
        con.execute(f"""
        COPY (
          WITH t AS (
            SELECT substr(block, 1, {digits}) AS geoid,
                   count(*) AS locations,
                   sum(served) AS served,
                   sum(CASE WHEN served = 0 AND under = 1 THEN 1 ELSE 0 END) AS underserved,
                   sum(CASE WHEN served = 0 AND under = 0 THEN 1 ELSE 0 END) AS unserved
            FROM best GROUP BY 1),
          a AS (
            SELECT substr(unit, 1, {digits}) AS geoid, sum(households) AS households,
                   sum(without_broadband) AS without_broadband
            FROM acs GROUP BY 1)
          SELECT geoid, coalesce(locations, 0) AS locations, coalesce(served, 0) AS served,
                 coalesce(underserved, 0) AS underserved, coalesce(unserved, 0) AS unserved,
                 coalesce(households, 0) AS households, coalesce(without_broadband, 0) AS without_broadband,
                 CASE WHEN households > 0 THEN without_broadband / households END AS share_without_broadband
          FROM t FULL JOIN a USING (geoid) ORDER BY geoid
        ) TO '{out / (level + ".csv")}' (HEADER)""")


if __name__ == "__main__":
    main()
