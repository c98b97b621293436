//! A string a `pattern` matches. A spec's patterned strings (an interval such as `^(\d+)([smhd])$`)
//! often have no example, and a made-up word fails a validating server; a string built from the
//! pattern itself does not.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The shortest natural string `pattern` matches: each repetition once (or its minimum), each
/// alternation's first branch, each class's first letter or digit. `None` for a pattern this does
/// not parse (ECMAScript-only syntax) or cannot honour (look-around, word boundaries).
pub fn string_matching(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = Out::default();
    out.write(&hir).then_some(out.text)
}

#[derive(Default)]
struct Out {
    text: String,
    /// An end anchor was passed: nothing more may follow.
    ended: bool,
}

impl Out {
    fn push(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return true;
        }
        self.text.push_str(s);
        !self.ended
    }

    fn write(&mut self, hir: &Hir) -> bool {
        match hir.kind() {
            HirKind::Empty => true,
            HirKind::Literal(lit) => std::str::from_utf8(&lit.0).is_ok_and(|s| self.push(s)),
            HirKind::Class(class) => {
                first_char(class).is_some_and(|c| self.push(c.encode_utf8(&mut [0; 4])))
            }
            HirKind::Look(Look::Start | Look::StartLF | Look::StartCRLF) => self.text.is_empty(),
            HirKind::Look(Look::End | Look::EndLF | Look::EndCRLF) => {
                self.ended = true;
                true
            }
            HirKind::Look(_) => false,
            HirKind::Repetition(rep) => {
                let times = rep.min.max(1).min(rep.max.unwrap_or(u32::MAX));
                (0..times).all(|_| self.write(&rep.sub))
            }
            HirKind::Capture(group) => self.write(&group.sub),
            HirKind::Concat(parts) => parts.iter().all(|p| self.write(p)),
            HirKind::Alternation(branches) => branches.first().is_some_and(|b| self.write(b)),
        }
    }
}

/// The class's first lowercase letter, else digit, uppercase letter, printable ASCII, or any
/// character that is not a control.
fn first_char(class: &Class) -> Option<char> {
    let ranges: Vec<(char, char)> = match class {
        Class::Unicode(c) => c.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .filter(|r| r.start().is_ascii())
            .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
            .collect(),
    };
    let within = |lo: char, hi: char| {
        ranges
            .iter()
            .filter(|(s, e)| *s <= hi && *e >= lo)
            .map(|(s, _)| (*s).max(lo))
            .min()
    };
    within('a', 'z')
        .or_else(|| within('0', '9'))
        .or_else(|| within('A', 'Z'))
        .or_else(|| within('!', '~'))
        .or_else(|| {
            ranges
                .iter()
                .flat_map(|(s, e)| (*s..=*e).take(64))
                .find(|c| !c.is_control())
        })
}

#[cfg(test)]
mod tests {
    use super::string_matching;

    #[test]
    fn strings_follow_their_pattern() {
        let of = |p: &str| string_matching(p);
        assert_eq!(of(r"^(\d+)([smhd])$").as_deref(), Some("0d"));
        assert_eq!(of(r"^[a-z0-9-]*$").as_deref(), Some("a"));
        assert_eq!(of(r"^(now|now-\d+[mhd])$").as_deref(), Some("now"));
        assert_eq!(of(r"^[^/]+$").as_deref(), Some("a"));
        assert_eq!(of(r"^v\d{1,3}\.\d{2}$").as_deref(), Some("v0.00"));
        assert_eq!(of(r"[A-Z]{3}").as_deref(), Some("AAA"));
        // An anchor where nothing may be, look-around and bad syntax: no string.
        assert_eq!(of(r"a^b"), None);
        assert_eq!(of(r"a$b"), None);
        assert_eq!(of(r"\bword\b"), None);
        assert_eq!(of(r"(?=x)x"), None);
        assert_eq!(of(r"[unclosed"), None);
    }
}
