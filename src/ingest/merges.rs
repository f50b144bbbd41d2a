//! The merged regions of an .xlsx's sheets: takes the file's bytes and a
//! sheet's name and gives its merged regions, without parsing the sheet's
//! XML a second time.
//!
//! calamine's `merge_cells_by_sheet_name` reads the whole sheet again with
//! its XML parser to reach the `<mergeCells>` after the cells: 17 % of the
//! instructions of reading a national set, as much as streaming the cells.
//! Here the sheet's part is inflated and searched for `mergeCell` with
//! memchr; only from the first match on (the `<mergeCells>` block and what
//! follows it, a few hundred bytes) is XML parsed. A sheet without merged
//! regions costs the inflating alone.

use std::collections::HashMap;
use std::io::Read;

use memchr::memmem;
use quick_xml::events::{BytesStart, Event};

use super::guard::Zip;
use crate::issue::FileProblem;
use crate::sheet::{CellRef, Merge};

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

/// The sheets of one .xlsx: where each sheet's XML is inside the zip.
pub struct XlsxMerges<'a> {
    archive: Zip<'a>,
    /// Sheet name → the name of its part in the zip (`xl/worksheets/sheet1.xml`).
    parts: HashMap<String, String>,
}

impl<'a> XlsxMerges<'a> {
    /// Reads the workbook's list of sheets and its relationships from the
    /// zip the guard opened. Part names are matched without regard to case,
    /// as calamine and Excel match them; a workbook kept somewhere other
    /// than `xl/workbook.xml` gives no sheets here, and calamine is asked
    /// for their merged regions instead.
    ///
    /// Errors: [`FileProblem::Damaged`] for a part or XML that cannot be
    /// read (calamine has read the same parts before, so this is rare).
    pub fn open(mut archive: Zip<'a>) -> Result<XlsxMerges<'a>, FileProblem> {
        let names: HashMap<String, String> = archive
            .file_names()
            // A name that is no text leads to no sheet of ours.
            .filter_map(Result::ok)
            .map(|name| (name.to_lowercase(), name.into_owned()))
            .collect();
        let find = |name: &str| names.get(name).cloned();
        let mut parts = HashMap::new();
        if let (Some(workbook), Some(relationships)) = (find("xl/workbook.xml"), find("xl/_rels/workbook.xml.rels")) {
            let workbook = read_part(&mut archive, &workbook)?;
            let targets = relationship_targets(&read_part(&mut archive, &relationships)?)?;
            for (sheet, id) in sheet_ids(&workbook)? {
                if let Some(part) = targets
                    .get(&id)
                    .and_then(|target| find(&part_name(target).to_lowercase()))
                {
                    parts.insert(sheet, part);
                }
            }
        }
        Ok(XlsxMerges { archive, parts })
    }

    /// The merged regions of a sheet; `None` when the workbook does not say
    /// where the sheet is (calamine is asked then).
    ///
    /// Errors: [`FileProblem::Damaged`] for a part that cannot be inflated
    /// or a merged region that is no range.
    pub fn of(&mut self, sheet: &str) -> Result<Option<Vec<Merge>>, FileProblem> {
        let Some(part) = self.parts.get(sheet) else {
            return Ok(None);
        };
        let xml = read_part(&mut self.archive, part)?;
        let Some(at) = memmem::find(&xml, b"mergeCell") else {
            return Ok(Some(Vec::new()));
        };
        // From the '<' of the element the match is in.
        let start = xml[..at].iter().rposition(|&b| b == b'<').unwrap_or(0);
        merge_cells(&xml[start..]).map(Some)
    }
}

/// The inflated bytes of one part of the zip.
fn read_part(archive: &mut Zip<'_>, name: &str) -> Result<Vec<u8>, FileProblem> {
    let mut part = archive.by_name(name).map_err(|e| damaged(format!("{name}: {e}")))?;
    let mut bytes = Vec::with_capacity(part.size().min(1 << 20) as usize);
    part.read_to_end(&mut bytes)
        .map_err(|e| damaged(format!("{name}: {e}")))?;
    Ok(bytes)
}

fn attribute(element: &BytesStart<'_>, local: &str) -> Result<Option<String>, FileProblem> {
    for attr in element.attributes().with_checks(false) {
        let attr = attr.map_err(damaged)?;
        if attr.key.local_name().as_ref() == local {
            let value = quick_xml::escape::unescape(&attr.value).map_err(damaged)?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// Each element with the given local name, as its start tag.
fn each_element(
    xml: &[u8],
    local: &str,
    mut each: impl FnMut(&BytesStart<'_>) -> Result<(), FileProblem>,
) -> Result<(), FileProblem> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    // The piece of a sheet from its merged regions on starts inside the
    // document: end tags of elements opened before it are expected.
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == local => each(&e)?,
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Sheet name → relationship id, from `xl/workbook.xml`.
fn sheet_ids(workbook: &[u8]) -> Result<Vec<(String, String)>, FileProblem> {
    let mut sheets = Vec::new();
    each_element(workbook, "sheet", |e| {
        if let (Some(name), Some(id)) = (attribute(e, "name")?, attribute(e, "id")?) {
            sheets.push((name, id));
        }
        Ok(())
    })?;
    Ok(sheets)
}

/// Relationship id → target, from `xl/_rels/workbook.xml.rels`.
fn relationship_targets(relationships: &[u8]) -> Result<HashMap<String, String>, FileProblem> {
    let mut targets = HashMap::new();
    each_element(relationships, "Relationship", |e| {
        if let (Some(id), Some(target)) = (attribute(e, "Id")?, attribute(e, "Target")?) {
            targets.insert(id, target);
        }
        Ok(())
    })?;
    Ok(targets)
}

/// A relationship's target as a part name: absolute (`/xl/…`) or relative
/// to `xl/`.
fn part_name(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    }
}

/// The `<mergeCell ref="A1:B2"/>` elements of a piece of sheet XML.
fn merge_cells(xml: &[u8]) -> Result<Vec<Merge>, FileProblem> {
    let mut merges = Vec::new();
    each_element(xml, "mergeCell", |e| {
        let Some(range) = attribute(e, "ref")? else {
            return Ok(());
        };
        let (first, last) = range.split_once(':').unwrap_or((&range, &range));
        let (Some(first), Some(last)) = (CellRef::parse(first), CellRef::parse(last)) else {
            return Err(damaged(format!("merged region {range:?} is no range of cells")));
        };
        merges.push(Merge { first, last });
        Ok(())
    })?;
    Ok(merges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_regions_come_from_the_block_after_the_cells() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell in a text</t></is></c></row></sheetData><mergeCells count="2"><mergeCell ref="A1:C1"/><x:mergeCell ref="B3:B4"/></mergeCells><pageMargins/></worksheet>"#;
        let at = memmem::find(xml, b"mergeCell").unwrap();
        let start = xml[..at].iter().rposition(|&b| b == b'<').unwrap();
        assert_eq!(
            merge_cells(&xml[start..]).unwrap(),
            vec![
                Merge {
                    first: CellRef::new(0, 0),
                    last: CellRef::new(0, 2)
                },
                Merge {
                    first: CellRef::new(2, 1),
                    last: CellRef::new(3, 1)
                },
            ]
        );
    }

    #[test]
    fn a_merged_region_that_is_no_range_is_damage() {
        assert!(merge_cells(br#"<mergeCell ref="not a cell"/>"#).is_err());
    }

    #[test]
    fn relationship_targets_become_part_names() {
        assert_eq!(part_name("worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml");
        assert_eq!(part_name("/xl/worksheets/sheet2.xml"), "xl/worksheets/sheet2.xml");
    }
}
