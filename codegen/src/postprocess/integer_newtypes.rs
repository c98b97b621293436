//! typify wraps a named integer schema with limits (`minimum: 1`) in a newtype of a `NonZeroU64`
//! (or an `i64`...) that converts only from that inner type. Page numbers and sizes are counted
//! as `u64`, so such a parameter could not be set from one: `.page(2)` did not compile, nor did
//! the paginator that sets it. Each such newtype gets `TryFrom<u64>`; a value out of the inner
//! type's range (0 for a `NonZeroU64`) is a conversion error, which the operation's builder
//! reports when the request is sent.

use syn::{Fields, Item, Type, parse_quote};

/// Inner types with a `TryFrom<u64>` of their own (`u64` itself converts by `From`).
const FROM_U64: &[&str] = &[
    "NonZeroU64",
    "i64",
    "i32",
    "u32",
    "i16",
    "u16",
    "i8",
    "u8",
    "i128",
    "u128",
    "usize",
    "isize",
];

fn inner_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => super::segment_names(&p.path).pop(),
        _ => None,
    }
}

/// Applies the pass to the `types` module; returns how many newtypes gained the conversion.
pub fn run(file: &mut syn::File) -> usize {
    let Some(types) = super::module_items(&mut file.items, "types") else {
        return 0;
    };
    let mut added: Vec<Item> = Vec::new();
    for item in types.iter() {
        let Item::Struct(s) = item else { continue };
        let Fields::Unnamed(fields) = &s.fields else {
            continue;
        };
        if fields.unnamed.len() != 1 {
            continue;
        }
        let inner = &fields.unnamed[0].ty;
        if !inner_name(inner).is_some_and(|n| FROM_U64.contains(&n.as_str())) {
            continue;
        }
        let name = &s.ident;
        added.push(parse_quote! {
            impl ::std::convert::TryFrom<u64> for #name {
                type Error = self::error::ConversionError;
                fn try_from(value: u64) -> ::std::result::Result<Self, self::error::ConversionError> {
                    <#inner as ::std::convert::TryFrom<u64>>::try_from(value)
                        .map(Self)
                        .map_err(|_| format!("{value} is out of range for {}", stringify!(#name)).into())
                }
            }
        });
    }
    let n = added.len();
    types.extend(added);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_newtypes_convert_from_u64() {
        let mut file: syn::File = parse_quote! {
            pub mod types {
                pub struct Page(pub ::std::num::NonZeroU64);
                pub struct Offset(pub i64);
                pub struct Count(pub u64);
                pub struct Name(pub String);
                pub struct Pair(pub i64, pub i64);
            }
        };
        assert_eq!(run(&mut file), 2);
        let text = prettyplease::unparse(&file);
        assert!(text.contains("TryFrom<u64> for Page"), "{text}");
        assert!(text.contains("TryFrom<u64> for Offset"), "{text}");
        // `Count` already converts by `From<u64>`; a second impl would conflict with the blanket one.
        assert!(
            !text.contains("for Count") && !text.contains("for Name"),
            "{text}"
        );
    }
}
