-- The tier + adoption job in DuckDB SQL (METHOD.md §2, §3), on the same CSVs as gapmap.
-- Parameters are substituted by duckdb_tiers.py: {bdc} (a glob of the CSVs), {acs} (folder).
CREATE TEMP TABLE best AS
SELECT location_id,
       first(block_geoid) AS block,
       max(CASE WHEN reliable AND max_advertised_download_speed >= 100 AND max_advertised_upload_speed >= 20 THEN 1 ELSE 0 END) AS served,
       max(CASE WHEN reliable AND max_advertised_download_speed >= 25 AND max_advertised_upload_speed >= 3 THEN 1 ELSE 0 END) AS under
FROM (
  SELECT location_id, block_geoid, max_advertised_download_speed, max_advertised_upload_speed,
         technology IN (10, 40, 50, 71, 72) AND low_latency = 1 AS reliable
  FROM read_csv('{bdc}', header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
       columns = {'frn': 'VARCHAR', 'provider_id': 'VARCHAR', 'brand_name': 'VARCHAR',
                  'location_id': 'VARCHAR', 'technology': 'INTEGER',
                  'max_advertised_download_speed': 'DOUBLE', 'max_advertised_upload_speed': 'DOUBLE',
                  'low_latency': 'INTEGER', 'business_residential_code': 'VARCHAR',
                  'state_usps': 'VARCHAR', 'block_geoid': 'VARCHAR', 'h3_res8_id': 'VARCHAR'})
  WHERE business_residential_code <> 'B'
)
GROUP BY location_id;

CREATE TEMP TABLE acs AS
SELECT a.GEOID21 AS unit, a.B28002_001E AS households, a.B28002_001E - b.B28002_004E AS without_broadband
FROM read_csv('{acs}/*b28002-001*.csv', types = {'GEOID21': 'VARCHAR'}) a
JOIN read_csv('{acs}/*b28002-004*.csv', types = {'GEOID21': 'VARCHAR'}) b USING (GEOID21);
