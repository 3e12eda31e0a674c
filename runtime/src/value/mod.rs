//! How values become attributes: `ToAttribute`, bounded panic-safe text,
//! and `Secret`.

pub(crate) mod secret;
pub(crate) mod text;
mod to_attribute;

pub use to_attribute::ToAttribute;
