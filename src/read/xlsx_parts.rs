//! The parts of an `.xlsx` package, found exactly as calamine 0.32 finds
//! them, so that what we read beside calamine is about the same cells.
//!
//! An `.xlsx` is a zip. `xl/workbook.xml` lists the sheets, each with a
//! relationship id (`r:id`) and `date1904` for the book's date system;
//! `xl/_rels/workbook.xml.rels` maps each id to a `Target`, the sheet's part.
//! Writers spell targets three ways (`worksheets/sheet1.xml`, relative to
//! `xl/` as Excel writes; `xl/worksheets/sheet1.xml`; `/xl/worksheets/…`),
//! and calamine opens zip members whatever their letter case or slashes.
//! Each rule here cites the calamine code it mirrors (its
//! `src/xlsx/mod.rs`); the `=` pin in Cargo.toml keeps them in step.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;
use std::collections::HashMap;
use std::io::{BufReader, Cursor};

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

type Member<'a, 'b> = XmlReader<BufReader<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>>;

/// The zip member calamine 0.32 opens for a part's path
/// (`path_to_zip_path` in its `src/xlsx/mod.rs`): the first member, in the
/// zip's order, whose name with `\` read as `/` equals the path but for
/// ASCII case; else the path itself (which then is not found). calamine
/// uses the same `zip` crate (4.6), so the members come in the same order.
pub(super) fn zip_member<'z>(zip: &'z Zip<'_>, path: &'z str) -> &'z str {
    let same = |name: &str| {
        name.len() == path.len()
            && name.bytes().zip(path.bytes()).all(|(n, p)| {
                let n = if n == b'\\' { b'/' } else { n };
                n.eq_ignore_ascii_case(&p)
            })
    };
    zip.file_names().find(|name| same(name)).unwrap_or(path)
}

/// The path of a sheet's part from its relationship target, as calamine
/// 0.32 resolves it (`Xlsx::read_workbook` in its `src/xlsx/mod.rs`):
/// `/xl/…` loses its leading slash, `xl/…` is kept, and anything else
/// (`worksheets/sheet1.xml`, as Excel writes) is taken under `xl/`. Reading
/// the sheet elsewhere than calamine does would pair our date cells with
/// another part than its values, or with none.
pub(super) fn sheet_part(target: &str) -> String {
    if let Some(rooted) = target.strip_prefix('/').filter(|t| t.starts_with("xl/")) {
        rooted.to_string()
    } else if target.starts_with("xl/") {
        target.to_string()
    } else {
        format!("xl/{target}")
    }
}

/// A part's XML, opened as calamine opens it ([`zip_member`]).
pub(super) fn member<'a, 'b>(zip: &'a mut Zip<'b>, path: &str) -> Option<Member<'a, 'b>> {
    let name = zip_member(zip, path).to_string();
    let file = zip.by_name(&name).ok()?;
    let mut xml = XmlReader::from_reader(BufReader::new(file));
    xml.config_mut().trim_text(false);
    Some(xml)
}

/// An attribute by its local name, unescaped.
pub(super) fn attr(
    e: &BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
    key: &[u8],
) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| a.decode_and_unescape_value(decoder).ok())
        .map(|v| v.into_owned())
}

/// `date1904` and the sheets' relationship ids.
pub(super) fn workbook(zip: &mut Zip<'_>) -> Option<(bool, Vec<(String, String)>)> {
    let mut xml = member(zip, "xl/workbook.xml")?;
    let mut is_1904 = false;
    let mut sheets = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                // As calamine: the element by its full name, `date1904`
                // exactly `1` or `true`.
                _ if e.name().as_ref() == b"workbookPr" => {
                    is_1904 =
                        attr(&e, decoder, b"date1904").is_some_and(|v| v == "1" || v == "true");
                }
                // As calamine: the relationship id under the `r:` or
                // `relationships:` prefix, compared as written.
                b"sheet" => {
                    let id = e.attributes().flatten().find_map(|a| {
                        matches!(a.key.as_ref(), b"r:id" | b"relationships:id")
                            .then(|| decoder.decode(&a.value).ok().map(|v| v.into_owned()))
                            .flatten()
                    });
                    if let (Some(name), Some(id)) = (attr(&e, decoder, b"name"), id) {
                        sheets.push((name, id));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some((is_1904, sheets))
}

/// Relationship id → target of the workbook's relationships.
pub(super) fn relationships(zip: &mut Zip<'_>) -> Option<HashMap<String, String>> {
    let mut xml = member(zip, "xl/_rels/workbook.xml.rels")?;
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship" =>
            {
                // As calamine: `Id` and `Target` by their exact names and
                // as written (no entity is expanded).
                let raw = |key: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .and_then(|a| decoder.decode(&a.value).ok().map(|v| v.into_owned()))
                };
                if let (Some(id), Some(target)) = (raw(b"Id"), raw(b"Target")) {
                    out.insert(id, target);
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three spellings calamine 0.32's `Xlsx::read_workbook` resolves.
    #[test]
    fn sheet_targets_resolve_as_calamine_resolves_them() {
        for target in [
            "worksheets/sheet1.xml",
            "xl/worksheets/sheet1.xml",
            "/xl/worksheets/sheet1.xml",
        ] {
            assert_eq!(sheet_part(target), "xl/worksheets/sheet1.xml", "{target}");
        }
        // Rooted elsewhere than xl/: calamine puts it under xl/ as it is
        // (and then finds no such part); so do we.
        assert_eq!(
            sheet_part("/worksheets/sheet1.xml"),
            "xl//worksheets/sheet1.xml"
        );
        assert_eq!(sheet_part("../sheet1.xml"), "xl/../sheet1.xml");
    }

    #[test]
    fn zip_members_are_matched_as_calamine_matches_them() {
        let mut bytes = std::io::Cursor::new(Vec::new());
        {
            let mut out = zip::ZipWriter::new(&mut bytes);
            for name in ["xl\\Worksheets\\Sheet1.xml", "xl/worksheets/sheet1.xml"] {
                out.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            out.finish().unwrap();
        }
        let bytes = bytes.into_inner();
        let zip = Zip::new(Cursor::new(bytes.as_slice())).unwrap();
        // The first member in the zip's order, `\` read as `/`, any case.
        assert_eq!(
            zip_member(&zip, "xl/worksheets/sheet1.xml"),
            "xl\\Worksheets\\Sheet1.xml"
        );
        assert_eq!(
            zip_member(&zip, "xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
    }
}
