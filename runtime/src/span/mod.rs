//! The span of one traced call: started with its attributes, current while
//! the body runs, failed by an `Err` or a panic, ended exactly once.

pub(crate) mod attributes;
mod error_text;
pub(crate) mod future;
pub(crate) mod guard;
pub(crate) mod outcome;
pub(crate) mod parent;
pub(crate) mod record;
mod start;
