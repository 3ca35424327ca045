//! What a command did, as `--json` prints it on stdout: the files written, each layer's
//! districts and how many were withheld, the warnings and the inputs — or the error and its
//! exit status.

use gapmap::{Config, Inputs, Results};
use gapmap_export::InputFile;
use serde::Serialize;

/// A finished `run`, `demo` or `check`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `ok`.
    pub status: &'static str,
    /// The command (`run`, `demo`, `check`).
    pub command: &'static str,
    /// The configuration file.
    pub config: String,
    /// The area's name.
    pub area: String,
    /// The output folder (`run`, `demo`).
    pub out: Option<String>,
    /// Seconds from start to end.
    pub duration_s: f64,
    /// The files written, in order.
    pub files: Vec<String>,
    /// Per layer: districts, and those withheld (METHOD.md §8).
    pub layers: Vec<LayerReport>,
    /// What the run found worth saying.
    pub warnings: Vec<String>,
    /// Every input read, with its SHA-256.
    pub inputs: Vec<InputFile>,
}

/// One layer's counts.
#[derive(Debug, Serialize)]
pub struct LayerReport {
    /// The layer's name.
    pub name: String,
    /// Its districts.
    pub districts: usize,
    /// Withheld as small.
    pub withheld_small: usize,
    /// Withheld to protect the small ones.
    pub withheld_complementary: usize,
}

impl Report {
    /// The report of a command over `config`, before its layers and files are known.
    pub fn new(command: &'static str, config: &Config, inputs: &Inputs) -> Report {
        Report {
            status: "ok",
            command,
            config: config.path.display().to_string(),
            area: config.settings.area.name.clone(),
            out: None,
            duration_s: 0.0,
            files: Vec::new(),
            layers: Vec::new(),
            warnings: inputs.warnings.clone(),
            inputs: inputs.files.clone(),
        }
    }

    /// Adds the computed layers and every warning.
    pub fn with_results(mut self, results: &Results) -> Report {
        self.layers = results
            .run
            .layers
            .iter()
            .map(|layer| LayerReport {
                name: layer.result.name.clone(),
                districts: layer.result.rows.len(),
                withheld_small: layer.withheld.primary,
                withheld_complementary: layer.withheld.complementary,
            })
            .collect();
        self.warnings.clone_from(&results.warnings);
        self
    }
}

/// An error as `--json` prints it: the message, its causes, the exit status.
pub fn error_json(error: &anyhow::Error, exit_code: u8) -> serde_json::Value {
    serde_json::json!({
        "status": "error",
        "exit_code": exit_code,
        "error": error.to_string(),
        "causes": error.chain().skip(1).map(ToString::to_string).collect::<Vec<_>>(),
    })
}
