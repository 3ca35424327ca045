//! FCC BDC technology codes (METHOD.md §2).

use std::fmt;

/// A technology code of the FCC availability files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Technology(pub u16);

impl Technology {
    /// The codes the FCC publishes, with their names.
    pub const KNOWN: [(u16, &'static str); 9] = [
        (0, "other"),
        (10, "copper (DSL)"),
        (40, "cable"),
        (50, "fiber to the premises"),
        (60, "GSO satellite"),
        (61, "non-GSO satellite"),
        (70, "unlicensed fixed wireless"),
        (71, "licensed fixed wireless"),
        (72, "licensed-by-rule fixed wireless"),
    ];

    /// METHOD.md §2: the BEAD-reliable technologies by default.
    pub const RELIABLE_DEFAULT: [u16; 5] = [10, 40, 50, 71, 72];

    /// The code's name, or `None` for a code the FCC does not publish.
    pub fn name(self) -> Option<&'static str> {
        Self::KNOWN
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, name)| *name)
    }
}

/// Technologies grouped as the output counts them (`locations_best_<group>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TechnologyGroup {
    /// 50.
    Fiber,
    /// 40.
    Cable,
    /// 10.
    Copper,
    /// 71, 72.
    LicensedWireless,
    /// 70.
    UnlicensedWireless,
    /// 60, 61.
    Satellite,
    /// 0 and codes the FCC does not publish.
    Other,
}

impl TechnologyGroup {
    /// Every group, in output order.
    pub const ALL: [TechnologyGroup; 7] = [
        TechnologyGroup::Fiber,
        TechnologyGroup::Cable,
        TechnologyGroup::Copper,
        TechnologyGroup::LicensedWireless,
        TechnologyGroup::UnlicensedWireless,
        TechnologyGroup::Satellite,
        TechnologyGroup::Other,
    ];

    /// The output field counting locations whose best offer is of this group.
    pub const fn field(self) -> &'static str {
        match self {
            TechnologyGroup::Fiber => "locations_best_fiber",
            TechnologyGroup::Cable => "locations_best_cable",
            TechnologyGroup::Copper => "locations_best_copper",
            TechnologyGroup::LicensedWireless => "locations_best_licensed_wireless",
            TechnologyGroup::UnlicensedWireless => "locations_best_unlicensed_wireless",
            TechnologyGroup::Satellite => "locations_best_satellite",
            TechnologyGroup::Other => "locations_best_other",
        }
    }
}

impl Technology {
    /// The group this code is counted in.
    pub const fn group(self) -> TechnologyGroup {
        match self.0 {
            50 => TechnologyGroup::Fiber,
            40 => TechnologyGroup::Cable,
            10 => TechnologyGroup::Copper,
            71 | 72 => TechnologyGroup::LicensedWireless,
            70 => TechnologyGroup::UnlicensedWireless,
            60 | 61 => TechnologyGroup::Satellite,
            _ => TechnologyGroup::Other,
        }
    }
}

impl fmt::Display for Technology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{} (unknown)", self.0),
        }
    }
}
