//! Writes a [`Book`] as an Excel 97–2003 workbook (.xls, BIFF8).
//!
//! Takes a validated book, gives the bytes of an OLE compound file holding
//! one `Workbook` stream. The stream is a sequence of BIFF8 records: the
//! workbook globals (fonts, formats, the cell formats Excel expects, one
//! BOUNDSHEET per sheet, the shared string table), then one substream per
//! sheet (dimensions, column widths, cells, window settings, merges).
//!
//! Text goes into the shared string table as UTF-16 (or Latin-1 where every
//! character fits, as Excel does), split over CONTINUE records past 8224
//! bytes. Numbers are NUMBER records (exact IEEE doubles), dates are NUMBER
//! records whose cell format uses the custom number format dd.mm.yyyy.
//!
//! Each record has its own function below, named after the record.

use std::collections::HashMap;
use std::io::{Cursor, Write};

use super::{Book, BookError, BookSheet, BookValue, DATE_FORMAT, Merge, excel_serial};

/// The most data one BIFF8 record may carry; longer data goes on in CONTINUE records.
const MAX_RECORD_DATA: usize = 8224;

/// Record identifiers (MS-XLS section 2.3).
mod id {
    pub const BOF: u16 = 0x0809;
    pub const EOF: u16 = 0x000A;
    pub const CODEPAGE: u16 = 0x0042;
    pub const WINDOW1: u16 = 0x003D;
    pub const DATEMODE: u16 = 0x0022;
    pub const FONT: u16 = 0x0031;
    pub const FORMAT: u16 = 0x041E;
    pub const XF: u16 = 0x00E0;
    pub const STYLE: u16 = 0x0293;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const SST: u16 = 0x00FC;
    pub const CONTINUE: u16 = 0x003C;
    pub const EXTSST: u16 = 0x00FF;
    pub const COLINFO: u16 = 0x007D;
    pub const DIMENSIONS: u16 = 0x0200;
    pub const LABELSST: u16 = 0x00FD;
    pub const NUMBER: u16 = 0x0203;
    pub const BOOLERR: u16 = 0x0205;
    pub const WINDOW2: u16 = 0x023E;
    pub const MERGEDCELLS: u16 = 0x00E5;
}

/// Index of the custom dd.mm.yyyy number format; custom formats start at 164.
const DATE_FORMAT_INDEX: u16 = 164;
/// The default cell format (XF 15 of Excel's 21 built-in XFs).
const GENERAL_XF: u16 = 15;
/// The cell format for dates, the first one after the built-in XFs.
const DATE_XF: u16 = 21;
/// The cell format for text with line breaks: wrapped, so every line shows.
const WRAP_XF: u16 = 22;
/// Excel's MERGEDCELLS record holds at most this many ranges.
const MAX_MERGES_PER_RECORD: usize = 1026;
/// Streams shorter than this go into the compound file's mini stream, which
/// Excel's own workbooks never use; small workbooks are padded with zeros to
/// stay on the layout every reader knows. Bytes after the last EOF are
/// never read as records.
const MIN_STREAM_LEN: usize = 4096;

pub(super) fn write(book: &Book) -> Result<Vec<u8>, BookError> {
    let strings = SharedStrings::collect(book);
    let mut stream = Vec::new();
    let sheet_offsets = globals(&mut stream, book, &strings)?;
    let active = book.active_sheet();
    for (index, (sheet, offset_at)) in book.sheets.iter().zip(sheet_offsets).enumerate() {
        // BOUNDSHEET holds the absolute position of the sheet's BOF, known only now.
        let start = u32::try_from(stream.len()).map_err(|_| BookError::XlsTooLarge)?;
        stream[offset_at..offset_at + 4].copy_from_slice(&start.to_le_bytes());
        worksheet(&mut stream, sheet, &strings, index == active);
    }
    if stream.len() < MIN_STREAM_LEN {
        stream.resize(MIN_STREAM_LEN, 0);
    }
    compound_file(&stream)
}

/// Wraps the Workbook stream in a version 3 compound file (512-byte
/// sectors), the container Excel 97–2003 writes.
fn compound_file(stream: &[u8]) -> Result<Vec<u8>, BookError> {
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    let mut workbook = file.create_stream("/Workbook")?;
    workbook.write_all(stream)?;
    workbook.flush()?;
    drop(workbook);
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

/// Every distinct text in first-use order (sheet by sheet, row by row).
struct SharedStrings<'a> {
    strings: Vec<&'a str>,
    index: HashMap<&'a str, u32>,
    /// Number of text cells, which SST records besides the distinct count.
    uses: u32,
}

impl<'a> SharedStrings<'a> {
    fn collect(book: &'a Book) -> SharedStrings<'a> {
        let mut shared = SharedStrings {
            strings: Vec::new(),
            index: HashMap::new(),
            uses: 0,
        };
        for sheet in &book.sheets {
            for cell in sheet.sorted_cells() {
                if let BookValue::Text(text) = &cell.value {
                    shared.uses = shared.uses.saturating_add(1);
                    let next = shared.strings.len() as u32;
                    shared.index.entry(text.as_str()).or_insert_with(|| {
                        shared.strings.push(text.as_str());
                        next
                    });
                }
            }
        }
        shared
    }

    fn index_of(&self, text: &str) -> u32 {
        // Every text cell was collected above.
        self.index.get(text).copied().unwrap_or(0)
    }
}

/// Appends one record: identifier, data length, data.
fn record(out: &mut Vec<u8>, id: u16, data: &[u8]) {
    debug_assert!(data.len() <= MAX_RECORD_DATA, "record {id:#06x} too long");
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// Little-endian byte building for record data.
trait Put {
    fn u8(&mut self, v: u8) -> &mut Self;
    fn u16(&mut self, v: u16) -> &mut Self;
    fn u32(&mut self, v: u32) -> &mut Self;
}

impl Put for Vec<u8> {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.push(v);
        self
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.extend_from_slice(&v.to_le_bytes());
        self
    }
}

/// The characters of a BIFF8 unicode string: Latin-1 bytes ("compressed",
/// flag 0) when every UTF-16 unit fits in a byte, else UTF-16LE (flag 1).
struct Chars {
    units: Vec<u16>,
    wide: bool,
}

impl Chars {
    fn new(text: &str) -> Chars {
        let units: Vec<u16> = text.encode_utf16().collect();
        let wide = units.iter().any(|&u| u > 0xFF);
        Chars { units, wide }
    }

    fn flags(&self) -> u8 {
        u8::from(self.wide)
    }

    fn unit_len(&self) -> usize {
        if self.wide { 2 } else { 1 }
    }

    fn put(&self, out: &mut Vec<u8>, units: &[u16]) {
        for &unit in units {
            if self.wide {
                out.u16(unit);
            } else {
                // Fits: `wide` is false only when every unit is <= 0xFF.
                out.u8(unit as u8);
            }
        }
    }
}

/// A string with an 8-bit length (ShortXLUnicodeString): sheet and font names.
fn short_string(out: &mut Vec<u8>, text: &str) {
    let chars = Chars::new(text);
    // Callers pass names of at most 31 characters.
    out.u8(chars.units.len() as u8).u8(chars.flags());
    chars.put(out, &chars.units);
}

/// A string with a 16-bit length (XLUnicodeString): format codes.
fn long_string(out: &mut Vec<u8>, text: &str) {
    let chars = Chars::new(text);
    out.u16(chars.units.len() as u16).u8(chars.flags());
    chars.put(out, &chars.units);
}

// ---------------------------------------------------------------------------
// Workbook globals

/// Writes the globals substream and returns, per sheet, where its
/// BOUNDSHEET record keeps the sheet's stream position (patched later).
fn globals(out: &mut Vec<u8>, book: &Book, strings: &SharedStrings<'_>) -> Result<Vec<usize>, BookError> {
    bof(out, BofKind::Globals);
    codepage(out);
    window1(out, book.active_sheet());
    datemode(out);
    // Excel expects at least five FONT records; index 4 is never used.
    for _ in 0..5 {
        font(out);
    }
    format(out, DATE_FORMAT_INDEX, DATE_FORMAT);
    for &(font, format, kind) in &BUILT_IN_XFS {
        xf(out, font, format, kind);
    }
    // DATE_XF and WRAP_XF, right after the built-in XFs.
    let date = XfKind::Cell {
        own_number_format: true,
        wrap: false,
    };
    xf(out, 0, DATE_FORMAT_INDEX, date);
    let wrap = XfKind::Cell {
        own_number_format: false,
        wrap: true,
    };
    xf(out, 0, 0, wrap);
    for &(xf_index, builtin) in &BUILT_IN_STYLES {
        style(out, xf_index, builtin);
    }
    let offsets = book.sheets.iter().map(|sheet| boundsheet(out, sheet)).collect();
    sst(out, strings)?;
    eof(out);
    Ok(offsets)
}

#[derive(Clone, Copy)]
enum BofKind {
    Globals,
    Worksheet,
}

/// BOF: starts a substream; BIFF8 (0x0600) as written by Excel 97.
fn bof(out: &mut Vec<u8>, kind: BofKind) {
    let substream = match kind {
        BofKind::Globals => 0x0005,
        BofKind::Worksheet => 0x0010,
    };
    let mut data = Vec::with_capacity(16);
    data.u16(0x0600) // BIFF8
        .u16(substream)
        .u16(0x0DBB) // build of the writing application
        .u16(0x07CC) // its year (1996)
        .u32(0) // file history flags
        .u32(0x06); // lowest BIFF version that can read the file
    record(out, id::BOF, &data);
}

/// EOF: ends a substream.
fn eof(out: &mut Vec<u8>) {
    record(out, id::EOF, &[]);
}

/// CODEPAGE: 1200, i.e. strings are UTF-16.
fn codepage(out: &mut Vec<u8>) {
    record(out, id::CODEPAGE, &1200u16.to_le_bytes());
}

/// WINDOW1: the workbook window, showing the first visible sheet.
fn window1(out: &mut Vec<u8>, active_sheet: usize) {
    let active = u16::try_from(active_sheet).unwrap_or(0);
    let mut data = Vec::with_capacity(18);
    data.u16(0x0168) // left, in twips
        .u16(0x001E) // top
        .u16(0x4D3E) // width
        .u16(0x2CC9) // height
        .u16(0x0038) // horizontal and vertical scroll bars, sheet tabs shown
        .u16(active) // active sheet
        .u16(0) // first tab shown in the tab bar
        .u16(1) // one selected sheet
        .u16(600); // tab bar width ratio, per mille
    record(out, id::WINDOW1, &data);
}

/// DATEMODE: dates count from 1900, not 1904.
fn datemode(out: &mut Vec<u8>) {
    record(out, id::DATEMODE, &0u16.to_le_bytes());
}

/// FONT: Arial 10 pt, regular, automatic colour.
fn font(out: &mut Vec<u8>) {
    let mut data = Vec::with_capacity(24);
    data.u16(200) // height in twentieths of a point
        .u16(0) // not italic, struck out, outlined or shadowed
        .u16(0x7FFF) // automatic colour
        .u16(400) // normal weight
        .u16(0) // no super/subscript
        .u8(0) // no underline
        .u8(0) // font family: don't care
        .u8(0) // ANSI character set (the strings themselves are UTF-16)
        .u8(0); // reserved
    short_string(&mut data, "Arial");
    record(out, id::FONT, &data);
}

/// FORMAT: a custom number format code under `index`.
fn format(out: &mut Vec<u8>, index: u16, code: &str) {
    let mut data = Vec::new();
    data.u16(index);
    long_string(&mut data, code);
    record(out, id::FORMAT, &data);
}

#[derive(Clone, Copy)]
enum XfKind {
    /// A cell style; the flags say which attribute groups it leaves unset.
    Style { ignored: u8 },
    /// A cell format derived from the Normal style (XF 0), possibly with
    /// its own number format or wrapped text.
    Cell { own_number_format: bool, wrap: bool },
}

/// The 21 XFs Excel writes into every workbook: 15 style XFs (Normal and
/// the outline-level styles), the default cell XF 15, and the Comma,
/// Comma [0], Currency, Currency [0] and Percent styles (16–20), as
/// (font, number format, kind).
const BUILT_IN_XFS: [(u16, u16, XfKind); 21] = {
    const NORMAL: XfKind = XfKind::Style { ignored: 0 };
    const LEVEL: XfKind = XfKind::Style { ignored: 0xF4 };
    const NUMBER: XfKind = XfKind::Style { ignored: 0xF8 };
    const CELL: XfKind = XfKind::Cell {
        own_number_format: false,
        wrap: false,
    };
    [
        (0, 0, NORMAL),
        (1, 0, LEVEL),
        (1, 0, LEVEL),
        (2, 0, LEVEL),
        (2, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, LEVEL),
        (0, 0, CELL),
        (1, 0x2B, NUMBER),
        (1, 0x29, NUMBER),
        (1, 0x2C, NUMBER),
        (1, 0x2A, NUMBER),
        (1, 0x09, NUMBER),
    ]
};

/// The built-in STYLE records Excel writes, as (style XF, built-in style id):
/// Comma, Comma [0], Currency, Currency [0], Normal, Percent.
const BUILT_IN_STYLES: [(u16, u8); 6] = [(16, 3), (17, 6), (18, 4), (19, 7), (0, 0), (20, 5)];

/// XF: one cell or style format: font, number format, bottom alignment, no
/// borders, no fill (the fill colours are the system defaults 64 and 65).
fn xf(out: &mut Vec<u8>, font: u16, number_format: u16, kind: XfKind) {
    let (type_and_parent, attributes, alignment) = match kind {
        // Locked, style XF, parent 0xFFF (none).
        XfKind::Style { ignored } => (0xFFF5, ignored, 0x20),
        // Locked, cell XF, parent style XF 0. The attribute flags say which
        // groups override the style's: 0x04 number format, 0x10 alignment.
        XfKind::Cell {
            own_number_format,
            wrap,
        } => {
            let number = if own_number_format { 0x04 } else { 0 };
            let (align_flag, alignment) = if wrap { (0x10, 0x28) } else { (0, 0x20) };
            (0x0001, number | align_flag, alignment)
        }
    };
    let mut data = Vec::with_capacity(20);
    data.u16(font)
        .u16(number_format)
        .u16(type_and_parent)
        .u8(alignment) // general horizontal, bottom vertical; 0x08 wraps
        .u8(0) // no rotation
        .u8(0) // no indent
        .u8(attributes)
        .u32(0) // no borders
        .u32(0)
        .u16(0x20C0); // pattern colours 64/65
    record(out, id::XF, &data);
}

/// STYLE: names a built-in style for a style XF.
fn style(out: &mut Vec<u8>, xf_index: u16, builtin: u8) {
    let mut data = Vec::with_capacity(4);
    data.u16(0x8000 | xf_index).u8(builtin).u8(0xFF);
    record(out, id::STYLE, &data);
}

/// BOUNDSHEET: a sheet's name, visibility and stream position. Returns
/// where the position goes in `out`; it is written as 0 until known.
fn boundsheet(out: &mut Vec<u8>, sheet: &BookSheet) -> usize {
    let mut data = Vec::new();
    data.u32(0).u8(u8::from(sheet.hidden)).u8(0); // worksheet
    short_string(&mut data, &sheet.name);
    let position_at = out.len() + 4;
    record(out, id::BOUNDSHEET, &data);
    position_at
}

/// Where one bucket of EXTSST starts: the record (SST or CONTINUE) holding
/// the bucket's first string and that string's offset in the record's data.
struct BucketStart {
    record: usize,
    offset: usize,
}

/// The data of a record too long for one: the first part and the CONTINUE parts.
struct Continued {
    parts: Vec<Vec<u8>>,
}

impl Continued {
    fn new() -> Continued {
        Continued {
            parts: vec![Vec::new()],
        }
    }

    fn index(&self) -> usize {
        self.parts.len() - 1
    }

    /// The part being filled; there is always one.
    fn last(&mut self) -> &mut Vec<u8> {
        let index = self.index();
        &mut self.parts[index]
    }

    fn room(&self) -> usize {
        MAX_RECORD_DATA - self.parts[self.index()].len()
    }

    fn start_part(&mut self) {
        self.parts.push(Vec::new());
    }
}

/// SST: the shared strings, split over CONTINUE records, then EXTSST.
///
/// A string's header (length and flags) and its first character never go
/// into different records; when characters run on into a CONTINUE record,
/// that record starts with the flags byte again. A surrogate pair is never
/// split.
fn sst(out: &mut Vec<u8>, strings: &SharedStrings<'_>) -> Result<(), BookError> {
    let unique = u32::try_from(strings.strings.len()).map_err(|_| BookError::XlsTooLarge)?;
    let per_bucket = ext_sst_bucket_size(strings.strings.len());

    let mut sst = Continued::new();
    let mut buckets = Vec::new();
    sst.last().u32(strings.uses).u32(unique);
    for (i, text) in strings.strings.iter().enumerate() {
        let chars = Chars::new(text);
        // Header (3 bytes) plus the first character, up to a surrogate pair.
        if sst.room() < 3 + 4 {
            sst.start_part();
        }
        if i % per_bucket == 0 {
            let (record, offset) = (sst.index(), sst.last().len());
            buckets.push(BucketStart { record, offset });
        }
        // Validation keeps texts within 32767 UTF-16 units.
        sst.last().u16(chars.units.len() as u16).u8(chars.flags());

        let mut rest: &[u16] = &chars.units;
        loop {
            let mut take = (sst.room() / chars.unit_len()).min(rest.len());
            if take < rest.len() && take > 0 && is_high_surrogate(rest[take - 1]) {
                take -= 1;
            }
            chars.put(sst.last(), &rest[..take]);
            rest = &rest[take..];
            if rest.is_empty() {
                break;
            }
            sst.start_part();
            sst.last().u8(chars.flags());
        }
    }

    let mut record_starts = Vec::with_capacity(sst.parts.len());
    for (n, data) in sst.parts.iter().enumerate() {
        record_starts.push(out.len());
        record(out, if n == 0 { id::SST } else { id::CONTINUE }, data);
    }
    extsst(out, per_bucket, &buckets, &record_starts)
}

fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

/// Strings per EXTSST bucket: at least 8, and at most 128 buckets.
fn ext_sst_bucket_size(strings: usize) -> usize {
    strings.div_ceil(128).max(8)
}

/// EXTSST: where every `per_bucket`-th string starts, so Excel can find
/// strings without reading the whole table.
fn extsst(
    out: &mut Vec<u8>,
    per_bucket: usize,
    buckets: &[BucketStart],
    record_starts: &[usize],
) -> Result<(), BookError> {
    let mut data = Vec::with_capacity(2 + 8 * buckets.len());
    data.u16(per_bucket as u16);
    for bucket in buckets {
        // Offsets count the 4-byte record header.
        let in_record = bucket.offset + 4;
        let absolute = record_starts[bucket.record] + in_record;
        let absolute = u32::try_from(absolute).map_err(|_| BookError::XlsTooLarge)?;
        data.u32(absolute).u16(in_record as u16).u16(0);
    }
    record(out, id::EXTSST, &data);
    Ok(())
}

// ---------------------------------------------------------------------------
// Worksheets

/// Writes one worksheet substream; `active` marks the sheet shown on opening.
fn worksheet(out: &mut Vec<u8>, sheet: &BookSheet, strings: &SharedStrings<'_>, active: bool) {
    bof(out, BofKind::Worksheet);
    for (col, width) in sheet.widths() {
        colinfo(out, col, width);
    }
    let cells = sheet.sorted_cells();
    dimensions(out, &cells);
    for cell in cells {
        // Validation keeps rows below 65536 and columns below 256.
        let (row, col) = (cell.row as u16, cell.col);
        match &cell.value {
            BookValue::Text(text) => {
                let xf = if text.contains('\n') { WRAP_XF } else { GENERAL_XF };
                labelsst(out, row, col, xf, strings.index_of(text));
            }
            BookValue::Number(n) => number(out, row, col, GENERAL_XF, *n),
            BookValue::Date(date) => number(out, row, col, DATE_XF, excel_serial(*date)),
            BookValue::Bool(b) => boolerr(out, row, col, *b),
        }
    }
    window2(out, active);
    for chunk in sheet.merges.chunks(MAX_MERGES_PER_RECORD) {
        mergedcells(out, chunk);
    }
    eof(out);
}

/// COLINFO: the width of one column, in 1/256 of a character.
fn colinfo(out: &mut Vec<u8>, col: u16, width: f64) {
    // Validation keeps the width within 0..=255.
    let width = (width * 256.0).round() as u16;
    let mut data = Vec::with_capacity(12);
    data.u16(col).u16(col).u16(width).u16(GENERAL_XF).u16(0).u16(0);
    record(out, id::COLINFO, &data);
}

/// DIMENSIONS: the used area, last row and column exclusive; all zero for
/// an empty sheet.
fn dimensions(out: &mut Vec<u8>, cells: &[&super::BookCell]) {
    let first_row = cells.iter().map(|c| c.row).min().unwrap_or(0);
    let last_row = cells.iter().map(|c| c.row + 1).max().unwrap_or(0);
    let first_col = cells.iter().map(|c| c.col).min().unwrap_or(0);
    let last_col = cells.iter().map(|c| c.col + 1).max().unwrap_or(0);
    let mut data = Vec::with_capacity(14);
    data.u32(first_row).u32(last_row).u16(first_col).u16(last_col).u16(0);
    record(out, id::DIMENSIONS, &data);
}

/// LABELSST: a text cell, pointing into the shared string table.
fn labelsst(out: &mut Vec<u8>, row: u16, col: u16, xf: u16, string: u32) {
    let mut data = Vec::with_capacity(10);
    data.u16(row).u16(col).u16(xf).u32(string);
    record(out, id::LABELSST, &data);
}

/// NUMBER: a number cell, stored as the exact IEEE double.
fn number(out: &mut Vec<u8>, row: u16, col: u16, xf: u16, value: f64) {
    let mut data = Vec::with_capacity(14);
    data.u16(row).u16(col).u16(xf);
    data.extend_from_slice(&value.to_le_bytes());
    record(out, id::NUMBER, &data);
}

/// BOOLERR: a boolean cell.
fn boolerr(out: &mut Vec<u8>, row: u16, col: u16, value: bool) {
    let mut data = Vec::with_capacity(8);
    data.u16(row).u16(col).u16(GENERAL_XF).u8(u8::from(value)).u8(0); // 0: a boolean, not an error
    record(out, id::BOOLERR, &data);
}

/// WINDOW2: the sheet window: grid lines, headers, zeros and outline
/// symbols shown; selected and shown if it is the active sheet.
fn window2(out: &mut Vec<u8>, active: bool) {
    let flags = if active { 0x06B6 } else { 0x00B6 };
    let mut data = Vec::with_capacity(18);
    data.u16(flags)
        .u16(0) // top row shown
        .u16(0) // left column shown
        .u32(64) // grid line colour: automatic
        .u16(0) // zoom in page break preview: default
        .u16(0) // zoom in normal view: default
        .u32(0); // reserved
    record(out, id::WINDOW2, &data);
}

/// MERGEDCELLS: up to 1026 merged ranges.
fn mergedcells(out: &mut Vec<u8>, merges: &[Merge]) {
    let mut data = Vec::with_capacity(2 + 8 * merges.len());
    data.u16(merges.len() as u16);
    for m in merges {
        // Validation keeps rows below 65536.
        data.u16(m.first_row as u16)
            .u16(m.last_row as u16)
            .u16(m.first_col)
            .u16(m.last_col);
    }
    record(out, id::MERGEDCELLS, &data);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same_content, book_merges, merge_tuples, open, sample_book};
    use super::super::{Book, BookCell, BookError, BookFormat, BookSheet, BookValue, Merge};
    use super::id;
    use calamine::{Reader, Sheets};
    use std::io::{Cursor, Read};

    fn xls_bytes(book: &Book) -> Vec<u8> {
        book.to_bytes(BookFormat::Xls).expect("xls is written")
    }

    /// The Workbook stream inside the compound file.
    fn workbook_stream(bytes: Vec<u8>) -> Vec<u8> {
        let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).expect("a compound file");
        let mut stream = Vec::new();
        file.open_stream("/Workbook")
            .expect("Workbook stream")
            .read_to_end(&mut stream)
            .expect("readable");
        stream
    }

    /// The records of the globals substream as (position, id, data), up to its EOF.
    fn global_records(stream: &[u8]) -> Vec<(usize, u16, &[u8])> {
        let mut records = Vec::new();
        let mut pos = 0;
        loop {
            let kind = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
            let len = usize::from(u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]));
            records.push((pos, kind, &stream[pos + 4..pos + 4 + len]));
            pos += 4 + len;
            if kind == id::EOF {
                return records;
            }
        }
    }

    fn one_sheet(cells: Vec<BookCell>, merges: Vec<Merge>) -> Book {
        Book {
            sheets: vec![BookSheet {
                name: "Лист1".to_owned(),
                cells,
                merges,
                ..BookSheet::default()
            }],
            ..Book::default()
        }
    }

    #[test]
    fn round_trips_values_types_visibility_and_merges() {
        let book = sample_book();
        let mut sheets = open(xls_bytes(&book));
        assert!(matches!(sheets, Sheets::Xls(_)));
        assert_same_content(&mut sheets, &book, false);
        let Sheets::Xls(xls) = &sheets else {
            unreachable!("checked above")
        };
        for sheet in &book.sheets {
            let merges = xls.merge_cells_by_sheet_name(&sheet.name).expect("sheet exists");
            assert_eq!(merge_tuples(&merges), book_merges(sheet), "{}", sheet.name);
        }
    }

    #[test]
    fn globals_have_the_records_excel_expects() {
        let stream = workbook_stream(xls_bytes(&sample_book()));
        let records = global_records(&stream);
        let count = |kind| records.iter().filter(|r| r.1 == kind).count();
        assert_eq!(records[0].1, id::BOF);
        assert_eq!(count(id::FONT), 5);
        assert_eq!(count(id::XF), 23);
        assert_eq!(count(id::BOUNDSHEET), 3);
        // Every BOUNDSHEET points at a worksheet BOF.
        for (_, _, data) in records.iter().filter(|r| r.1 == id::BOUNDSHEET) {
            let at = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
            assert_eq!(&stream[at..at + 2], &id::BOF.to_le_bytes());
            assert_eq!(&stream[at + 6..at + 8], &0x0010u16.to_le_bytes());
        }
        let hidden: Vec<u8> = records
            .iter()
            .filter(|r| r.1 == id::BOUNDSHEET)
            .map(|r| r.2[4])
            .collect();
        assert_eq!(hidden, [0, 1, 0]);
    }

    /// Deterministic pseudo-random Cyrillic strings of 20 to 60 characters.
    fn cyrillic_strings(count: usize) -> Vec<String> {
        let mut seed: u64 = 0x2016;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as u32
        };
        (0..count)
            .map(|i| {
                let len = 20 + next() % 41;
                let body: String = (0..len)
                    .map(|_| char::from_u32(0x0430 + next() % 32).unwrap_or('а'))
                    .collect();
                format!("{i} {body}")
            })
            .collect()
    }

    #[test]
    fn large_shared_string_table_uses_continue_records() {
        let mut texts = cyrillic_strings(3000);
        // Latin-1 only (stored compressed), surrogate pairs, and one string
        // longer than a whole record.
        texts.push("Latin-1 only: café".to_owned());
        texts.push("😀".repeat(5000));
        texts.push("ж".repeat(20_000));
        let cells = texts
            .iter()
            .enumerate()
            .map(|(i, t)| BookCell {
                row: (i / 4) as u32,
                col: (i % 4) as u16,
                value: BookValue::Text(t.clone()),
            })
            .collect();
        let book = one_sheet(cells, Vec::new());
        let bytes = xls_bytes(&book);

        let stream = workbook_stream(bytes.clone());
        let records = global_records(&stream);
        let sst_at = records.iter().position(|r| r.1 == id::SST).expect("SST");
        let continues = records[sst_at + 1..].iter().take_while(|r| r.1 == id::CONTINUE).count();
        assert!(continues >= 15, "only {continues} CONTINUE records");
        assert!(records.iter().all(|r| r.2.len() <= super::MAX_RECORD_DATA));

        // Each EXTSST bucket points at the length of its first string.
        let extsst = records.iter().find(|r| r.1 == id::EXTSST).expect("EXTSST").2;
        let per_bucket = usize::from(u16::from_le_bytes([extsst[0], extsst[1]]));
        let buckets = extsst[2..].chunks(8).collect::<Vec<_>>();
        assert_eq!(buckets.len(), texts.len().div_ceil(per_bucket));
        assert!(buckets.len() <= 128);
        for (n, bucket) in buckets.iter().enumerate() {
            let at = u32::from_le_bytes([bucket[0], bucket[1], bucket[2], bucket[3]]) as usize;
            let in_record = usize::from(u16::from_le_bytes([bucket[4], bucket[5]]));
            let record_id = u16::from_le_bytes([stream[at - in_record], stream[at - in_record + 1]]);
            assert!(record_id == id::SST || record_id == id::CONTINUE);
            let cch = usize::from(u16::from_le_bytes([stream[at], stream[at + 1]]));
            assert_eq!(cch, texts[n * per_bucket].encode_utf16().count());
        }

        assert_same_content(&mut open(bytes), &book, false);
    }

    #[test]
    fn many_merges_take_several_records() {
        let merges: Vec<Merge> = (0..1100)
            .map(|i| Merge {
                first_row: i,
                first_col: 0,
                last_row: i,
                last_col: 1,
            })
            .collect();
        let book = one_sheet(Vec::new(), merges);
        let sheets = open(xls_bytes(&book));
        let Sheets::Xls(xls) = &sheets else {
            panic!("not read as xls")
        };
        let merges = xls.merge_cells_by_sheet_name("Лист1").expect("sheet exists");
        assert_eq!(merge_tuples(&merges), book_merges(&book.sheets[0]));
    }

    #[test]
    fn rejects_cells_beyond_the_xls_grid() {
        let number = BookValue::Number(1.0);
        let last = one_sheet(
            vec![BookCell {
                row: 65_535,
                col: 255,
                value: number.clone(),
            }],
            Vec::new(),
        );
        let mut sheets = open(xls_bytes(&last));
        let range = sheets.worksheet_range("Лист1").expect("sheet exists");
        assert_eq!(range.get_value((65_535, 255)), Some(&calamine::Data::Float(1.0)));

        let row = one_sheet(
            vec![BookCell {
                row: 65_536,
                col: 0,
                value: number.clone(),
            }],
            Vec::new(),
        );
        assert!(matches!(row.to_bytes(BookFormat::Xls), Err(BookError::Cell { .. })));
        assert!(row.to_bytes(BookFormat::Xlsx).is_ok());
        let col = one_sheet(
            vec![BookCell {
                row: 0,
                col: 256,
                value: number,
            }],
            Vec::new(),
        );
        assert!(matches!(col.to_bytes(BookFormat::Xls), Err(BookError::Cell { .. })));
    }
}
