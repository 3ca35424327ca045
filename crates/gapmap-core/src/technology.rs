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

impl fmt::Display for Technology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{} (unknown)", self.0),
        }
    }
}
