//! `gapmap fetch` against a local server that answers as the agencies' services do (issue #15):
//! the Census Data API's JSON, cartographic boundary zips, Ookla's Parquet, the FCC BDC
//! Public Data API's listings and zips, and their failures. Nothing here reaches the internet.
//!
//! The area is synthetic and labelled so: two counties of Virginia (51001, 51131) as squares,
//! each of two tracts of two block groups, with made-up ACS figures, blocks, tiles and BDC rows.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use crate::util::read_table;

/// A scripted answer.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// A `Content-Length` larger than the body, the connection then closed: a cut download.
    cut: bool,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            cut: false,
        }
    }

    fn status(status: u16) -> Self {
        Self {
            status,
            headers: vec![("Retry-After".into(), "0".into())],
            body: format!("status {status}").into_bytes(),
            cut: false,
        }
    }
}

/// A request as the server saw it: the decoded path and query, and its headers.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    headers: BTreeMap<String, String>,
}

/// The services on 127.0.0.1: each path (decoded) answers its queue of replies in turn, the
/// last one for ever; `/bdc/…` needs the `username` and `hash_value` headers (HTTP 401
/// otherwise, as the API answers).
struct Server {
    base: String,
    routes: Arc<Mutex<Routes>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(value) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Server {
    fn start(routes: Routes) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let routes = Arc::new(Mutex::new(routes));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (r, s) = (Arc::clone(&routes), Arc::clone(&seen));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s) = (Arc::clone(&r), Arc::clone(&s));
                std::thread::spawn(move || answer(stream, &r, &s));
            }
        });
        Self { base, routes, seen }
    }

    fn requests_to(&self, target: &str) -> usize {
        let target = decode(target);
        self.seen
            .lock()
            .expect("log")
            .iter()
            .filter(|s| s.target == target)
            .count()
    }

    fn set(&self, target: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .expect("routes")
            .insert(decode(target), replies.into());
    }
}

fn answer(mut stream: TcpStream, routes: &Mutex<Routes>, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = decode(line.split_whitespace().nth(1).unwrap_or(""));
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    seen.lock().expect("log").push(Seen {
        target: target.clone(),
        headers: headers.clone(),
    });
    let reply = if target.starts_with("/bdc/")
        && !(headers.contains_key("username") && headers.contains_key("hash_value"))
    {
        Reply {
            status: 401,
            headers: Vec::new(),
            body: br#"{"status":"fail","status_code":401,"message":"Unauthorized"}"#.to_vec(),
            cut: false,
        }
    } else {
        let mut routes = routes.lock().expect("routes");
        match routes.get_mut(&target) {
            Some(queue) if queue.len() > 1 => queue.pop_front().expect("a reply"),
            Some(queue) => queue.front().cloned().expect("a reply"),
            None => Reply {
                status: 404,
                headers: Vec::new(),
                body: b"Not Found".to_vec(),
                cut: false,
            },
        }
    };
    let length = if reply.cut {
        reply.body.len() * 2
    } else {
        reply.body.len()
    };
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {length}\r\nConnection: close\r\n",
        reply.status
    );
    for (name, value) in &reply.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}

// ---------------------------------------------------------------------------------------
// The synthetic area.

/// A block group: its GEOID and square (west, south, size in degrees).
struct BlockGroup {
    geoid: String,
    west: f64,
    south: f64,
}

const SIZE: f64 = 0.1;

/// Two counties × two tracts × two block groups, in a row of squares per county.
fn block_groups() -> Vec<BlockGroup> {
    let mut out = Vec::new();
    for (c, county) in ["001", "131"].iter().enumerate() {
        for (t, tract) in ["090100", "090200"].iter().enumerate() {
            for bg in 1..=2 {
                out.push(BlockGroup {
                    geoid: format!("51{county}{tract}{bg}"),
                    west: -75.9 + (t * 2 + bg - 1) as f64 * SIZE,
                    south: 37.7 - c as f64 * SIZE,
                });
            }
        }
    }
    out
}

fn square(west: f64, south: f64, east: f64, north: f64) -> shapefile::Polygon {
    use shapefile::{Point, PolygonRing};
    // Shapefile outer rings run clockwise.
    shapefile::Polygon::new(PolygonRing::Outer(vec![
        Point::new(west, south),
        Point::new(west, north),
        Point::new(east, north),
        Point::new(east, south),
        Point::new(west, south),
    ]))
}

/// A cartographic-boundary-style zip: `<stem>.shp/.shx/.dbf/.prj` with GEOID and NAMELSAD.
fn boundary_zip(stem: &str, features: &[(String, String, shapefile::Polygon)]) -> Vec<u8> {
    let features: Vec<(Vec<String>, shapefile::Polygon)> = features
        .iter()
        .map(|(geoid, name, polygon)| (vec![geoid.clone(), name.clone()], polygon.clone()))
        .collect();
    shapefile_zip(stem, &["GEOID", "NAMELSAD"], &features)
}

/// A TIGER/Line-style zip of `fields` (text) and polygons.
fn shapefile_zip(
    stem: &str,
    fields: &[&str],
    features: &[(Vec<String>, shapefile::Polygon)],
) -> Vec<u8> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let dir = tempfile::tempdir().expect("temp dir");
    let shp = dir.path().join(format!("{stem}.shp"));
    let mut table = TableWriterBuilder::new();
    for field in fields {
        table = table.add_character_field(FieldName::try_from(*field).expect("name"), 60);
    }
    let mut writer = shapefile::Writer::from_path(&shp, table).expect("shapefile");
    for (values, polygon) in features {
        let mut record = Record::default();
        for (field, value) in fields.iter().zip(values) {
            record.insert(
                (*field).to_owned(),
                FieldValue::Character(Some(value.clone())),
            );
        }
        writer
            .write_shape_and_record(polygon, &record)
            .expect("a feature");
    }
    drop(writer);
    std::fs::write(
        dir.path().join(format!("{stem}.prj")),
        r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
    )
    .expect("prj");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for extension in ["shp", "shx", "dbf", "prj"] {
        let name = format!("{stem}.{extension}");
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("member");
        zip.write_all(&std::fs::read(dir.path().join(&name)).expect("read"))
            .expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A variable's value from the block group's households.
type Figure = Box<dyn Fn(u64) -> u64>;

/// ACS figures of a block group (made up, consistent: parts within their totals).
fn acs_reply(table: &str, county: &str) -> String {
    let variables: Vec<(String, Figure)> = match table {
        "B28002" => vec![
            ("001".into(), Box::new(|h| h)),
            ("002".into(), Box::new(|h| h * 8 / 10)),
            ("004".into(), Box::new(|h| h * 3 / 4)),
            ("007".into(), Box::new(|h| h / 10)),
            ("013".into(), Box::new(|h| h - h * 8 / 10)),
        ],
        "B28001" => vec![
            ("001".into(), Box::new(|h| h)),
            ("002".into(), Box::new(|h| h * 9 / 10)),
        ],
        "B19001" => (1..=17)
            .map(|i| {
                let f: Figure = if i == 1 {
                    Box::new(|h| h)
                } else if i == 17 {
                    Box::new(|h| h - 15 * (h / 16))
                } else {
                    Box::new(|h| h / 16)
                };
                (format!("{i:03}"), f)
            })
            .collect(),
        "B19013" => vec![("001".into(), Box::new(|h| 30_000 + h * 100))],
        "B11001" => vec![("001".into(), Box::new(|h| h))],
        _ => vec![("001".into(), Box::new(|h| h * 5 / 2))],
    };
    let mut header: Vec<String> = Vec::new();
    for (v, _) in &variables {
        for suffix in ["E", "EA", "M", "MA"] {
            header.push(format!("{table}_{v}{suffix}"));
        }
    }
    header.extend(
        ["GEO_ID", "NAME", "state", "county", "tract", "block group"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    let mut rows = vec![serde_json::json!(header)];
    for (i, bg) in block_groups()
        .iter()
        .enumerate()
        .filter(|(_, bg)| county == "*" || &bg.geoid[2..5] == county)
    {
        let households = 100 + 37 * i as u64;
        let mut row: Vec<serde_json::Value> = Vec::new();
        for (_, f) in &variables {
            let value = f(households);
            row.push(value.to_string().into());
            row.push(serde_json::Value::Null);
            row.push((12 + value / 10).to_string().into());
            row.push(serde_json::Value::Null);
        }
        let g = &bg.geoid;
        row.extend([
            format!("1500000US{g}").into(),
            format!(
                "Block Group {}; Census Tract {}; synthetic",
                &g[11..],
                &g[5..11]
            )
            .into(),
            g[..2].to_owned().into(),
            g[2..5].to_owned().into(),
            g[5..11].to_owned().into(),
            g[11..].to_owned().into(),
        ]);
        rows.push(serde_json::Value::Array(row));
    }
    serde_json::to_string(&rows).expect("json")
}

/// Blocks: two per block group (`<bg digit>000`, `<bg digit>001`).
fn blocks_of(bg: &BlockGroup) -> [String; 2] {
    let (tract, digit) = bg.geoid.split_at(11);
    [format!("{tract}{digit}000"), format!("{tract}{digit}001")]
}

fn pl_reply(county: &str) -> String {
    let mut rows = vec![serde_json::json!([
        "H1_001N", "state", "county", "tract", "block"
    ])];
    for (i, bg) in block_groups()
        .iter()
        .enumerate()
        .filter(|(_, bg)| county == "*" || &bg.geoid[2..5] == county)
    {
        for (k, block) in blocks_of(bg).iter().enumerate() {
            rows.push(serde_json::json!([
                (60 + 11 * i + 7 * k).to_string(),
                &block[..2],
                &block[2..5],
                &block[5..11],
                &block[11..]
            ]));
        }
    }
    serde_json::to_string(&rows).expect("json")
}

/// The zoom-16 quadkey of a point.
fn quadkey(lon: f64, lat: f64) -> String {
    let n = f64::from(1u32 << 16);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
    (0..16)
        .rev()
        .map(|i| char::from(b'0' + (((x >> i) & 1) + 2 * ((y >> i) & 1)) as u8))
        .collect()
}

/// A quarter's Parquet as Ookla publishes it (with its WKT `tile` column): three tiles in each
/// block group, and one in California that the cut leaves out.
fn ookla_parquet(quarter: u8) -> Vec<u8> {
    use polars::prelude::*;
    let mut quadkeys = Vec::new();
    for bg in block_groups() {
        for k in 0..3 {
            let lon = bg.west + SIZE * (0.2 + 0.3 * f64::from(k));
            let lat = bg.south + SIZE * 0.5;
            quadkeys.push(quadkey(lon, lat));
        }
    }
    quadkeys.push(quadkey(-120.0, 37.5));
    let n = quadkeys.len();
    let speeds: Vec<i64> = (0..n)
        .map(|i| 20_000 + 9_000 * i as i64 + 1_000 * i64::from(quarter))
        .collect();
    let mut frame = df!(
        "quadkey" => quadkeys.clone(),
        "tile" => vec!["POLYGON((0 0, 1 0, 1 1, 0 0))"; n],
        "avg_d_kbps" => speeds.clone(),
        "avg_u_kbps" => speeds.iter().map(|s| s / 8).collect::<Vec<_>>(),
        "avg_lat_ms" => vec![18i64; n],
        "tests" => (0..n).map(|i| 20 + i as i64).collect::<Vec<_>>(),
        "devices" => (0..n).map(|i| 5 + i as i64).collect::<Vec<_>>(),
    )
    .expect("frame");
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .expect("parquet");
    bytes
}

/// A state BDC zip (FCC columns): 30 residential locations in every block group, a few
/// businesses, and locations of another county of the state.
fn bdc_zip(name: &str, technology: u8, down: u32, up: u32) -> Vec<u8> {
    let mut csv = String::from(
        "frn,provider_id,brand_name,location_id,technology,max_advertised_download_speed,max_advertised_upload_speed,low_latency,business_residential_code,state_usps,block_geoid,h3_res8_id\n",
    );
    let mut location = 1_000_000_000u64;
    for (i, bg) in block_groups().iter().enumerate() {
        for k in 0..30 {
            location += 1;
            // Fiber reaches every other location of the odd block groups.
            if technology == 50 && (i % 2 == 0 || k % 2 == 0) {
                continue;
            }
            let block = &blocks_of(bg)[k % 2];
            let code = if k < 2 { 'B' } else { 'R' };
            let _ = writeln!(
                csv,
                "0001234567,130000,Synthetic,{location},{technology},{down},{up},1,{code},VA,{block},882a8d9b9dfffff"
            );
        }
    }
    for k in 0..5 {
        let _ = writeln!(
            csv,
            "0001234567,130000,Synthetic,{},{technology},{down},{up},1,R,VA,510030101001000,882a8d9b9dfffff",
            1_100_000_000 + k
        );
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        format!("{name}.csv").as_str(),
        zip::write::SimpleFileOptions::default(),
    )
    .expect("member");
    zip.write_all(csv.as_bytes()).expect("csv");
    zip.finish().expect("zip").into_inner()
}

const ACS_TABLES: [&str; 6] = ["B28002", "B28001", "B19001", "B19013", "B11001", "B01003"];

/// The routes of a fixture, keyed as the server sees them (decoded).
type Routes = HashMap<String, VecDeque<Reply>>;

/// Adds a route answering `reply` for ever.
fn route(routes: &mut Routes, target: &str, reply: Reply) {
    routes.insert(decode(target), VecDeque::from([reply]));
}

/// Every route of the fixture.
fn routes() -> Routes {
    let mut routes = Routes::new();
    census_routes(&mut routes);
    boundary_routes(&mut routes);
    tiger_routes(&mut routes);
    ookla_routes(&mut routes);
    bdc_routes(&mut routes);
    routes
}

fn census_routes(routes: &mut Routes) {
    let mut add = |target: String, reply: Reply| route(routes, &target, reply);
    add(
        "/census/2022/acs/acs5?get=NAME&for=county:*&in=state:51&key=secret-census-key".into(),
        Reply::ok(
            r#"[["NAME","state","county"],["Northampton County, Virginia","51","131"],["Accomack County, Virginia","51","001"],["Albemarle County, Virginia","51","003"]]"#,
        ),
    );
    for county in ["001", "131", "*"] {
        for table in ACS_TABLES {
            add(
                format!(
                    "/census/2022/acs/acs5?get=group({table})&for=block group:*&in=state:51&in=county:{county}&in=tract:*&key=secret-census-key"
                ),
                Reply::ok(acs_reply(table, county)),
            );
        }
        add(
            format!(
                "/census/2020/dec/pl?get=H1_001N&for=block:*&in=state:51&in=county:{county}&in=tract:*&key=secret-census-key"
            ),
            Reply::ok(pl_reply(county)),
        );
    }
}

fn boundary_routes(routes: &mut Routes) {
    let mut add = |target: String, reply: Reply| route(routes, &target, reply);
    let groups = block_groups();
    let bgs: Vec<_> = groups
        .iter()
        .map(|bg| {
            (
                bg.geoid.clone(),
                format!("Block Group {}", &bg.geoid[11..]),
                square(bg.west, bg.south, bg.west + SIZE, bg.south + SIZE),
            )
        })
        .chain(std::iter::once((
            "510030101001".to_owned(),
            "Block Group 1".to_owned(),
            square(-78.6, 38.0, -78.5, 38.1),
        )))
        .collect();
    add(
        "/tiger/GENZ2022/shp/cb_2022_51_bg_500k.zip".into(),
        Reply::ok(boundary_zip("cb_2022_51_bg_500k", &bgs)),
    );
    let tracts: Vec<_> = groups
        .chunks(2)
        .map(|pair| {
            (
                pair[0].geoid[..11].to_owned(),
                format!("Census Tract {}", &pair[0].geoid[5..11]),
                square(
                    pair[0].west,
                    pair[0].south,
                    pair[1].west + SIZE,
                    pair[0].south + SIZE,
                ),
            )
        })
        .collect();
    add(
        "/tiger/GENZ2022/shp/cb_2022_51_tract_500k.zip".into(),
        Reply::ok(boundary_zip("cb_2022_51_tract_500k", &tracts)),
    );
    let counties: Vec<_> = groups
        .chunks(4)
        .map(|four| {
            (
                four[0].geoid[..5].to_owned(),
                format!(
                    "{} County",
                    if &four[0].geoid[2..5] == "001" {
                        "Accomack"
                    } else {
                        "Northampton"
                    }
                ),
                square(
                    four[0].west,
                    four[0].south,
                    four[3].west + SIZE,
                    four[0].south + SIZE,
                ),
            )
        })
        .chain(std::iter::once((
            "11001".to_owned(),
            "District of Columbia".to_owned(),
            square(-77.1, 38.8, -76.9, 39.0),
        )))
        .collect();
    add(
        "/tiger/GENZ2022/shp/cb_2022_us_county_500k.zip".into(),
        Reply::ok(boundary_zip("cb_2022_us_county_500k", &counties)),
    );
}

/// TIGER/Line blocks: two per block group, each a half of it, with its internal point as
/// TIGER writes it (signed, zero-padded); and one of another county.
fn tiger_routes(routes: &mut Routes) {
    let mut add = |target: String, reply: Reply| route(routes, &target, reply);
    let groups = block_groups();
    let mut blocks: Vec<(Vec<String>, shapefile::Polygon)> = Vec::new();
    for bg in &groups {
        for (k, block) in blocks_of(bg).iter().enumerate() {
            let west = bg.west + SIZE / 2.0 * k as f64;
            let (lat, lon) = (bg.south + SIZE / 2.0, west + SIZE / 4.0);
            blocks.push((
                vec![
                    block.clone(),
                    format!("{lat:+010.7}"),
                    format!("{lon:+012.7}"),
                ],
                square(west, bg.south, west + SIZE / 2.0, bg.south + SIZE),
            ));
        }
    }
    blocks.push((
        vec![
            "510030101001000".into(),
            "+38.0500000".into(),
            "-078.5500000".into(),
        ],
        square(-78.6, 38.0, -78.5, 38.1),
    ));
    add(
        "/tiger/TIGER2020/TABBLOCK20/tl_2020_51_tabblock20.zip".into(),
        Reply::ok(shapefile_zip(
            "tl_2020_51_tabblock20",
            &["GEOID20", "INTPTLAT20", "INTPTLON20"],
            &blocks,
        )),
    );
}

fn ookla_routes(routes: &mut Routes) {
    let mut add = |target: String, reply: Reply| route(routes, &target, reply);
    for quarter in 1..=4u8 {
        let month = (quarter - 1) * 3 + 1;
        add(
            format!(
                "/ookla/type=fixed/year=2022/quarter={quarter}/2022-{month:02}-01_performance_fixed_tiles.parquet"
            ),
            Reply::ok(ookla_parquet(quarter)),
        );
        // The mobile layer: the same tiles and tests, every speed 4 Mbps faster.
        add(
            format!(
                "/ookla/type=mobile/year=2022/quarter={quarter}/2022-{month:02}-01_performance_mobile_tiles.parquet"
            ),
            Reply::ok(ookla_parquet(quarter + 4)),
        );
    }
}

fn bdc_routes(routes: &mut Routes) {
    let mut add = |target: String, reply: Reply| route(routes, &target, reply);
    add(
        "/bdc/map/listAsOfDates".into(),
        Reply::ok(
            r#"{"status":"successful","message":"","status_code":200,"result_count":3,"data":[{"data_type":"availability","as_of_date":"2023-06-30"},{"data_type":"availability","as_of_date":"2023-12-31"},{"data_type":"challenge","as_of_date":"2024-03-31"}]}"#,
        ),
    );
    let files = [
        (
            101,
            "40",
            "Cable",
            "bdc_51_Cable_fixed_broadband_D23_14may2024",
            300,
            20,
        ),
        (
            102,
            "50",
            "Fiber to the Premises",
            "bdc_51_FibertothePremises_fixed_broadband_D23_14may2024",
            1000,
            1000,
        ),
    ];
    let mut listed: Vec<serde_json::Value> = files
        .iter()
        .map(|(id, code, desc, name, _, _)| {
            serde_json::json!({"file_id": id, "category": "State", "subcategory": "Location Coverage",
                "technology_type": "Fixed Broadband", "technology_code": code, "technology_code_desc": desc,
                "speed_tier": null, "state_fips": "51", "state_name": "Virginia", "provider_id": null,
                "provider_name": null, "file_type": "csv", "file_name": name, "record_count": "245"})
        })
        .collect();
    listed.push(serde_json::json!({"file_id": 900, "state_fips": "11", "state_name": "District of Columbia",
        "technology_code": "40", "file_name": "bdc_11_Cable_fixed_broadband_D23_14may2024", "record_count": "9"}));
    add(
        "/bdc/map/downloads/listAvailabilityData/2023-12-31?category=State&subcategory=Location Coverage&technology_type=Fixed Broadband".into(),
        Reply::ok(serde_json::json!({"status": "successful", "message": "", "status_code": 200,
            "result_count": listed.len(), "data": listed}).to_string()),
    );
    for (id, code, _, name, down, up) in files {
        add(
            format!("/bdc/map/downloads/downloadFile/availability/{id}"),
            Reply::ok(bdc_zip(name, code.parse().expect("code"), down, up)),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Running it.

struct Fixture {
    server: Server,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            server: Server::start(routes()),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("va-eastern-shore")
    }

    /// `gapmap fetch` for the two counties, with the BDC credentials or without.
    fn fetch(&self, bdc_credentials: bool, extra: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gapmap"));
        command
            .args([
                "fetch", "--state", "VA", "--county", "001", "--county", "131",
            ])
            .args(["--out", self.out().to_str().expect("utf-8")])
            .args(["--cache", self.cache().to_str().expect("utf-8")])
            .args(extra)
            .env("GAPMAP_CENSUS_API", format!("{}/census", self.server.base))
            .env(
                "GAPMAP_CENSUS_BOUNDARIES",
                format!("{}/tiger", self.server.base),
            )
            .env("GAPMAP_OOKLA", format!("{}/ookla", self.server.base))
            .env("GAPMAP_BDC_API", format!("{}/bdc", self.server.base))
            .env("GAPMAP_BDC_INTERVAL_MS", "0")
            .env("GAPMAP_FETCH_BACKOFF_MS", "1")
            .env("CENSUS_API_KEY", "secret-census-key")
            .env_remove("FCC_BDC_USERNAME")
            .env_remove("FCC_BDC_HASH_VALUE");
        if bdc_credentials {
            command
                .env("FCC_BDC_USERNAME", "planner@example.org")
                .env("FCC_BDC_HASH_VALUE", "secret-bdc-token");
        }
        command.output().expect("the gapmap binary runs")
    }
}

fn ok(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn failed(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    stderr
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(std::fs::read(path).expect("read"));
    digest.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Every file of the fetched folder is in sources.json with its SHA-256 and URL; `extra`
/// sources beyond the two counties' with credentials (the mobile quarters).
fn assert_sources_describe_every_file(out: &Path, extra: usize) {
    let sources: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sources.json")).expect("sources.json"))
            .expect("json");
    let records = sources["sources"].as_array().expect("sources");
    // counties + 3 boundary files + 2 × (6 ACS + 1 PL) + 4 quarters + 2 BDC zips.
    assert_eq!(records.len(), 1 + 3 + 14 + 4 + 2 + extra, "{sources:#}");
    let mut described = 0;
    for record in records {
        for (file, sha) in std::iter::once((&record["file"], &record["sha256"])).chain(
            record["derived"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| (&d["file"], &d["sha256"])),
        ) {
            if let Some(file) = file.as_str() {
                assert_eq!(
                    Some(sha256(&out.join(file)).as_str()),
                    sha.as_str(),
                    "{file}"
                );
                described += 1;
            }
        }
        assert!(
            record["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1"))
        );
        assert!(record["fetched"].as_str().is_some_and(|d| d.ends_with('Z')));
    }
    // Every input file of the folder is described.
    let inputs: Vec<PathBuf> = files_under(out)
        .into_iter()
        .filter(|p| {
            !p.ends_with("gapmap.toml")
                && !p.ends_with("sources.json")
                && !p.ends_with(".gapmap-fetch")
        })
        .collect();
    assert_eq!(described, inputs.len(), "{inputs:?}");
}

/// The keys travel in the requests only, and went where the services document them.
fn assert_keys_sent_and_never_written(fixture: &Fixture) {
    let out = fixture.out();
    // Secrets travel in the request only.
    for path in files_under(&out)
        .into_iter()
        .chain(files_under(&fixture.cache()))
    {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
        assert!(
            !text.contains("secret-census-key") && !text.contains("secret-bdc-token"),
            "{} holds a secret",
            path.display()
        );
    }
    let seen = fixture.server.seen.lock().expect("log").clone();
    assert!(
        seen.iter()
            .all(|s| !s.target.starts_with("/census/")
                || s.target.ends_with("&key=secret-census-key"))
    );
    let bdc: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.target.starts_with("/bdc/"))
        .collect();
    assert_eq!(bdc.len(), 4, "as-of dates, the listing, two files");
    assert!(
        bdc.iter()
            .all(
                |s| s.headers.get("username").map(String::as_str) == Some("planner@example.org")
                    && s.headers.get("hash_value").map(String::as_str) == Some("secret-bdc-token")
            )
    );
    assert!(
        !seen.iter().any(|s| s.target.contains("availability/900")),
        "another state's file"
    );
}

/// What fetch cut, as GDAL (pyogrio) and Arrow read it: the two counties' block groups with
/// their attributes, each quarter's 24 tiles of the area without the one in California.
fn opened_by_gdal_and_arrow(out: &Path) {
    if !crate::util::python_with(
        "python3",
        "pyogrio, pyarrow.parquet",
        "GAPMAP_REQUIRE_SHAPELY",
    ) {
        return;
    }
    let check = r#"
import sys, pyogrio, pyarrow.parquet as pq
folder = sys.argv[1]
info = pyogrio.read_info(folder + "/boundaries/block_group.geojson")
print(info["features"], sorted(info["fields"]), info["geometry_type"])
table = pq.read_table(folder + "/ookla/2022-q1_fixed_tiles.parquet")
print(table.num_rows, table.column_names)
"#;
    let printed = crate::util::python_script("python3", check, out);
    assert_eq!(
        printed.trim(),
        "8 ['GEOID', 'NAMELSAD'] Polygon\n24 ['quadkey', 'avg_d_kbps', 'avg_u_kbps', 'avg_lat_ms', 'tests', 'devices']",
        "{printed}"
    );
}

/// The fetched files configured by hand, file by file: `by-hand.toml`.
fn write_by_hand(out: &Path) {
    // The same files, configured by hand, file by file.
    let listed = |folder: &str| -> String {
        let names: Vec<String> = files_under(&out.join(folder))
            .iter()
            .map(|p| format!("\"{}\"", p.strip_prefix(out).expect("inside").display()))
            .collect();
        format!("[{}]", names.join(", "))
    };
    let by_hand = format!(
        "[area]\nname = \"Accomack County and Northampton County, Virginia\"\nboundaries_source = \"U.S. Census Bureau 2022 cartographic boundary files, 1:500,000\"\n\
         [bdc]\nfiles = {}\nvintage = \"as of 2023-12-31\"\n[acs]\ntables = {}\nvintage = \"2018-2022\"\n\
         [blocks]\nhousing_counts = {}\n[ookla]\ntiles = {}\nperiod = \"2022 Q1–Q4\"\n\
         [affordability]\nmedian_income = \"B19013_001\"\nbrackets = {{ preset = \"B19001\" }}\n\
         [[level]]\nlevel = \"block_group\"\nboundaries = \"boundaries/block_group.geojson\"\nname_field = \"NAMELSAD\"\n\
         [[level]]\nlevel = \"tract\"\nboundaries = \"boundaries/tract.geojson\"\nname_field = \"NAMELSAD\"\n\
         [[level]]\nlevel = \"county\"\nboundaries = \"boundaries/county.geojson\"\nname_field = \"NAMELSAD\"\n",
        listed("bdc"),
        listed("acs"),
        listed("census2020"),
        listed("ookla"),
    );
    std::fs::write(out.join("by-hand.toml"), by_hand).expect("write");
}

// `gapmap fetch` + `gapmap run` give the figures of the same files configured by hand; every
// file is in sources.json with its URL and SHA-256, no secret is written anywhere, and the
// keys went where the services documented them.
#[test]
fn fetch_then_run_gives_the_figures_of_the_same_files_configured_by_hand() {
    let fixture = Fixture::new();
    let stderr = ok(&fixture.fetch(true, &["-q"]));
    let out = fixture.out();

    assert_sources_describe_every_file(&out, 0);
    assert_keys_sent_and_never_written(&fixture);

    // The configuration, as a user reads it.
    let config = std::fs::read_to_string(out.join("gapmap.toml")).expect("gapmap.toml");
    for expected in [
        "name = \"Accomack County and Northampton County, Virginia\"",
        "vintage = \"as of 2023-12-31\"",
        "vintage = \"2018-2022\"",
        "period = \"2022 Q1–Q4\"",
        "boundaries = \"boundaries/county.geojson\"",
    ] {
        assert!(config.contains(expected), "{expected}:\n{config}");
    }
    assert!(!stderr.contains("note:"), "{stderr}");

    opened_by_gdal_and_arrow(&out);
    write_by_hand(&out);
    let (fetched_run, hand_run) = (
        fixture.dir.path().join("run-fetched"),
        fixture.dir.path().join("run-by-hand"),
    );
    crate::util::run_config(&out.join("gapmap.toml"), &fetched_run);
    crate::util::run_config(&out.join("by-hand.toml"), &hand_run);
    for layer in ["block_group", "tract", "county"] {
        let fetched = read_table(&fetched_run.join(format!("{layer}.csv")));
        assert_eq!(
            fetched,
            read_table(&hand_run.join(format!("{layer}.csv"))),
            "{layer}"
        );
        assert_eq!(
            fetched.len(),
            match layer {
                "block_group" => 8,
                "tract" => 4,
                _ => 2,
            },
            "{layer}"
        );
    }
    // Hand-computed figures: 28 residential locations per block group, every one served by
    // cable (300/20); fiber (gigabit) at every other one of the odd block groups.
    let rows = read_table(&fetched_run.join("block_group.csv"));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(crate::util::count(row, "locations"), 28, "{row:?}");
        assert_eq!(crate::util::count(row, "locations_served"), 28, "{row:?}");
        assert_eq!(
            crate::util::count(row, "locations_gigabit"),
            if i % 2 == 1 { 14 } else { 0 },
            "{row:?}"
        );
    }
    let county = read_table(&fetched_run.join("county.csv"));
    assert_eq!(
        county
            .iter()
            .map(|r| crate::util::count(r, "locations"))
            .sum::<u64>(),
        8 * 28
    );
}

// Failures as the services produce them: 429 and 500 are retried (Retry-After respected), a
// cut download is noticed and fetched again, a 404 stops the fetch naming the URL; a cached
// file that changed is caught by its checksum; --offline uses the cache alone.
#[test]
fn failures_are_retried_reported_or_caught_by_their_checksum() {
    let fixture = Fixture::new();
    let counties = "/census/2022/acs/acs5?get=NAME&for=county:*&in=state:51&key=secret-census-key";
    let good_counties = fixture.server.routes.lock().expect("routes")[&decode(counties)][0].clone();
    fixture.server.set(
        counties,
        vec![Reply::status(429), Reply::status(503), good_counties],
    );
    let zip = "/tiger/GENZ2022/shp/cb_2022_51_bg_500k.zip";
    let good_zip = fixture.server.routes.lock().expect("routes")[zip][0].clone();
    let mut cut = good_zip.clone();
    cut.cut = true;
    fixture.server.set(zip, vec![cut, good_zip]);
    let quarter =
        "/ookla/type=fixed/year=2022/quarter=3/2022-07-01_performance_fixed_tiles.parquet";
    let good_quarter = fixture.server.routes.lock().expect("routes")[quarter][0].clone();
    fixture.server.set(quarter, vec![Reply::status(404)]);

    // The 404 stops it, naming the URL and that a rerun resumes.
    let stderr = failed(&fixture.fetch(true, &[]));
    assert!(
        stderr.contains("quarter=3") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
    assert!(
        stderr.contains("running the same command again resumes"),
        "{stderr}"
    );
    assert!(
        !fixture.out().join("gapmap.toml").exists(),
        "no configuration for a fetch that stopped"
    );
    assert_eq!(
        fixture.server.requests_to(counties),
        3,
        "429, 503, then the reply"
    );
    assert_eq!(
        fixture.server.requests_to(zip),
        2,
        "the cut download, then the whole"
    );
    assert!(stderr.contains("cut short"), "{stderr}");

    // Once the quarter is there, the rerun takes the rest from the cache.
    fixture.server.set(quarter, vec![good_quarter]);
    ok(&fixture.fetch(true, &["-q"]));
    assert_eq!(fixture.server.requests_to(counties), 3);
    assert_eq!(fixture.server.requests_to(zip), 2);
    assert_eq!(fixture.server.requests_to(quarter), 2);

    // A cached file cut short on disk: --offline refuses it; online, it is fetched again.
    let cached = files_under(&fixture.cache())
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with("cb_2022_51_bg_500k.zip"))
        .expect("the zip in the cache");
    let bytes = std::fs::read(&cached).expect("read");
    std::fs::write(&cached, &bytes[..bytes.len() / 2]).expect("cut");
    let stderr = failed(&fixture.fetch(true, &["--offline"]));
    assert!(
        stderr.contains("damaged") && stderr.contains("cb_2022_51_bg_500k.zip"),
        "{stderr}"
    );
    ok(&fixture.fetch(true, &["-q"]));
    assert_eq!(fixture.server.requests_to(zip), 3);
    assert_eq!(std::fs::read(&cached).expect("read"), bytes);

    // --offline with an intact cache sends nothing (the BDC listings too: their last copy); with
    // an empty cache it says what is missing.
    let before = fixture.server.seen.lock().expect("log").len();
    let output = fixture.fetch(true, &["--offline", "-q"]);
    ok(&output);
    assert_eq!(fixture.server.seen.lock().expect("log").len(), before);
    std::fs::remove_dir_all(fixture.cache()).expect("empty the cache");
    let stderr = failed(&fixture.fetch(true, &["--offline"]));
    assert!(
        stderr.contains("is not in the cache") && stderr.contains("without --offline"),
        "{stderr}"
    );
}

// Without FCC credentials everything else is fetched, the configuration runs, and the user is
// told how to get the credentials or the files; a wrong state or county is a clear error.
#[test]
fn without_bdc_credentials_the_rest_is_fetched_and_the_way_to_the_files_is_said() {
    let fixture = Fixture::new();
    let stderr = ok(&fixture.fetch(false, &["--skip", "ookla"]));
    for expected in [
        "FCC_BDC_USERNAME",
        "FCC_BDC_HASH_VALUE",
        "Manage API Access",
        "data-download",
        "bdc_51_",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(
        !fixture
            .server
            .seen
            .lock()
            .expect("log")
            .iter()
            .any(|s| s.target.starts_with("/bdc/"))
    );
    let config = std::fs::read_to_string(fixture.out().join("gapmap.toml")).expect("toml");
    assert!(
        config.contains("# [bdc]") && !config.contains("\n[bdc]") && !config.contains("[ookla]"),
        "{config}"
    );
    let output = crate::util::gapmap(&[
        "check",
        "--config",
        fixture.out().join("gapmap.toml").to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(["fetch", "--state", "XX", "--out"])
        .arg(fixture.dir.path().join("x"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("`XX` is not a state") && stderr.contains("VA"),
        "{stderr}"
    );
    let stderr = failed(&fixture.fetch(false, &["--county", "999"]));
    assert!(
        stderr.contains("county 999 is not a county of Virginia")
            && stderr.contains("001 (Accomack County)"),
        "{stderr}"
    );
}

// A whole state: one query per table for every county (`county:*`, which the Census Data API
// takes for block groups since the 2013–2017 ACS), every feature of the state's boundary files.
#[test]
fn a_whole_state_is_one_query_per_table() {
    let fixture = Fixture::new();
    let whole = fixture.dir.path().join("virginia");
    let before = fixture.server.seen.lock().expect("log").len();
    let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args([
            "-q", "fetch", "--state", "Virginia", "--skip", "ookla", "--skip", "bdc",
        ])
        .args(["--out", whole.to_str().expect("utf-8")])
        .args(["--cache", fixture.cache().to_str().expect("utf-8")])
        .env(
            "GAPMAP_CENSUS_API",
            format!("{}/census", fixture.server.base),
        )
        .env(
            "GAPMAP_CENSUS_BOUNDARIES",
            format!("{}/tiger", fixture.server.base),
        )
        .env("CENSUS_API_KEY", "secret-census-key")
        .output()
        .expect("runs");
    ok(&output);
    let census: Vec<String> = fixture.server.seen.lock().expect("log")[before..]
        .iter()
        .filter(|s| s.target.starts_with("/census/"))
        .map(|s| s.target.clone())
        .collect();
    assert_eq!(census.len(), 1 + 6 + 1, "{census:#?}");
    assert!(
        census[1..].iter().all(|t| t.contains("in=county:*")),
        "{census:#?}"
    );
    let config = std::fs::read_to_string(whole.join("gapmap.toml")).expect("toml");
    assert!(config.contains("name = \"Virginia\""), "{config}");
    assert!(
        whole.join("acs/B28002_51.json").exists() && whole.join("census2020/H1_51.json").exists()
    );
    let layer: serde_json::Value = serde_json::from_slice(
        &std::fs::read(whole.join("boundaries/block_group.geojson")).expect("layer"),
    )
    .expect("json");
    assert_eq!(
        layer["features"].as_array().map(Vec::len),
        Some(9),
        "with Albemarle's"
    );
    let output = crate::util::gapmap(&[
        "check",
        "--config",
        whole.join("gapmap.toml").to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

// A new fetch into a fetched folder replaces what the earlier one wrote (another quarter's
// tiles are not left for the folder in gapmap.toml to read); a folder of the user's is never
// written into; a fetch that stops leaves no configuration to run, and can be run again.
#[test]
fn a_refetch_replaces_what_the_earlier_fetch_wrote_and_a_users_folder_is_refused() {
    let fixture = Fixture::new();
    ok(&fixture.fetch(false, &["-q"]));
    let quarters = |out: &Path| files_under(&out.join("ookla")).len();
    assert_eq!(quarters(&fixture.out()), 4);
    // Hand-downloaded BDC files stay when this fetch fetches none.
    std::fs::create_dir_all(fixture.out().join("bdc")).expect("bdc folder");
    std::fs::write(fixture.out().join("bdc/by-hand.zip"), b"user's").expect("write");

    ok(&fixture.fetch(false, &["-q", "--quarter", "2022Q1"]));
    assert_eq!(quarters(&fixture.out()), 1);
    let config = std::fs::read_to_string(fixture.out().join("gapmap.toml")).expect("toml");
    assert!(config.contains("period = \"2022 Q1\""), "{config}");
    assert!(fixture.out().join("bdc/by-hand.zip").exists());

    // Stopped half-way (a quarter not published yet): no configuration is left; once it is
    // there, the rerun completes.
    let args = ["--quarter", "2022Q1", "--quarter", "2023Q1"];
    let stderr = failed(&fixture.fetch(false, &args));
    assert!(
        stderr.contains("year=2023/quarter=1") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
    assert!(!fixture.out().join("gapmap.toml").exists());
    let published = fixture.server.routes.lock().expect("routes")
        ["/ookla/type=fixed/year=2022/quarter=1/2022-01-01_performance_fixed_tiles.parquet"][0]
        .clone();
    fixture.server.set(
        "/ookla/type=fixed/year=2023/quarter=1/2023-01-01_performance_fixed_tiles.parquet",
        vec![published],
    );
    ok(&fixture.fetch(false, &args));
    assert_eq!(quarters(&fixture.out()), 2);
    let config = std::fs::read_to_string(fixture.out().join("gapmap.toml")).expect("toml");
    assert!(config.contains("period = \"2022 Q1, 2023 Q1\""), "{config}");

    // A folder of the user's.
    let mine = fixture.dir.path().join("mine");
    std::fs::create_dir(&mine).expect("folder");
    std::fs::write(mine.join("notes.txt"), b"mine").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args([
            "fetch",
            "--state",
            "VA",
            "--county",
            "001",
            "--offline",
            "--out",
        ])
        .arg(&mine)
        .args(["--cache", fixture.cache().to_str().expect("utf-8")])
        .output()
        .expect("runs");
    let stderr = failed(&output);
    assert!(stderr.contains("not written by `gapmap fetch`"), "{stderr}");
    assert_eq!(std::fs::read_dir(&mine).expect("folder").count(), 1);
}

// `--block-points`: the counties' 2020 block internal points from the state's TIGER/Line
// blocks, written as published; a layer of the user's districts is then apportioned through
// blocks, every location whole in the district holding its block's point.
#[test]
fn block_points_place_a_layer_of_the_users_districts_through_blocks() {
    let fixture = Fixture::new();
    ok(&fixture.fetch(true, &["-q", "--skip", "ookla", "--block-points"]));
    let out = fixture.out();
    let points = std::fs::read_to_string(out.join("blocks/points_51.csv")).expect("points");
    let mut lines = points.lines();
    assert_eq!(lines.next(), Some("GEOID20,INTPTLAT20,INTPTLON20"));
    assert_eq!(
        lines.next(),
        Some("510010901001000,+37.7500000,-075.8750000")
    );
    assert_eq!(
        points.lines().count(),
        1 + 16,
        "the third county's block is cut: {points}"
    );
    let mut config = std::fs::read_to_string(out.join("gapmap.toml")).expect("toml");
    assert!(
        config.contains("points = { file = \"blocks/points_51.csv\" }"),
        "{config}"
    );

    // Accomack's west and east halves, as a city would draw them.
    let half = |id: &str, west: f64| {
        serde_json::json!({"type": "Feature", "properties": {"id": id},
            "geometry": {"type": "Polygon", "coordinates": [[[west, 37.7], [west + 0.2, 37.7],
                [west + 0.2, 37.8], [west, 37.8], [west, 37.7]]]}})
    };
    let layer = serde_json::json!({"type": "FeatureCollection",
        "features": [half("W", -75.9), half("E", -75.7)]});
    std::fs::write(out.join("halves.geojson"), layer.to_string()).expect("layer");
    config.push_str(
        "\n[[layer]]\nname = \"half\"\nboundaries = \"halves.geojson\"\nid_field = \"id\"\napportion_from = \"block_group\"\nlicense = \"synthetic\"\n",
    );
    std::fs::write(out.join("with-halves.toml"), config).expect("config");
    let run = fixture.dir.path().join("run");
    crate::util::run_config(&out.join("with-halves.toml"), &run);
    let rows = read_table(&run.join("half.csv"));
    let locations: Vec<(String, u64)> = rows
        .iter()
        .map(|r| (r["geoid"].clone(), crate::util::count(r, "locations")))
        .collect();
    assert_eq!(locations, [("E".to_owned(), 56), ("W".to_owned(), 56)]);
    let metadata = std::fs::read_to_string(run.join("metadata.json")).expect("metadata");
    assert!(
        metadata.contains("block points (METHOD.md §6)"),
        "{metadata}"
    );
}

// An error page answered with 200 (the Census API's reply to an invalid key) is refused and
// not kept; credentials the BDC API refuses are named.
#[test]
fn a_reply_that_is_not_the_services_is_refused_and_not_kept() {
    let fixture = Fixture::new();
    let counties = "/census/2022/acs/acs5?get=NAME&for=county:*&in=state:51&key=secret-census-key";
    let good = fixture.server.routes.lock().expect("routes")[&decode(counties)][0].clone();
    fixture.server.set(
        counties,
        vec![Reply::ok("<html><body>Invalid Key</body></html>")],
    );
    let stderr = failed(&fixture.fetch(true, &[]));
    assert!(
        stderr.contains("not the Census Data API's JSON") && stderr.contains("CENSUS_API_KEY"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret-census-key"), "{stderr}");
    fixture.server.set(counties, vec![good]);
    fixture
        .server
        .set("/bdc/map/listAsOfDates", vec![Reply::status(401)]);
    let stderr = failed(&fixture.fetch(true, &[]));
    assert_eq!(
        fixture.server.requests_to(counties),
        2,
        "the error page was not kept"
    );
    assert!(
        stderr.contains("HTTP 401") && stderr.contains("FCC_BDC_USERNAME"),
        "{stderr}"
    );
}

// `--mobile`: Ookla's mobile tiles of the same quarters, in a folder of their own and read
// beside the fixed ones (`mobile_tiles`); a refetch without it removes them.
#[test]
fn mobile_tiles_are_fetched_beside_the_fixed_ones_and_published_apart() {
    let fixture = Fixture::new();
    ok(&fixture.fetch(true, &["-q", "--mobile"]));
    let out = fixture.out();
    assert_eq!(files_under(&out.join("ookla_mobile")).len(), 4);
    // The four fixed quarters, then the four mobile ones.
    assert_sources_describe_every_file(&out, 4);
    let config = std::fs::read_to_string(out.join("gapmap.toml")).expect("gapmap.toml");
    assert!(
        config.contains("mobile_tiles = [\"ookla_mobile\"]"),
        "{config}"
    );
    let run = fixture.dir.path().join("run");
    crate::util::run_config(&out.join("gapmap.toml"), &run);
    // The same tiles and tests in both layers, every mobile speed 4 Mbps above the fixed one.
    let rows = read_table(&run.join("block_group.csv"));
    assert_eq!(rows.len(), 8);
    for row in &rows {
        assert_eq!(row["mobile_speed_tests"], row["speed_tests"], "{row:?}");
        let (fixed, mobile): (f64, f64) = (
            row["speed_mean_down_mbps"].parse().expect("fixed mean"),
            row["mobile_speed_mean_down_mbps"]
                .parse()
                .expect("mobile mean"),
        );
        assert!((mobile - fixed - 4.0).abs() < 1e-9, "{row:?}");
    }
    assert!(run.join("block_group.mobile_quarters.csv").is_file());
    // Without --mobile, a refetch leaves no mobile tiles to be read through the folder.
    ok(&fixture.fetch(true, &["-q"]));
    assert!(
        !out.join("ookla_mobile").exists() || files_under(&out.join("ookla_mobile")).is_empty(),
        "mobile tiles of the earlier fetch left"
    );
    let config = std::fs::read_to_string(out.join("gapmap.toml")).expect("gapmap.toml");
    assert!(!config.contains("mobile_tiles"), "{config}");
    let stderr = failed(&fixture.fetch(true, &["--mobile", "--skip", "ookla"]));
    assert!(stderr.contains("--skip ookla"), "{stderr}");
}
