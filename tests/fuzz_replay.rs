//! Every input of the fuzz corpora (`fuzz/corpus/<target>/`: the seeds and what fuzzing kept,
//! crashes it found included once fixed) runs through its target's body here, in the normal
//! test suite: a fuzz smoke run that needs no instrumented build.

#[path = "../fuzz/src/bodies.rs"]
mod bodies;

use crate::util::root;

#[test]
fn every_fuzz_corpus_input_runs_through_its_target() {
    let mut total = 0;
    for (target, body) in bodies::TARGETS {
        let folder = root().join("fuzz/corpus").join(target);
        let mut inputs: Vec<_> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "{target} has no corpus");
        for input in &inputs {
            // A fuzzer running beside the tests replaces inputs as it reduces them.
            let Ok(bytes) = std::fs::read(input) else {
                continue;
            };
            body(&bytes);
        }
        total += inputs.len();
    }
    assert!(total >= 7, "{total} inputs");
}
