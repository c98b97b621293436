//! JSON properties whose Rust names collide. typify snake_cases property names, so `statusCode`
//! and `status_code` in one object both become `status_code`: a duplicate field that does not
//! compile. The later field gets a numbered name (`status_code_2`) and an explicit
//! `#[serde(rename)]` to its JSON name, so both properties decode and encode as sent.

use syn::{Fields, Item, parse_quote};

/// Applies the pass; returns the number of fields renamed.
pub fn run(file: &mut syn::File) -> usize {
    let mut count = 0;
    visit(&mut file.items, &mut count);
    count
}

fn visit(items: &mut [Item], count: &mut usize) {
    for item in items.iter_mut() {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    visit(inner, count);
                }
            }
            Item::Struct(s) => {
                let Fields::Named(fields) = &mut s.fields else {
                    continue;
                };
                let mut seen = std::collections::BTreeSet::new();
                for field in fields.named.iter_mut() {
                    let Some(ident) = field.ident.clone() else {
                        continue;
                    };
                    if seen.insert(ident.to_string()) {
                        continue;
                    }
                    let mut n = 2;
                    let mut new = syn::Ident::new(&format!("{ident}_{n}"), ident.span());
                    while !seen.insert(new.to_string()) {
                        n += 1;
                        new = syn::Ident::new(&format!("{ident}_{n}"), ident.span());
                    }
                    let renamed = field.attrs.iter().any(|a| {
                        a.path().is_ident("serde")
                            && quote::quote!(#a).to_string().contains("rename")
                    });
                    if !renamed {
                        let key = ident.to_string().trim_start_matches("r#").to_string();
                        field.attrs.push(parse_quote!(#[serde(rename = #key)]));
                    }
                    field.ident = Some(new);
                    *count += 1;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_later_field_gets_a_new_name_and_keeps_its_json_name() {
        let mut file: syn::File = parse_quote! {
            pub struct Health {
                #[serde(rename = "statusCode")]
                pub status_code: i64,
                pub status_code: String,
            }
        };
        assert_eq!(run(&mut file), 1);
        let text = quote::quote!(#file).to_string().replace(' ', "");
        assert!(
            text.contains("#[serde(rename=\"statusCode\")]pubstatus_code:i64"),
            "{text}"
        );
        assert!(
            text.contains("#[serde(rename=\"status_code\")]pubstatus_code_2:String"),
            "{text}"
        );
        assert_eq!(run(&mut file), 0);
    }
}
