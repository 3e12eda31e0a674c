//! `traced::record!`: attributes set on the current span from a body.

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt as _;

use super::attributes::{Attributes, Target, record_guarded};

/// `traced::record!`: sets the attributes on the current span, whoever made
/// it, if it is recording; otherwise `attributes` is not run.
pub fn record_current(attributes: impl Fn(&mut Attributes<'_>)) {
    // A clone, not `Context::map_current`: the values are user code, which
    // may itself attach a context.
    let cx = Context::current();
    let span = cx.span();
    if span.is_recording() {
        record_guarded(&mut Attributes(Target::Current(&span)), &attributes);
    }
}
