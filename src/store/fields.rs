//! How a field is written in kasane's CSV files (records, findings, cases)
//! and read back: control characters but TAB and LF as `\\xNN`, and a
//! leading `'` before what a spreadsheet would run as a formula (`=`, `+`,
//! `-`, `@`, TAB; numbers excepted), as OWASP advises. Written and read in
//! this one place, so a read-back always sees the text as typed.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a field as a formula (a leading
/// CR is one too, but CR is always escaped as `\x0D`).
pub(crate) const FORMULA_START: [char; 5] = ['=', '+', '-', '@', '\t'];

/// Whether `field` is a plain number (`-3`, `+1.5`, `2e3`), which is written
/// as is even when it begins with a sign.
pub(crate) fn is_number(field: &str) -> bool {
    field.bytes().any(|b| b.is_ascii_digit())
        && field
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && field.parse::<f64>().is_ok()
}

/// Whether `field` is some `'`s then a formula character: the fields that
/// get (or, read back, lose) one `'`.
fn quoted_formula(field: &str) -> bool {
    field.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// The control characters written as `\xNN`: C0 but TAB and LF.
pub(crate) fn escaped_control(ch: char) -> bool {
    ch < ' ' && ch != '\t' && ch != '\n'
}

/// The value of a `\xNN` escape at the start of `rest` (after the `\`), if
/// [`encode_field`] could have written it.
fn escape_at(rest: &str) -> Option<char> {
    let hex = rest.strip_prefix('x')?.get(..2)?;
    if !hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return None;
    }
    let ch = char::from(u8::from_str_radix(hex, 16).ok()?);
    (escaped_control(ch) || ch == '\\').then_some(ch)
}

/// A field as the CSV files write it: control characters escaped, and a
/// leading `'` before what a spreadsheet would run as a formula (module
/// docs). Borrowed when nothing changes, which is nearly always.
pub fn encode_field(field: &str) -> Cow<'_, str> {
    let needs_escape = field
        .char_indices()
        .any(|(i, ch)| escaped_control(ch) || (ch == '\\' && escape_at(&field[i + 1..]).is_some()));
    let escaped: Cow<'_, str> = if needs_escape {
        let mut out = String::with_capacity(field.len() + 8);
        for (i, ch) in field.char_indices() {
            if escaped_control(ch) || (ch == '\\' && escape_at(&field[i + 1..]).is_some()) {
                out.push_str(&format!("\\x{:02X}", ch as u32));
            } else {
                out.push(ch);
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(field)
    };
    if quoted_formula(&escaped) && !is_number(&escaped) {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

/// A field of kasane's CSV files as it was before [`encode_field`].
pub fn decode_field(field: &str) -> Cow<'_, str> {
    let unquoted = if field.starts_with('\'') && quoted_formula(field) && !is_number(&field[1..]) {
        &field[1..]
    } else {
        field
    };
    if !unquoted.contains("\\x") {
        return Cow::Borrowed(unquoted);
    }
    let mut out = String::with_capacity(unquoted.len());
    let mut rest = unquoted;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        match escape_at(&rest[i + 1..]) {
            Some(ch) => {
                out.push(ch);
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
