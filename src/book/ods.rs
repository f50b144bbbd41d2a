//! Writes a [`Book`] as an OpenDocument spreadsheet (.ods, ODF 1.2).
//!
//! Takes a validated book, gives the bytes of the zip package: `mimetype`
//! (first and stored, so tools can sniff the type), `META-INF/manifest.xml`,
//! `meta.xml` (title and custom properties), `styles.xml` and `content.xml`
//! with the tables. Dates are `office:date-value` cells shown as dd.mm.yyyy,
//! merges are spanned cells followed by covered cells, hidden sheets use a
//! table style with `table:display="false"`.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{Book, BookError, BookSheet, BookValue};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Namespaces used by content.xml and styles.xml.
const NAMESPACES: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0""#,
);

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Automatic styles every content.xml carries: visible and hidden tables,
/// the dd.mm.yyyy date style and the cell style that uses it.
const FIXED_AUTOMATIC_STYLES: &str = concat!(
    r#"<style:style style:name="ta1" style:family="table">"#,
    r#"<style:table-properties table:display="true" style:writing-mode="lr-tb"/></style:style>"#,
    r#"<style:style style:name="ta2" style:family="table">"#,
    r#"<style:table-properties table:display="false" style:writing-mode="lr-tb"/></style:style>"#,
    r#"<number:date-style style:name="N1">"#,
    r#"<number:day number:style="long"/><number:text>.</number:text>"#,
    r#"<number:month number:style="long"/><number:text>.</number:text>"#,
    r#"<number:year number:style="long"/></number:date-style>"#,
    r#"<style:style style:name="ce1" style:family="table-cell" "#,
    r#"style:parent-style-name="Default" style:data-style-name="N1"/>"#,
);
const VISIBLE_TABLE_STYLE: &str = "ta1";
const HIDDEN_TABLE_STYLE: &str = "ta2";
const DATE_CELL_STYLE: &str = "ce1";

pub(super) fn write(book: &Book) -> Result<Vec<u8>, BookError> {
    let files = [
        ("META-INF/manifest.xml", manifest()),
        ("meta.xml", meta(book)),
        ("styles.xml", styles()),
        ("content.xml", content(book)),
    ];
    package(&files)
}

/// Zips the files behind the `mimetype` entry with fixed timestamps and
/// permissions, so the package bytes depend only on the book.
fn package(files: &[(&str, String)]) -> Result<Vec<u8>, BookError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    zip.start_file("mimetype", stored)?;
    zip.write_all(MIMETYPE.as_bytes())?;
    let deflated = stored.compression_method(CompressionMethod::Deflated);
    for (name, xml) in files {
        zip.start_file(*name, deflated)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn manifest() -> String {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(concat!(
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:version="1.2" "#,
        r#"manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
        r#"<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>"#,
        r#"<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>"#,
        "</manifest:manifest>",
    ));
    xml
}

fn meta(book: &Book) -> String {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(concat!(
        r#"<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta>"#,
    ));
    if let Some(title) = &book.title {
        xml.push_str(&format!("<dc:title>{}</dc:title>", escape(title)));
    }
    for (name, value) in &book.custom_properties {
        xml.push_str(&format!(
            r#"<meta:user-defined meta:name="{}" meta:value-type="string">{}</meta:user-defined>"#,
            escape(name),
            escape(value)
        ));
    }
    xml.push_str("</office:meta></office:document-meta>");
    xml
}

/// The "Default" cell style that content.xml's cell styles derive from.
fn styles() -> String {
    format!(
        r#"{XML_DECLARATION}<office:document-styles {NAMESPACES} office:version="1.2"><office:styles><style:style style:name="Default" style:family="table-cell"/></office:styles></office:document-styles>"#
    )
}

fn content(book: &Book) -> String {
    let widths = ColumnStyles::collect(book);
    let mut xml = format!(
        r#"{XML_DECLARATION}<office:document-content {NAMESPACES} office:version="1.2"><office:automatic-styles>"#
    );
    widths.write_styles(&mut xml);
    xml.push_str(FIXED_AUTOMATIC_STYLES);
    xml.push_str("</office:automatic-styles><office:body><office:spreadsheet>");
    for sheet in &book.sheets {
        table(&mut xml, sheet, &widths);
    }
    xml.push_str("</office:spreadsheet></office:body></office:document-content>");
    xml
}

/// One automatic column style per distinct width, shared by all sheets and
/// named in order of first use so the output is stable.
struct ColumnStyles {
    /// (width as written, e.g. "2.117cm", style name)
    styles: Vec<(String, String)>,
}

impl ColumnStyles {
    fn collect(book: &Book) -> ColumnStyles {
        let mut styles: Vec<(String, String)> = Vec::new();
        for sheet in &book.sheets {
            for width in sheet.widths().into_values() {
                let width = column_width(width);
                if !styles.iter().any(|(w, _)| *w == width) {
                    let name = format!("co{}", styles.len() + 1);
                    styles.push((width, name));
                }
            }
        }
        ColumnStyles { styles }
    }

    fn name_for(&self, width: f64) -> Option<&str> {
        let width = column_width(width);
        self.styles
            .iter()
            .find(|(w, _)| *w == width)
            .map(|(_, name)| name.as_str())
    }

    fn write_styles(&self, xml: &mut String) {
        for (width, name) in &self.styles {
            xml.push_str(&format!(
                r#"<style:style style:name="{name}" style:family="table-column"><style:table-column-properties fo:break-before="auto" style:column-width="{width}"/></style:style>"#
            ));
        }
    }
}

/// A width in characters as ODF length, converted the way Excel draws it at
/// 96 dpi with its default font (7 pixels a character plus 5 of padding), so
/// a column looks about as wide in LibreOffice as in Excel.
fn column_width(chars: f64) -> String {
    let pixels = if chars < 1.0 { chars * 12.0 } else { chars * 7.0 + 5.0 };
    format!("{:.3}cm", pixels * 2.54 / 96.0)
}

/// What sits at one position of a table: a cell with a value and/or the
/// spans of a merge it anchors, or a cell covered by a merge.
#[derive(Default)]
struct Slot<'a> {
    value: Option<&'a BookValue>,
    /// (rows, columns) of the merge anchored here.
    span: Option<(u32, u32)>,
    covered: bool,
}

fn slots(sheet: &BookSheet) -> BTreeMap<(u32, u16), Slot<'_>> {
    let mut slots: BTreeMap<(u32, u16), Slot<'_>> = BTreeMap::new();
    for cell in &sheet.cells {
        slots.entry((cell.row, cell.col)).or_default().value = Some(&cell.value);
    }
    for m in &sheet.merges {
        let span = (m.last_row - m.first_row + 1, u32::from(m.last_col - m.first_col) + 1);
        slots.entry((m.first_row, m.first_col)).or_default().span = Some(span);
        for row in m.first_row..=m.last_row {
            for col in m.first_col..=m.last_col {
                if (row, col) != (m.first_row, m.first_col) {
                    slots.entry((row, col)).or_default().covered = true;
                }
            }
        }
    }
    slots
}

fn table(xml: &mut String, sheet: &BookSheet, column_styles: &ColumnStyles) {
    let style = if sheet.hidden {
        HIDDEN_TABLE_STYLE
    } else {
        VISIBLE_TABLE_STYLE
    };
    xml.push_str(&format!(
        r#"<table:table table:name="{}" table:style-name="{style}">"#,
        escape(&sheet.name)
    ));
    let slots = slots(sheet);
    columns(xml, sheet, &slots, column_styles);

    let mut rows: BTreeMap<u32, Vec<(u16, &Slot<'_>)>> = BTreeMap::new();
    for (&(row, col), slot) in &slots {
        rows.entry(row).or_default().push((col, slot));
    }
    let mut next_row = 0;
    for (row, row_slots) in rows {
        if row > next_row {
            xml.push_str(&format!(
                r#"<table:table-row{}><table:table-cell/></table:table-row>"#,
                repeated("rows", row - next_row)
            ));
        }
        xml.push_str("<table:table-row>");
        table_row(xml, &row_slots);
        xml.push_str("</table:table-row>");
        next_row = row + 1;
    }
    // ODF requires at least one row in a table.
    if next_row == 0 {
        xml.push_str("<table:table-row><table:table-cell/></table:table-row>");
    }
    xml.push_str("</table:table>");
}

/// The `table:table-column` elements: runs of columns sharing a width style,
/// enough to cover every used column (ODF requires at least one).
fn columns(xml: &mut String, sheet: &BookSheet, slots: &BTreeMap<(u32, u16), Slot<'_>>, styles: &ColumnStyles) {
    let widths = sheet.widths();
    let last_used = slots.keys().map(|&(_, col)| col).max();
    let last_width = widths.keys().next_back().copied();
    let count = u32::from(last_used.max(last_width).unwrap_or(0)) + 1;

    let style_of = |col: u32| {
        u16::try_from(col)
            .ok()
            .and_then(|col| widths.get(&col))
            .and_then(|&w| styles.name_for(w))
    };
    let mut start = 0;
    while start < count {
        let style = style_of(start);
        let mut end = start + 1;
        while end < count && style_of(end) == style {
            end += 1;
        }
        let style_attr = style.map(|s| format!(r#" table:style-name="{s}""#)).unwrap_or_default();
        xml.push_str(&format!(
            "<table:table-column{style_attr}{}/>",
            repeated("columns", end - start)
        ));
        start = end;
    }
}

fn table_row(xml: &mut String, slots: &[(u16, &Slot<'_>)]) {
    let mut next_col: u16 = 0;
    let mut i = 0;
    while i < slots.len() {
        let (col, slot) = slots[i];
        if col > next_col {
            xml.push_str(&format!(
                "<table:table-cell{}/>",
                repeated("columns", u32::from(col - next_col))
            ));
        }
        if slot.covered {
            // Consecutive covered cells become one repeated element.
            let mut run = 1;
            while slots
                .get(i + run)
                .is_some_and(|&(c, s)| s.covered && u32::from(c) == u32::from(col) + run as u32)
            {
                run += 1;
            }
            xml.push_str(&format!(
                "<table:covered-table-cell{}/>",
                repeated("columns", run as u32)
            ));
            i += run;
            next_col = col.saturating_add(run as u16);
        } else {
            table_cell(xml, slot);
            i += 1;
            next_col = col.saturating_add(1);
        }
    }
}

/// `table:number-{what}-repeated="n"`, or nothing for a single one.
fn repeated(what: &str, n: u32) -> String {
    if n > 1 {
        format!(r#" table:number-{what}-repeated="{n}""#)
    } else {
        String::new()
    }
}

fn table_cell(xml: &mut String, slot: &Slot<'_>) {
    xml.push_str("<table:table-cell");
    if let Some((rows, cols)) = slot.span {
        xml.push_str(&format!(
            r#" table:number-columns-spanned="{cols}" table:number-rows-spanned="{rows}""#
        ));
    }
    // Each value also gets its display text, for readers that show text:p.
    match slot.value {
        None => {
            xml.push_str("/>");
            return;
        }
        Some(BookValue::Text(text)) => {
            xml.push_str(r#" office:value-type="string">"#);
            paragraphs(xml, text);
        }
        Some(BookValue::Number(n)) => {
            // Rust prints the shortest decimal that reads back as the same
            // f64, never in exponent form: exact and valid xsd:double.
            xml.push_str(&format!(
                r#" office:value-type="float" office:value="{n}"><text:p>{n}</text:p>"#
            ));
        }
        Some(BookValue::Date(date)) => {
            xml.push_str(&format!(
                r#" table:style-name="{DATE_CELL_STYLE}" office:value-type="date" office:date-value="{}"><text:p>{}</text:p>"#,
                date.format("%Y-%m-%d"),
                date.format("%d.%m.%Y")
            ));
        }
        Some(BookValue::Bool(b)) => {
            let shown = if *b { "TRUE" } else { "FALSE" };
            xml.push_str(&format!(
                r#" office:value-type="boolean" office:boolean-value="{b}"><text:p>{shown}</text:p>"#
            ));
        }
    }
    xml.push_str("</table:table-cell>");
}

/// One `text:p` per line. ODF collapses white space inside paragraphs, so
/// every space that is not a single space between two other characters is
/// written as `text:s`, and tabs as `text:tab`.
fn paragraphs(xml: &mut String, text: &str) {
    for line in text.split('\n') {
        xml.push_str("<text:p>");
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                ' ' => {
                    let run = chars[i..].iter().take_while(|&&c| c == ' ').count();
                    let inner = i > 0 && i + run < chars.len();
                    let spaces = if inner {
                        xml.push(' ');
                        run - 1
                    } else {
                        run
                    };
                    match spaces {
                        0 => {}
                        1 => xml.push_str("<text:s/>"),
                        n => xml.push_str(&format!(r#"<text:s text:c="{n}"/>"#)),
                    }
                    i += run;
                }
                '\t' => {
                    xml.push_str("<text:tab/>");
                    i += 1;
                }
                c => {
                    push_escaped(xml, c);
                    i += 1;
                }
            }
        }
        xml.push_str("</text:p>");
    }
}

/// Escapes text for XML content and attribute values alike.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        // Literal CR, LF and tab would be normalised away by XML parsers.
        '\r' => out.push_str("&#13;"),
        '\n' => out.push_str("&#10;"),
        '\t' => out.push_str("&#9;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same_content, open, sample_book};
    use super::super::{Book, BookCell, BookFormat, BookSheet, BookValue, Merge};
    use super::MIMETYPE;
    use calamine::Sheets;
    use std::io::{Cursor, Read};

    fn ods_bytes(book: &Book) -> Vec<u8> {
        book.to_bytes(BookFormat::Ods).expect("ods is written")
    }

    fn read_entry(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
        let mut text = String::new();
        zip.by_name(name).expect(name).read_to_string(&mut text).expect("utf-8");
        text
    }

    #[test]
    fn round_trips_values_types_and_visibility() {
        let book = sample_book();
        let mut sheets = open(ods_bytes(&book));
        assert!(matches!(sheets, Sheets::Ods(_)));
        assert_same_content(&mut sheets, &book, true);
    }

    #[test]
    fn mimetype_comes_first_and_stored() {
        let bytes = ods_bytes(&sample_book());
        // Local file header: signature, then the name at 30 and, with no
        // extra field, the uncompressed content right after it.
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
        for i in 0..zip.len() {
            let entry = zip.by_index(i).expect("entry");
            assert_eq!(
                entry.last_modified(),
                Some(zip::DateTime::default()),
                "{:?}",
                entry.name()
            );
        }
    }

    #[test]
    fn merges_are_spanned_and_covered_cells() {
        let content = read_entry(&ods_bytes(&sample_book()), "content.xml");
        // B3:D3: row 3 has an empty A, the anchor with its spans, then two covered cells.
        assert!(content.contains(concat!(
            "<table:table-row><table:table-cell/>",
            r#"<table:table-cell table:number-columns-spanned="3" table:number-rows-spanned="1" office:value-type="string"><text:p>Капацитет – брой места</text:p></table:table-cell>"#,
            r#"<table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>"#,
        )));
        // A4:A5: the anchor opens row 4, a covered cell opens row 5.
        assert!(content.contains(
            r#"<table:table-row><table:table-cell table:number-columns-spanned="1" table:number-rows-spanned="2" office:value-type="string"><text:p>Дейност</text:p></table:table-cell>"#
        ));
        assert!(content.contains(concat!(
            "<table:table-row><table:covered-table-cell/>",
            r#"<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2016-03-01"><text:p>01.03.2016</text:p></table:table-cell>"#,
        )));
    }

    #[test]
    fn writes_text_safely_and_properties() {
        let bytes = ods_bytes(&sample_book());
        let content = read_entry(&bytes, "content.xml");
        assert!(content.contains("<text:p>ред 1</text:p><text:p>ред 2</text:p>"));
        assert!(content.contains(
            r#"<text:p><text:s text:c="2"/>два <text:s/>интервала &amp;&lt;&gt;&quot;&apos; <text:tab/>таб</text:p>"#
        ));
        assert!(content.contains(r#"<table:table table:name="Скрит лист" table:style-name="ta2">"#));
        assert!(content.contains(r#"table:display="false""#));
        let meta = read_entry(&bytes, "meta.xml");
        assert!(meta.contains("<dc:title>Мониторинг „Социални услуги“ 2016</dc:title>"));
        assert!(meta.contains(
            r#"<meta:user-defined meta:name="Област" meta:value-type="string">София – област</meta:user-defined>"#
        ));
    }

    #[test]
    fn merge_without_value_and_empty_sheet() {
        let book = Book {
            sheets: vec![
                BookSheet {
                    name: "Празен".to_owned(),
                    ..BookSheet::default()
                },
                BookSheet {
                    name: "Сливане".to_owned(),
                    cells: vec![BookCell {
                        row: 0,
                        col: 3,
                        value: BookValue::Number(1.0),
                    }],
                    merges: vec![Merge {
                        first_row: 0,
                        first_col: 0,
                        last_row: 1,
                        last_col: 1,
                    }],
                    ..BookSheet::default()
                },
            ],
            ..Book::default()
        };
        let bytes = ods_bytes(&book);
        let content = read_entry(&bytes, "content.xml");
        assert!(content.contains(concat!(
            r#"<table:table-row><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2"/>"#,
            r#"<table:covered-table-cell/><table:table-cell/><table:table-cell office:value-type="float" office:value="1">"#,
        )));
        assert_same_content(&mut open(bytes), &book, true);
    }
}
