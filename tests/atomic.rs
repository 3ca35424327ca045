//! A package appears all at once: `kill -9` in the middle of a run leaves the previous package
//! exactly as it was, and the next run cleans up after the killed one (issue #7).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{files, gapmap, root};

fn demo(out: &Path, share: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gapmap"));
    command
        .args(["demo", "--affordability-share", share, "--out"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// How many files are in `dir` and its folders (names only; nothing is read).
fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    count(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

/// Files in the staging folders beside `out`.
fn staged(parent: &Path) -> usize {
    std::fs::read_dir(parent)
        .expect("parent")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".gapmap-"))
        .map(|e| count(&e.path()))
        .sum()
}

#[test]
fn kill_9_in_the_middle_of_a_run_leaves_the_previous_package_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("package");
    assert!(demo(&out, "0.02").status().expect("runs").success());
    let before = files(&out);
    assert!(before.len() > 90);

    // A run with another share writes different tables; kill it once it has written some.
    let mut child = demo(&out, "0.05").spawn().expect("spawns");
    let started = Instant::now();
    let mut killed_at = 0;
    while started.elapsed() < Duration::from_secs(120) {
        killed_at = staged(dir.path());
        if killed_at >= 10 {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(killed_at >= 10, "killed after {killed_at} staged files");
    let after = files(&out);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(&after[path] == bytes, "{path:?} changed");
    }

    // The next run completes, replaces the package and removes the killed run's staging folder.
    assert!(demo(&out, "0.05").status().expect("runs").success());
    let replaced = files(&out);
    assert_ne!(
        replaced[Path::new("ward.csv")],
        before[Path::new("ward.csv")]
    );
    assert_eq!(staged(dir.path()), 0, "staging folders left behind");
    let leftovers: Vec<_> = replaced
        .keys()
        .filter(|p| p.to_string_lossy().contains(".gapmap-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_folder_gapmap_did_not_write_is_never_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mine = dir.path().join("my-documents");
    std::fs::create_dir(&mine).expect("folder");
    std::fs::write(mine.join("thesis.docx"), "precious").expect("file");
    let output = gapmap(&["demo", "--out", mine.to_str().expect("utf-8")]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("my-documents") && stderr.contains("did not write"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("thesis.docx")).expect("kept"),
        "precious"
    );
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("file");
    let output = gapmap(&["demo", "--out", file.to_str().expect("utf-8")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a file"));
}

/// A quick run of the Maui demo into `out`.
fn maui(out: &Path) -> std::process::Output {
    gapmap(&[
        "demo",
        "--area",
        "maui",
        "--out",
        out.to_str().expect("utf-8"),
    ])
}

// Regression (issue #12): a file a user put inside a package folder was deleted by the next
// run without a word.
#[test]
fn a_file_added_to_a_package_stops_the_next_run_and_survives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("package");
    assert!(maui(&out).status.success());
    std::fs::write(out.join("my notes.txt"), "council meeting, 3 March").expect("notes");
    let second = maui(&out);
    assert_eq!(second.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("my notes.txt") && stderr.contains("move them out"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("my notes.txt")).expect("still there"),
        "council meeting, 3 March"
    );
    std::fs::remove_file(out.join("my notes.txt")).expect("remove");
    assert!(
        maui(&out).status.success(),
        "a package gapmap wrote is replaced"
    );
}

// Regression (issue #12): an --out that is a symlink was replaced by a folder.
#[cfg(unix)]
#[test]
fn an_out_that_is_a_symlink_stays_a_symlink_to_the_new_package() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("published/2026");
    std::fs::create_dir_all(&target).expect("target");
    let link = dir.path().join("current");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    assert!(maui(&link).status.success());
    assert!(
        maui(&link).status.success(),
        "and again over the previous package"
    );
    assert!(link.is_symlink(), "the link is still a link");
    assert!(
        target.join("datapackage.json").is_file(),
        "the package is in the target"
    );
}
