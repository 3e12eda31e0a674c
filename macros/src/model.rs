//! [`Plan`]: everything the expansion needs, checked and with defaults
//! resolved, so that expanding cannot fail.

use proc_macro2::Ident;
use syn::{Expr, LitStr};

use crate::args::{Capture, ErrMode, ExtraAttr, Format, SpanKind};
use crate::item::{AsyncTraitBody, TracedFn};

pub struct Plan {
    pub function: TracedFn,
    pub span_name: LitStr,
    pub kind: SpanKind,
    /// The instrumentation scope; `None` means the annotated crate's name and
    /// version.
    pub tracer: Option<LitStr>,
    pub captures: Vec<Capture>,
    pub extras: Vec<ExtraAttr>,
    pub err: ErrMode,
    /// `ret`, with the token that asked for it (failures to format the value
    /// are reported there).
    pub ret: Option<(Ident, Format)>,
    pub parent: ParentChoice,
    pub shape: Shape,
    pub line: u32,
}

pub enum ParentChoice {
    Current,
    Root,
    Explicit(Expr),
}

pub enum Shape {
    Sync,
    Async,
    /// An `async fn` already rewritten by `#[async_trait]`.
    AsyncTrait(Box<AsyncTraitBody>),
}
