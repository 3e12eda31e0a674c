//! Functions traced under this crate's `[package.metadata.traced]`
//! defaults (`err = "type"`, `tracer = "billing"`, `prefix = "billing::"`).

use std::fmt;

use traced::traced;

#[derive(Debug)]
pub struct Declined(pub String);

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "declined for {}", self.0)
    }
}

/// Takes every default.
#[traced]
pub fn charge(card: &str) -> Result<u64, Declined> {
    Err(Declined(card.to_owned()))
}

/// Its own options win: `err`, `tracer` and an explicit `name`.
#[traced(err = display, tracer = "payments", name = "refund")]
pub fn refund(card: &str) -> Result<u64, Declined> {
    Err(Declined(card.to_owned()))
}

pub struct Ledger;

#[traced]
impl Ledger {
    pub fn post(&self, amount: u64) -> Result<u64, Declined> {
        if amount == 0 {
            Err(Declined("zero".to_owned()))
        } else {
            Ok(amount)
        }
    }
}
