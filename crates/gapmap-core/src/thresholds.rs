//! The configurable thresholds of the method, with METHOD.md's defaults.

use serde::{Deserialize, Serialize};

use crate::{CoreError, Technology};

/// A download/upload pair in Mbps; both bounds are inclusive (METHOD.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedThreshold {
    /// Minimum download speed, Mbps.
    pub download: f64,
    /// Minimum upload speed, Mbps.
    pub upload: f64,
}

impl SpeedThreshold {
    /// A threshold of `download`/`upload` Mbps.
    pub const fn new(download: f64, upload: f64) -> Self {
        Self { download, upload }
    }

    /// Whether a measured or advertised pair meets this threshold (both inclusive).
    pub fn is_met_by(&self, download: f64, upload: f64) -> bool {
        download >= self.download && upload >= self.upload
    }
}

/// Every threshold of METHOD.md §2 and §5; a run echoes the values it used in its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Served tier: 100/20 Mbps.
    pub served: SpeedThreshold,
    /// Underserved tier: 25/3 Mbps.
    pub underserved: SpeedThreshold,
    /// The FCC long-term goal, reported as `locations_gigabit`: 1000/500 Mbps.
    pub gigabit: SpeedThreshold,
    /// Technology codes that can make a location served or underserved: 10, 40, 50, 71, 72.
    pub reliable_technologies: Vec<u16>,
    /// Whether a row needs `low_latency` = 1 to qualify (BEAD: yes).
    pub require_low_latency: bool,
    /// A tile is slow when its mean download or upload is below this: 25/3 Mbps (§5).
    pub slow_tile: SpeedThreshold,
    /// Districts with fewer speed tests get no speed figures (§5, Ookla's guidance): 50.
    pub min_speed_tests: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            served: SpeedThreshold::new(100.0, 20.0),
            underserved: SpeedThreshold::new(25.0, 3.0),
            gigabit: SpeedThreshold::new(1000.0, 500.0),
            reliable_technologies: Technology::RELIABLE_DEFAULT.to_vec(),
            require_low_latency: true,
            slow_tile: SpeedThreshold::new(25.0, 3.0),
            min_speed_tests: 50,
        }
    }
}

impl Thresholds {
    /// Refuses thresholds that would make the tiers meaningless.
    pub fn validate(&self) -> Result<(), CoreError> {
        for (name, t) in [
            ("served", self.served),
            ("underserved", self.underserved),
            ("gigabit", self.gigabit),
            ("slow_tile", self.slow_tile),
        ] {
            if !(t.download.is_finite()
                && t.upload.is_finite()
                && t.download >= 0.0
                && t.upload >= 0.0)
            {
                return Err(CoreError::InvalidThreshold {
                    name,
                    reason: format!(
                        "speeds must be finite and non-negative, got {}/{}",
                        t.download, t.upload
                    ),
                });
            }
        }
        if self.underserved.download > self.served.download
            || self.underserved.upload > self.served.upload
        {
            return Err(CoreError::InvalidThreshold {
                name: "underserved",
                reason: "the underserved tier must not be faster than the served tier".into(),
            });
        }
        Ok(())
    }

    /// Whether `technology` may make a location served or underserved.
    pub fn is_reliable(&self, technology: Technology) -> bool {
        self.reliable_technologies.contains(&technology.0)
    }
}

/// Weights of the need-index components (METHOD.md §7): equal by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeedWeights {
    /// Share of locations not served.
    pub not_served: f64,
    /// Share of households without broadband.
    pub without_broadband: f64,
    /// Share of households for whom broadband is unaffordable.
    pub unaffordable: f64,
    /// Share of tests in slow tiles.
    pub slow_tests: f64,
    /// Share of residents in poverty (a layer's attribute table, METHOD.md §10).
    pub poverty: f64,
}

impl NeedWeights {
    /// Checks the weights: each finite and 0 or more, and not all 0 (METHOD.md §7 divides by
    /// their sum over the available components).
    pub fn validate(&self) -> Result<(), CoreError> {
        let weights = [
            ("not_served", self.not_served),
            ("without_broadband", self.without_broadband),
            ("unaffordable", self.unaffordable),
            ("slow_tests", self.slow_tests),
            ("poverty", self.poverty),
        ];
        for (name, weight) in weights {
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(CoreError::InvalidThreshold {
                    name,
                    reason: format!(
                        "a need weight is a finite number, 0 or more (0 leaves the component out); got {weight}"
                    ),
                });
            }
        }
        if weights.iter().all(|(_, w)| *w == 0.0) {
            return Err(CoreError::InvalidThreshold {
                name: "need_weights",
                reason: "every weight is 0: give at least one component a positive weight".into(),
            });
        }
        Ok(())
    }
}

impl Default for NeedWeights {
    fn default() -> Self {
        Self {
            not_served: 1.0,
            without_broadband: 1.0,
            unaffordable: 1.0,
            slow_tests: 1.0,
            poverty: 1.0,
        }
    }
}
