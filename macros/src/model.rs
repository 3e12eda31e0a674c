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
    pub function_name: FunctionName,
    /// `init` on `main`: install the pipeline before the span, flush after.
    pub init: bool,
    /// `traced::__private` as the expansion names it (`crate = path`).
    pub private: proc_macro2::TokenStream,
    /// `expected = path`.
    pub expected: Option<Expr>,
    /// `metrics`: the histogram's name.
    pub metric: Option<LitStr>,
    pub metric_attrs: Vec<crate::args::ExtraAttr>,
    /// The manifest to mention with `include_bytes!`, so that a change of
    /// the crate-wide defaults rebuilds the crate (see `defaults`).
    pub manifest: Option<String>,
}

/// Where a fn is, as far as the macro can tell: what `code.function.name`
/// and the default span name say about it.
pub struct Place<'a> {
    /// The type (`Cache` for `impl<T> Repo for Cache<T>`) or trait of the
    /// annotated block the fn is in.
    pub owner: Option<String>,
    pub defaults: &'a crate::defaults::Defaults,
    pub line: u32,
    pub manifest: Option<String>,
}

/// How `code.function.name` is spelt.
pub enum FunctionName {
    /// `module::path::fn`: a free fn.
    Module,
    /// `module::path::Owner::fn`: a fn in an annotated block.
    Owner(String),
    /// A method annotated on its own: the type comes from
    /// `type_name::<Self>()` at run time.
    SelfType,
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
    /// A fn that returns a future: the span lasts until the future completes.
    Future(FutureReturn),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FutureReturn {
    /// `-> impl Future<Output = T> + ..`: returned wrapped as it is.
    Opaque,
    /// `-> Pin<Box<dyn Future<Output = T> + ..>>`, `BoxFuture<'a, T>`, or a
    /// type under option `future`: boxed again around the wrapper.
    Boxed,
}

/// Whether a declared return type cannot be a `Result`: an `impl Trait`
/// (never a `Result`, whatever hides behind it), `()`, a reference, tuple,
/// array, slice, pointer or fn pointer, `!`, or a primitive. Skipping the
/// error check for these keeps the expansion, and the build, small.
pub fn cannot_be_result(output: &syn::ReturnType) -> bool {
    use syn::Type;
    const PRIMITIVES: &[&str] = &[
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "String",
    ];
    let syn::ReturnType::Type(_, ty) = output else {
        return true;
    };
    match &**ty {
        Type::ImplTrait(_)
        | Type::Reference(_)
        | Type::Tuple(_)
        | Type::Array(_)
        | Type::Slice(_)
        | Type::Ptr(_)
        | Type::FnPtr(_)
        | Type::Never(_) => true,
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .get_ident()
                    .is_some_and(|ident| PRIMITIVES.iter().any(|primitive| ident == primitive))
        }
        _ => false,
    }
}
