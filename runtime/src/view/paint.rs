//! Colours: what each part of a waterfall is painted with when colour is on.

/// How a segment is drawn when colour is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paint {
    Plain,
    Bold,
    Dim,
    /// Failed spans.
    Red,
    /// The slowest span of the critical path.
    Yellow,
    /// A service's own colour, an SGR foreground code.
    Service(u8),
}

impl Paint {
    pub(crate) fn sgr(self) -> Option<u8> {
        match self {
            Paint::Plain => None,
            Paint::Bold => Some(1),
            Paint::Dim => Some(2),
            Paint::Red => Some(31),
            Paint::Yellow => Some(33),
            Paint::Service(code) => Some(code),
        }
    }
}

/// Service colours; red and yellow are kept for failures and the slowest
/// span.
const PALETTE: [u8; 6] = [36, 32, 35, 34, 96, 95];

/// A service's colour, from its name alone, so a service keeps its colour
/// across traces, runs and programs.
pub(crate) fn service(name: &str) -> Paint {
    // FNV-1a: tiny, and unlike std's hasher the same in every process.
    let hash = name.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    Paint::Service(PALETTE[hash as usize % PALETTE.len()])
}
