//! socmon's own .xlsx reader reads every cell as calamine reads it: the
//! same sheets with the same states, the same cells with the same values,
//! and the same merged regions, on every .xlsx of the sample and of the
//! fixtures (written by socmon, by LibreOffice and by hand) and on a
//! workbook with a cell of every kind.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use socmon::ingest::xlsx::XlsxBook;

/// A sheet as a reader gave it: name, kind, state, the non-empty cells and
/// the merged regions (first row, first column, last row, last column).
#[derive(Debug, PartialEq)]
struct SheetCells {
    name: String,
    kind: String,
    cells: Vec<(u32, u32, Data)>,
    merges: Vec<(u32, u32, u32, u32)>,
}

fn by_calamine(bytes: &[u8]) -> Result<Vec<SheetCells>, String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for meta in book.sheets_metadata().to_vec() {
        let mut cells = Vec::new();
        if meta.typ == calamine::SheetType::WorkSheet {
            let mut reader = book.worksheet_cells_reader(&meta.name).map_err(|e| e.to_string())?;
            while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                let value: Data = cell.get_value().clone().into();
                if value != Data::Empty {
                    cells.push((cell.get_position().0, cell.get_position().1, value));
                }
            }
        }
        let merges = match meta.typ {
            calamine::SheetType::WorkSheet => book
                .merge_cells_by_sheet_name(&meta.name)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect(),
            _ => Vec::new(),
        };
        sheets.push(SheetCells {
            name: meta.name.clone(),
            kind: format!("{:?} {:?}", meta.typ, meta.visible),
            cells,
            merges,
        });
    }
    Ok(sheets)
}

fn by_socmon(bytes: &[u8]) -> Result<Vec<SheetCells>, String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut book = XlsxBook::open(bytes, archive).map_err(|e| format!("{e:?}"))?;
    let mut sheets = Vec::new();
    for entry in book.sheets().to_vec() {
        let mut cells = Vec::new();
        let mut merges = Vec::new();
        if entry.typ == calamine::SheetType::WorkSheet {
            merges = book
                .read_sheet(&entry.name, &mut |row, col, value| {
                    let value: Data = value.into();
                    if value != Data::Empty {
                        cells.push((row, col, value));
                    }
                    Ok(true)
                })
                .map_err(|e| format!("{e:?}"))?
                .into_iter()
                .map(|m| (m.first.row, m.first.col, m.last.row, m.last.col))
                .collect();
        }
        sheets.push(SheetCells {
            name: entry.name.clone(),
            kind: format!("{:?} {:?}", entry.typ, entry.visible),
            cells,
            merges,
        });
    }
    Ok(sheets)
}

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            xlsx_files(&path, out);
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
            out.push(path);
        }
    }
}

fn assert_same_cells(what: &str, bytes: &[u8]) {
    match (by_calamine(bytes), by_socmon(bytes)) {
        (Ok(expected), Ok(read)) => assert_eq!(read, expected, "{what}"),
        // Both refuse the file: the reasons are worded differently.
        (Err(_), Err(_)) => {}
        (expected, read) => panic!("{what}: calamine {expected:?}, socmon {read:?}"),
    }
}

#[test]
fn every_xlsx_of_the_sample_and_the_fixtures_reads_as_calamine_reads_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    xlsx_files(&root.join("input"), &mut files);
    xlsx_files(&root.join("tests/fixtures"), &mut files);
    files.sort();
    // The sample's returns, templates and protocols, and the workbooks
    // LibreOffice saved (tests/fixtures/*/filled, strategy_templates).
    assert!(files.len() > 100, "{} files", files.len());
    for file in &files {
        assert_same_cells(&file.display().to_string(), &std::fs::read(file).unwrap());
    }
}

/// An .xlsx whose parts are written as given, stored.
fn workbook(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, xml) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/Sheet2.xml"/></Relationships>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="dd\.mm\.yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" formatCode="&quot;d&quot;\ 0.00"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="14"/><xf numFmtId="165"/><xf numFmtId="166"><alignment wrapText="1"/></xf><xf numFmtId="46"/></cellXfs></styleSheet>"#;
const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5"><si><t>Община Бяла</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">Капацитет </t></r><r><t>(брой места)</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t>  обграден  </t></si><si><t xml:space="preserve">  запазен_x000D_ред  </t></si><si/></sst>"#;
const SHEET1: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:H9"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row><row r="2"><c r="A2"><v>42</v></c><c r="B2" s="1"><v>42736</v></c><c r="C2" s="2"><v>42736.5</v></c><c r="D2" s="3"><v>1.25</v></c><c r="E2" s="4"><v>3.5</v></c><c r="F2" s="5"><v>0.75</v></c><c r="G2" s="9"><v>7</v></c></row><row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#DIV/0!</v></c><c r="D3" t="str"><f>A1&amp;"!"</f><v>Бяла &amp; Русе_x000A_</v></c><c r="E3" t="inlineStr"><is><t>вграден &lt;текст&gt;</t></is></c><c r="F3" t="inlineStr"><is><r><t>пър</t></r><r><t><![CDATA[ви]]></t></r></is></c><c r="G3" t="d"><v>2017-06-30T00:00:00</v></c></row><row><c><v>1</v></c><c><v>2</v></c><c r="E4"><v>5</v></c><c><v>-0.5e3</v></c></row><row r="6" spans="1:3"><c r="A6" s="1"/><c r="B6"><v></v></c><c r="C6" t="n"><v>12.50</v></c><c r="D6"><v>не е число</v></c><c r="E6"><f>SUM(A2:A4)</f><v>43</v></c></row><row r="9"><c r="H9" t="s"><v>0</v></c></row></sheetData><mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="H9"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#;
const SHEET2: &str = r#"<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="2"><x:c r="B2" t="s"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>"#;

fn edge_workbook(workbook_pr: &str) -> Vec<u8> {
    let workbook_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbook_pr}<sheets><sheet name="Карта &amp; бележки" sheetId="1" r:id="rId1"/><sheet name="Скрит" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>"#
    );
    workbook(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("xl/workbook.xml", &workbook_xml),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/styles.xml", STYLES),
        ("xl/sharedStrings.xml", SHARED),
        ("xl/worksheets/sheet1.xml", SHEET1),
        ("xl/worksheets/sheet2.xml", SHEET2),
    ])
}

#[test]
fn cells_of_every_kind_read_as_calamine_reads_them() {
    for workbook_pr in ["", r#"<workbookPr date1904="1"/>"#] {
        let bytes = edge_workbook(workbook_pr);
        assert_same_cells(workbook_pr, &bytes);
        let sheets = by_socmon(&bytes).unwrap();
        // What the cells hold, said outright (not only "as calamine").
        let value = |row: u32, col: u32| {
            sheets[0]
                .cells
                .iter()
                .find(|(r, c, _)| (*r, *c) == (row, col))
                .map(|(_, _, v)| v.to_string())
        };
        assert_eq!(sheets[0].name, "Карта & бележки");
        assert_eq!(value(0, 1).as_deref(), Some("Капацитет (брой места)"));
        assert_eq!(value(0, 2).as_deref(), Some("обграден"));
        assert_eq!(value(0, 3).as_deref(), Some("  запазен\rред  "));
        assert_eq!(value(2, 3).as_deref(), Some("Бяла & Русе\n"));
        assert_eq!(value(2, 5).as_deref(), Some("първи"));
        // Cells without a reference follow the one before them.
        assert_eq!(value(3, 1).as_deref(), Some("2"));
        assert_eq!(value(3, 5).as_deref(), Some("-500"));
        assert_eq!(value(5, 3).as_deref(), Some("не е число"));
        assert!(matches!(
            sheets[0].cells.iter().find(|c| (c.0, c.1) == (1, 1)),
            Some((_, _, Data::DateTime(_)))
        ));
        assert_eq!(sheets[0].merges, vec![(0, 0, 0, 2), (8, 7, 8, 7)]);
        assert_eq!(sheets[1].kind, "WorkSheet Hidden");
        assert_eq!(sheets[1].cells, vec![(1, 1, Data::String("обграден".into()))]);
    }
}

#[test]
fn a_damaged_part_is_refused_by_both_readers() {
    let bytes = edge_workbook("");
    for (part, xml) in [
        ("xl/worksheets/sheet1.xml", SHEET1.replace("</sheetData>", "")),
        (
            "xl/worksheets/sheet1.xml",
            SHEET1.replace(r#"t="e"><v>#DIV/0!"#, r#"t="e"><v>#WHAT?"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            SHEET1.replace(r#"<c r="A1" t="s"><v>0</v>"#, r#"<c r="A1" t="s"><v>99</v>"#),
        ),
        ("xl/worksheets/sheet1.xml", SHEET1.replace(r#"r="A2""#, r#"r="2A""#)),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("rId2", "rId7")),
        ("xl/sharedStrings.xml", SHARED.replace("</sst>", "")),
    ] {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut parts: Vec<(String, String)> = Vec::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut file, &mut text).unwrap();
            parts.push((file.name().unwrap().into_owned(), text));
        }
        for (name, text) in &mut parts {
            if name == part {
                *text = xml.clone();
            }
        }
        let parts: Vec<(&str, &str)> = parts.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        let damaged = workbook(&parts);
        assert!(by_calamine(&damaged).is_err(), "{part}: calamine reads it");
        assert!(by_socmon(&damaged).is_err(), "{part}: socmon reads it");
    }
}
