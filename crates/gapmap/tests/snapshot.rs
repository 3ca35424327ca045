//! A BDC read handed to later runs (issue #13: a batch reads its jobs' BDC files once): used
//! when it is of the configuration's files as they are now, else the files are read again.

use std::path::Path;
use std::time::Duration;

use gapmap::{BdcSnapshot, Config, Inputs, load_with_bdc, read_bdc_snapshot};

fn dc() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/dc/gapmap.toml");
    Config::load(path).expect("the DC configuration")
}

fn residential_locations(inputs: &Inputs) -> usize {
    inputs
        .locations
        .as_ref()
        .expect("BDC locations")
        .1
        .locations
}

#[test]
fn a_snapshot_of_the_same_files_is_used_and_any_other_is_not() {
    let config = dc();
    let snapshot: BdcSnapshot = read_bdc_snapshot(&config, &|_| {})
        .expect("read")
        .expect("DC has BDC files");
    assert_eq!(snapshot.stats.locations, 34_858);
    assert_eq!(snapshot.inputs.len(), 7);
    assert!(snapshot.inputs.iter().all(|i| i.sha256.len() == 64));

    // Read from the snapshot, the inputs are those of a run that reads the files: the same
    // locations and tiers, and the same files with the same hashes in the same order.
    let read = gapmap::load(&config).expect("load");
    let given = load_with_bdc(&config, &|_| {}, Some(snapshot.clone())).expect("load");
    assert_eq!(given.availability, read.availability);
    assert_eq!(given.locations, read.locations);
    assert_eq!(given.files, read.files);

    // The snapshot really is what a run takes: one that says there are no locations is
    // believed while it is of the same files as they are now…
    let mut emptied = snapshot.clone();
    emptied.availability.locations.clear();
    emptied.stats.locations = 0;
    let believed = load_with_bdc(&config, &|_| {}, Some(emptied.clone())).expect("load");
    assert_eq!(residential_locations(&believed), 0);
    // …and not once a file has changed since (another modification time), or when it is of
    // other files (one left out, or in another order).
    let mut changed = emptied.clone();
    changed.inputs[3].modified -= Duration::from_secs(1);
    let mut fewer = emptied.clone();
    fewer.inputs.pop();
    let mut reordered = emptied;
    reordered.inputs.swap(0, 1);
    for stale in [changed, fewer, reordered] {
        let inputs = load_with_bdc(&config, &|_| {}, Some(stale)).expect("load");
        assert_eq!(residential_locations(&inputs), 34_858);
        assert_eq!(inputs.files, read.files);
    }
}
