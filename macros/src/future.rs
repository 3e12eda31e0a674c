//! Recognising a plain fn that returns a future, whose span must last until
//! the future completes rather than until the fn returns.

use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

use crate::model::FutureReturn;

/// The future the fn returns, when its declared type says so:
/// `impl Future<Output = T> + ..`, `Pin<Box<dyn Future<Output = T> + ..>>`
/// (any path to `Pin`), or `BoxFuture<'a, T>` / `LocalBoxFuture<'a, T>`.
pub fn returned_future(output: &ReturnType) -> Option<FutureReturn> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    match strip_groups(ty) {
        Type::ImplTrait(opaque) => {
            has_future_bound(opaque.bounds.iter()).then_some(FutureReturn::Opaque)
        }
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
                return Some(FutureReturn::Boxed);
            }
            if last.ident != "Pin" {
                return None;
            }
            let boxed = only_type_argument(&last.arguments)?;
            let Type::Path(boxed) = strip_groups(boxed) else {
                return None;
            };
            let boxed = boxed.path.segments.last()?;
            if boxed.ident != "Box" {
                return None;
            }
            match strip_groups(only_type_argument(&boxed.arguments)?) {
                Type::TraitObject(object) => {
                    has_future_bound(object.bounds.iter()).then_some(FutureReturn::Boxed)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn strip_groups(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => strip_groups(&group.elem),
        Type::Paren(paren) => strip_groups(&paren.elem),
        other => other,
    }
}

/// A bound `Future<Output = ..>` (any path to it) among `bounds`.
fn has_future_bound<'a>(mut bounds: impl Iterator<Item = &'a TypeParamBound>) -> bool {
    bounds.any(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return false;
        };
        bound
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Future")
    })
}

fn only_type_argument(arguments: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(arguments) = arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(ty), None) => Some(ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(output: &str) -> Option<FutureReturn> {
        let sig: syn::Signature = syn::parse_str(&format!("fn f() -> {output}")).unwrap();
        returned_future(&sig.output)
    }

    #[test]
    fn recognises_the_declared_futures() {
        use FutureReturn::{Boxed, Opaque};
        let cases = [
            ("impl Future<Output = u8>", Some(Opaque)),
            (
                "impl std::future::Future<Output = Result<u8, E>> + Send + 'a",
                Some(Opaque),
            ),
            (
                "impl Send + core::future::Future<Output = ()>",
                Some(Opaque),
            ),
            ("Pin<Box<dyn Future<Output = u8> + Send>>", Some(Boxed)),
            (
                "std::pin::Pin<std::boxed::Box<dyn Future<Output = u8> + 'a>>",
                Some(Boxed),
            ),
            (
                "core::pin::Pin<Box<(dyn Future<Output = u8>)>>",
                Some(Boxed),
            ),
            ("BoxFuture<'a, u8>", Some(Boxed)),
            ("futures::future::LocalBoxFuture<'static, ()>", Some(Boxed)),
            ("impl Display", None),
            ("impl Iterator<Item = u8>", None),
            ("Pin<Box<dyn Iterator<Item = u8>>>", None),
            ("Pin<&mut dyn Future<Output = u8>>", None),
            ("Box<dyn Future<Output = u8>>", None),
            ("Result<u8, E>", None),
        ];
        for (output, wanted) in cases {
            assert_eq!(shape(output), wanted, "{output}");
        }
    }
}
