//! Hostile and broken files (issue #4): every file that is huge, crafted,
//! encrypted or broken becomes one `unreadable_file` or `unknown_template`
//! finding with a plain reason, costs bounded memory and time, and leaves
//! the other files of the folder to be read as usual. Big fixtures are made
//! here, quickly; the small encrypted ones live in `tests/fixtures/`.
//!
//! Memory is measured with a counting allocator: the bytes allocated on the
//! reading thread at the peak of a read, above what it held before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use socmon::book::{BookCell, BookFormat, BookSheet, BookValue};
use socmon::ingest::{self, FileRead, Limits, SkipReason};
use socmon::issue::{FileProblem, Issue, Lang, Messages};
use socmon::schema::Schemas;
use socmon::sheet::Sheet;

use super::support::*;

// ---- measuring ----------------------------------------------------------------

/// Counts the bytes allocated by each thread, and their peak.
struct Counting;

thread_local! {
    static NOW: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    // `try_with`: a thread being torn down has no counters any more.
    let _ = NOW.try_with(|now| {
        let value = now.get() + delta;
        now.set(value);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(value)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are thread-local cells with constant initialisers (no allocation).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and gives its result, how long it took and the most bytes it
/// had allocated at once on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, u64) {
    let start = NOW.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let began = Instant::now();
    let out = f();
    let took = began.elapsed();
    let peak = PEAK.with(Cell::get) - start;
    (out, took, peak.max(0) as u64)
}

const MIB: u64 = 1024 * 1024;

pub fn shared_schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(schemas)
}

/// Reads bytes as the pipeline does (the probe recognises templates).
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<FileRead, FileProblem> {
    let schemas = shared_schemas();
    let probe = |sheet: &Sheet| socmon::extract::recognise(sheet, schemas).is_some();
    ingest::read_bytes(bytes, limits, &schemas.common, &probe)
}

/// Reads with the default limits; gives the outcome, time and peak memory.
fn read(bytes: &[u8]) -> (Result<FileRead, FileProblem>, Duration, u64) {
    measure(|| read_with(bytes, &Limits::default()))
}

/// The Bulgarian message of an `unreadable_file` finding about `problem`.
fn message(problem: &FileProblem) -> String {
    let schemas = shared_schemas();
    let messages = Messages {
        lang: Lang::Bg,
        schemas,
    };
    messages.message(&Issue::error(
        socmon::issue::Location::file("x.xlsx"),
        socmon::issue::Finding::UnreadableFile {
            problem: problem.clone(),
        },
    ))
}

// ---- making files ---------------------------------------------------------------

fn card_sheet(name: &str) -> BookSheet {
    form_sheet("Карта", ADULTS_TITLE, &adults_card("Бяла", name), Style::default())
}

fn card_bytes(name: &str, format: BookFormat) -> Vec<u8> {
    book(vec![card_sheet(name)]).to_bytes(format).unwrap()
}

/// The parts of a zip package, by name, in order.
fn parts_of(package: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(package)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut part = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            (part.name().unwrap().to_string(), data)
        })
        .collect()
}

/// One entry of a hand-made zip: its data as stored, how it is compressed
/// and the inflated size and CRC its headers declare.
struct RawEntry {
    name: String,
    method: u16,
    data: Vec<u8>,
    declared: u64,
    crc: u32,
}

impl RawEntry {
    fn stored(name: &str, data: Vec<u8>) -> RawEntry {
        RawEntry {
            name: name.to_string(),
            method: 0,
            crc: crc32fast::hash(&data),
            declared: data.len() as u64,
            data,
        }
    }
}

/// A zip written by hand, so that sizes can lie (ZIP64 where they must).
fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = out.len() as u32;
        let big = entry.declared >= u64::from(u32::MAX);
        let (size32, zip64_extra) = if big {
            let mut extra = Vec::new();
            extra.extend(1u16.to_le_bytes());
            extra.extend(16u16.to_le_bytes());
            extra.extend(entry.declared.to_le_bytes());
            extra.extend((entry.data.len() as u64).to_le_bytes());
            (u32::MAX, extra)
        } else {
            (entry.declared as u32, Vec::new())
        };
        let compressed32 = if big { u32::MAX } else { entry.data.len() as u32 };
        let header = |sig: u32, central_dir: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central_dir {
                h.extend(45u16.to_le_bytes());
            }
            h.extend(45u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(entry.method.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(0x21u16.to_le_bytes());
            h.extend(entry.crc.to_le_bytes());
            h.extend(compressed32.to_le_bytes());
            h.extend(size32.to_le_bytes());
            h.extend((entry.name.len() as u16).to_le_bytes());
            h.extend((zip64_extra.len() as u16).to_le_bytes());
            if central_dir {
                h.extend([0u8; 6]);
                h.extend(0u32.to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(entry.name.as_bytes());
            h.extend(&zip64_extra);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&entry.data);
        central.extend(header(0x0201_4b50, true));
    }
    let central_at = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// Raw deflate data for `prefix` followed by `fill` bytes up to `total`
/// bytes, and the CRC of the whole: a 1 MiB block compressed once and
/// repeated (a sync flush makes each copy stand alone).
fn deflate_bomb(prefix: &[u8], fill: u8, total: u64) -> (Vec<u8>, u32) {
    use flate2::Compression;
    use flate2::write::DeflateEncoder;
    // What an encoder has written after a sync flush: whole bytes that
    // decode on their own, no final block.
    let flushed = |input: &[u8]| {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(input).unwrap();
        encoder.flush().unwrap();
        encoder.get_ref().clone()
    };
    let block = vec![fill; MIB as usize];
    let mut data = flushed(prefix);
    let chunk = flushed(&block);
    let mut crc = crc32fast::Hasher::new();
    crc.update(prefix);
    let mut left = total.saturating_sub(prefix.len() as u64);
    while left >= MIB {
        data.extend(&chunk);
        crc.update(&block);
        left -= MIB;
    }
    let tail = vec![fill; left as usize];
    let mut last = DeflateEncoder::new(Vec::new(), Compression::best());
    last.write_all(&tail).unwrap();
    data.extend(last.finish().unwrap());
    crc.update(&tail);
    (data, crc.finalize())
}

/// An .xlsx made by rust_xlsxwriter with some parts replaced or added.
fn xlsx_with(replace: Vec<RawEntry>) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet().write_string(0, 0, "x").unwrap();
    let base = workbook.save_to_buffer().unwrap();
    let mut entries: Vec<RawEntry> = parts_of(&base)
        .into_iter()
        .filter(|(name, _)| !replace.iter().any(|r| &r.name == name))
        .map(|(name, data)| RawEntry::stored(&name, data))
        .collect();
    entries.extend(replace);
    raw_zip(&entries)
}

/// A worksheet part holding `rows` of XML.
fn sheet_xml(rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

/// An .ods with the given body of `<table:table>` elements.
fn ods_with(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    raw_zip(&[
        RawEntry::stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        RawEntry::stored("content.xml", content.into_bytes()),
        RawEntry::stored("META-INF/manifest.xml", manifest.as_bytes().to_vec()),
    ])
}

/// The workbook stream of an .xls.
fn xls_stream(bytes: &[u8]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let mut stream = Vec::new();
    file.open_stream("/Workbook").unwrap().read_to_end(&mut stream).unwrap();
    stream
}

/// An .xls holding `stream` as its workbook stream.
fn xls_from_stream(stream: &[u8]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).unwrap();
    let mut out = file.create_stream("/Workbook").unwrap();
    out.write_all(stream).unwrap();
    drop(out);
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// Offsets of the records of a kind in a BIFF stream, from `from` on.
fn records_of_kind(stream: &[u8], kind: u16, from: usize) -> Vec<usize> {
    let mut at = from;
    let mut found = Vec::new();
    while at + 4 <= stream.len() {
        let k = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        if k == kind {
            found.push(at);
        }
        at += 4 + len;
    }
    found
}

fn biff(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut r = kind.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A NUMBER record: a filled cell at (row, col).
fn number_record(row: u16, col: u16) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend(row.to_le_bytes());
    data.extend(col.to_le_bytes());
    data.extend(15u16.to_le_bytes());
    data.extend(1.0f64.to_le_bytes());
    biff(0x0203, &data)
}

/// The position of the first sheet's BOF in an .xls stream (from BOUNDSHEET).
fn first_sheet_at(stream: &[u8]) -> usize {
    let at = records_of_kind(stream, 0x0085, 0)[0];
    u32::from_le_bytes([stream[at + 4], stream[at + 5], stream[at + 6], stream[at + 7]]) as usize
}

/// Inserts records into the first (only) sheet of an .xls right after its
/// DIMENSIONS record.
fn xls_with_sheet_records(bytes: &[u8], records: &[u8]) -> Vec<u8> {
    let mut stream = xls_stream(bytes);
    let sheet = first_sheet_at(&stream);
    let dims = records_of_kind(&stream, 0x0200, sheet)[0];
    let len = u16::from_le_bytes([stream[dims + 2], stream[dims + 3]]) as usize;
    let after = dims + 4 + len;
    stream.splice(after..after, records.iter().copied());
    xls_from_stream(&stream)
}

// ---- dense grids ------------------------------------------------------------------

#[test]
fn an_xlsx_with_cells_at_a1_and_xfd1048576_is_read_sparsely() {
    // A card, and one more cell at the last cell of the sheet: calamine's
    // dense grid would ask for 17 billion cells (512 GiB).
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, ADULTS_TITLE).unwrap();
    for (i, (label, value)) in adults_card("Бяла", "ДЦ Надежда").iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string(row, 0, *label).unwrap();
        match value {
            BookValue::Text(t) => sheet.write_string(row, 1, t).unwrap(),
            BookValue::Number(n) => sheet.write_number(row, 1, *n).unwrap(),
            BookValue::Date(d) => sheet.write_string(row, 1, d.format("%d.%m.%Y").to_string()).unwrap(),
            BookValue::Bool(b) => sheet.write_boolean(row, 1, *b).unwrap(),
        };
    }
    sheet.write_string(1_048_575, 16_383, "край").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    assert!(bytes.len() < 10_000, "{} bytes", bytes.len());

    let (read, took, peak) = read(&bytes);
    let read = read.unwrap();
    assert_eq!(read.workbook.sheets.len(), 1);
    let sheet = &read.workbook.sheets[0];
    assert_eq!(sheet.last_row(), Some(1_048_575));
    assert!(sheet.cell_count() < 50);
    assert!(peak < 16 * MIB, "peak {peak}");
    assert!(
        peak <= read.reserved_peak_bytes(),
        "{peak} > {}",
        read.reserved_peak_bytes()
    );
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Through the pipeline: the card is a record; the far cell is ignored.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("far.xlsx"), &bytes).unwrap();
    let run = check(dir.path());
    assert_eq!(run.records.len(), 1);
    assert!(run.issues.iter().all(|i| i.code() != "unreadable_file"));
}

#[test]
fn an_xls_spanning_a1_to_iv65536_is_refused_before_calamine_allocates() {
    let mut sheet = card_sheet("ДЦ");
    sheet.cells.push(BookCell {
        row: 65_535,
        col: 255,
        value: t("край"),
    });
    let bytes = book(vec![sheet]).to_bytes(BookFormat::Xls).unwrap();
    let (read, took, peak) = read(&bytes);
    let problem = read.unwrap_err();
    assert!(matches!(problem, FileProblem::TooManyCells { .. }), "{problem:?}");
    assert!(peak < 16 * MIB, "peak {peak}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let text = message(&problem);
    assert!(text.contains("Карта"), "{text}");
    assert!(text.contains("1\u{a0}000\u{a0}000 клетки"), "{text}");
}

/// A card in an .xls whose DIMENSIONS record claims 4 billion rows.
fn xls_forged_dimensions() -> Vec<u8> {
    let bytes = card_bytes("ДЦ", BookFormat::Xls);
    let mut stream = xls_stream(&bytes);
    let sheet = first_sheet_at(&stream);
    let dims = records_of_kind(&stream, 0x0200, sheet)[0];
    let mut forged = Vec::new();
    forged.extend(0u32.to_le_bytes());
    forged.extend(u32::MAX.to_le_bytes());
    forged.extend(0u16.to_le_bytes());
    forged.extend(256u16.to_le_bytes());
    forged.extend(0u16.to_le_bytes());
    stream[dims + 4..dims + 18].copy_from_slice(&forged);
    xls_from_stream(&stream)
}

#[test]
fn a_forged_xls_dimensions_record_costs_nothing() {
    // DIMENSIONS claims rows 0..4294967295 and columns 0..255: calamine
    // reserves room for that many cells before it reads one (and aborts the
    // process when the allocation fails). The guard zeroes the record.
    let (read, took, peak) = read(&xls_forged_dimensions());
    let read = read.unwrap();
    assert_eq!(read.workbook.sheets.len(), 1);
    assert!(peak < 16 * MIB, "peak {peak}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// A card in an .xls whose sheet has an embedded chart, then a cell at IV65536.
fn xls_after_chart() -> Vec<u8> {
    let mut records = Vec::new();
    let mut chart_bof = Vec::new();
    chart_bof.extend(0x0600u16.to_le_bytes());
    chart_bof.extend(0x0020u16.to_le_bytes());
    chart_bof.extend([0u8; 12]);
    records.extend(biff(0x0809, &chart_bof));
    records.extend(biff(0x000A, &[]));
    records.extend(number_record(65_535, 255));
    xls_with_sheet_records(&card_bytes("ДЦ", BookFormat::Xls), &records)
}

#[test]
fn cells_after_an_embedded_chart_still_count_for_their_sheet() {
    // calamine skips an embedded chart's substream and goes on reading the
    // sheet after it; so must the guard.
    let (read, _, peak) = read(&xls_after_chart());
    assert!(matches!(read, Err(FileProblem::TooManyCells { .. })), "{read:?}");
    assert!(peak < 16 * MIB, "peak {peak}");
}

/// An .xls whose workbook lists its one sheet 1001 times.
fn xls_thousand_sheets() -> Vec<u8> {
    let bytes = card_bytes("ДЦ", BookFormat::Xls);
    let mut stream = xls_stream(&bytes);
    let at = records_of_kind(&stream, 0x0085, 0)[0];
    let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
    let entry = stream[at..at + 4 + len].to_vec();
    let copies: Vec<u8> = (0..1000).flat_map(|_| entry.clone()).collect();
    let shift = copies.len() as u32;
    stream.splice(at..at, copies);
    // The sheet moved: every entry (copies and original) points at its new place.
    for at in records_of_kind(&stream, 0x0085, 0) {
        let pos = u32::from_le_bytes([stream[at + 4], stream[at + 5], stream[at + 6], stream[at + 7]]) + shift;
        stream[at + 4..at + 8].copy_from_slice(&pos.to_le_bytes());
    }
    xls_from_stream(&stream)
}

#[test]
fn an_xls_listing_one_sheet_a_thousand_times_is_refused() {
    // BOUNDSHEET records all pointing at the same sheet: calamine would parse
    // it once per entry.
    let (read, took, _) = read(&xls_thousand_sheets());
    assert!(
        matches!(
            read,
            Err(FileProblem::TooManySheets {
                sheets: 1001,
                limit: 500
            })
        ),
        "{read:?}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

fn ods_cell(text: &str) -> String {
    format!(r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#)
}

/// An .ods with A1 and a cell a million rows and 16,000 columns away.
fn ods_far() -> Vec<u8> {
    ods_with(&format!(
        r#"<table:table table:name="Лист1"><table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/>{}</table:table-row></table:table>"#,
        ods_cell("а"),
        ods_cell("б")
    ))
}

#[test]
fn an_ods_repeating_rows_and_columns_is_refused_or_read_cheaply() {
    let cell = ods_cell;
    // A1, then a cell a million rows and 16,000 columns away.
    let far = ods_far();
    // One string repeated over 16,000 columns in 1,000 rows.
    let repeated = ods_with(&format!(
        r#"<table:table table:name="Лист1"><table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="string" table:number-columns-repeated="16000"><text:p>{}</text:p></table:table-cell></table:table-row></table:table>"#,
        "дълъг текст ".repeat(20)
    ));
    // Two billion spaces in one cell.
    let spaces = ods_with(
        r#"<table:table table:name="Лист1"><table:table-row><table:table-cell office:value-type="string"><text:p>а<text:s text:c="2000000000"/>б</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    // Many short rows, each with one value at the far right: calamine holds
    // every row up to its last value while it parses.
    let wide = ods_with(&format!(
        r#"<table:table table:name="Лист1">{}</table:table>"#,
        format!(
            r#"<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{}</table:table-row>"#,
            cell("x")
        )
        .repeat(200)
    ));
    for (name, bytes) in [("far", far), ("repeated", repeated), ("spaces", spaces), ("wide", wide)] {
        let (read, took, peak) = read(&bytes);
        match read {
            Err(
                FileProblem::TooManyCells { .. }
                | FileProblem::InflatesTooMuch { .. }
                | FileProblem::TextTooLong { .. },
            ) => {}
            other => panic!("{name}: {other:?}"),
        }
        assert!(peak < 32 * MIB, "{name}: peak {peak}");
        assert!(took < Duration::from_secs(3), "{name}: {took:?}");
    }

    // LibreOffice ends every table with a million repeated empty rows of a
    // thousand empty cells: that is nothing, and is read as such.
    let card = card_bytes("ДЦ", BookFormat::Ods);
    let mut parts = parts_of(&card);
    let content = parts.iter_mut().find(|(n, _)| n == "content.xml").unwrap();
    let text = String::from_utf8(content.1.clone()).unwrap();
    let tail = r#"<table:table-row table:number-rows-repeated="1048500"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
    content.1 = text.replacen("</table:table>", tail, 1).into_bytes();
    let entries: Vec<RawEntry> = parts.into_iter().map(|(n, d)| RawEntry::stored(&n, d)).collect();
    let (read, _, peak) = read(&raw_zip(&entries));
    let read = read.unwrap();
    assert_eq!(read.workbook.sheets.len(), 1);
    assert!(peak < 32 * MIB, "peak {peak}");
}

// ---- bombs --------------------------------------------------------------------------

const GIB: u64 = 1024 * MIB;

fn bomb() -> &'static (Vec<u8>, u32) {
    static BOMB: OnceLock<(Vec<u8>, u32)> = OnceLock::new();
    BOMB.get_or_init(|| {
        let head = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
        deflate_bomb(head.as_bytes(), b' ', GIB)
    })
}

fn bomb_entry(name: &str, declared: u64) -> RawEntry {
    let (data, crc) = bomb();
    RawEntry {
        name: name.to_string(),
        method: 8,
        data: data.clone(),
        declared,
        crc: *crc,
    }
}

#[test]
fn a_zip_bomb_that_declares_its_size_is_refused_unread() {
    let bytes = xlsx_with(vec![bomb_entry("xl/worksheets/sheet1.xml", GIB)]);
    assert!(bytes.len() < 2 * MIB as usize, "{} bytes", bytes.len());
    let (read, took, peak) = read(&bytes);
    let problem = read.unwrap_err();
    assert!(
        matches!(problem, FileProblem::InflatesTooMuch { bytes, limit } if bytes > GIB && limit == 256 * MIB),
        "{problem:?}"
    );
    assert!(peak < 32 * MIB, "peak {peak}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        message(&problem).contains("границата е 256,0 MiB"),
        "{}",
        message(&problem)
    );
}

#[test]
fn a_zip_bomb_that_lies_about_its_size_stops_at_the_declared_size() {
    // The headers say 4 KiB; the data inflates to 1 GiB. The zip reader
    // stops at the declared size, the sheet is cut short.
    for part in ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"] {
        let bytes = xlsx_with(vec![bomb_entry(part, 4096)]);
        let (read, took, peak) = read(&bytes);
        let problem = read.unwrap_err();
        assert!(
            matches!(&problem, FileProblem::Damaged { detail } if detail.contains("declared uncompressed size")),
            "{part}: {problem:?}"
        );
        assert!(peak < 32 * MIB, "{part}: peak {peak}");
        assert!(took < Duration::from_secs(2), "{part}: {took:?}");
    }
}

/// An .xlsx whose shared string is ten levels of ten nested entities.
fn billion_laughs() -> Vec<u8> {
    // "Billion laughs": ten levels of ten references, 10^9 "lol"s if expanded.
    let mut doctype = String::from(r#"<!DOCTYPE sst [<!ENTITY lol0 "lol">"#);
    for level in 1..=9 {
        doctype.push_str(&format!(r#"<!ENTITY lol{level} ""#));
        for _ in 0..10 {
            doctype.push_str(&format!("&lol{};", level - 1));
        }
        doctype.push_str("\">");
    }
    doctype.push(']');
    doctype.push('>');
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{doctype}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"#
    );
    let sheet = sheet_xml(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    xlsx_with(vec![
        RawEntry::stored("xl/sharedStrings.xml", shared.into_bytes()),
        RawEntry::stored("xl/worksheets/sheet1.xml", sheet),
    ])
}

#[test]
fn nested_entities_in_shared_strings_are_not_expanded() {
    let (read, took, peak) = read(&billion_laughs());
    match read {
        // quick-xml does not expand entities it does not know: calamine refuses.
        Err(FileProblem::Damaged { .. }) => {}
        // Or reads the text as written; never three billion characters.
        Ok(read) => {
            let longest = read
                .workbook
                .sheets
                .iter()
                .flat_map(|s| s.rows())
                .flat_map(|(_, cells)| cells)
                .filter_map(|c| c.value.as_text().map(str::len))
                .max()
                .unwrap_or(0);
            assert!(longest < 1000, "{longest}");
        }
        Err(other) => panic!("{other:?}"),
    }
    assert!(peak < 16 * MIB, "peak {peak}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

/// An .xlsx with a million rows, none of them a template's.
fn million_rows() -> Vec<u8> {
    let mut rows = String::with_capacity(40_000_000);
    for r in 1..=1_000_000u32 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let xml = sheet_xml(&rows);
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&xml).unwrap();
    xlsx_with(vec![RawEntry {
        name: "xl/worksheets/sheet1.xml".into(),
        method: 8,
        declared: xml.len() as u64,
        crc: crc32fast::hash(&xml),
        data: encoder.finish().unwrap(),
    }])
}

#[test]
fn a_million_row_sheet_that_is_no_template_is_dropped_after_its_first_rows() {
    let bytes = million_rows();
    let (read, took, peak) = read(&bytes);
    let read = read.unwrap();
    assert!(read.workbook.sheets.is_empty());
    assert_eq!(read.workbook.skipped.len(), 1);
    assert_eq!(read.workbook.skipped[0].reason, SkipReason::NoTemplateInFirstRows);
    assert!(peak < 16 * MIB, "peak {peak}");
    assert!(
        peak <= read.reserved_peak_bytes(),
        "{peak} > {}",
        read.reserved_peak_bytes()
    );
    assert!(took < Duration::from_secs(2), "{took:?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("million.xlsx"), &bytes).unwrap();
    let run = check(dir.path());
    let codes: Vec<&str> = run
        .issues
        .iter()
        .filter(|i| i.location.file == "million.xlsx")
        .map(|i| i.code())
        .collect();
    assert_eq!(codes, ["unknown_template"]);
}

/// An .xlsx showing one long shared string in 100,000 cells.
fn shared_string_bomb() -> Vec<u8> {
    // 1 MiB of text, shown in 100,000 cells: 100 GiB once every cell holds its copy.
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "Карта за описание на социална услуга за лица ".repeat(14_000)
    );
    let mut rows = String::new();
    for r in 1..=100_000u32 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#));
    }
    xlsx_with(vec![
        RawEntry::stored("xl/sharedStrings.xml", shared.into_bytes()),
        RawEntry::stored("xl/worksheets/sheet1.xml", sheet_xml(&rows)),
    ])
}

#[test]
fn a_shared_string_shown_in_a_million_cells_is_refused() {
    let (read, took, peak) = read(&shared_string_bomb());
    let Err(problem) = read else { panic!("read: {read:?}") };
    assert!(matches!(problem, FileProblem::TextTooLong { .. }), "{problem:?}");
    assert!(
        message(&problem).contains("Текстът в клетките"),
        "{}",
        message(&problem)
    );
    assert!(peak < 128 * MIB, "peak {peak}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_file_larger_than_the_whole_memory_budget_is_refused_and_says_so() {
    let bytes = card_bytes("ДЦ", BookFormat::Xlsx);
    let limits = Limits {
        max_memory_bytes: 64 * 1024,
        ..Limits::default()
    };
    let problem = read_with(&bytes, &limits).unwrap_err();
    assert!(
        matches!(problem, FileProblem::OverMemoryBudget { limit: 65_536, .. }),
        "{problem:?}"
    );
    assert!(message(&problem).contains("--max-memory"), "{}", message(&problem));
    // With the default budget the same file is read, and what it still holds
    // afterwards is the size of its cells, not its worst case.
    let read = read_with(&bytes, &Limits::default()).unwrap();
    assert!(read.reserved_bytes() < 64 * 1024, "{}", read.reserved_bytes());
}

// ---- encrypted, empty, random -----------------------------------------------------

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn password_protected_workbooks_are_named_as_such() {
    let dir = fixtures().join("encrypted");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("xlsx" | "xls" | "ods")) {
            continue;
        }
        seen += 1;
        let bytes = std::fs::read(&path).unwrap();
        let (read, took, _) = read(&bytes);
        assert_eq!(read.as_ref().err(), Some(&FileProblem::Encrypted), "{}", path.display());
        assert!(took < Duration::from_secs(2));
    }
    assert!(seen >= 2, "the encrypted fixtures are missing from {}", dir.display());
    let text = message(&FileProblem::Encrypted);
    assert!(text.contains("защитен с парола"), "{text}");
}

#[test]
fn random_bytes_under_spreadsheet_names_are_not_a_spreadsheet() {
    // A few kilobytes of noise with each format's magic in front, and without.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    let magics: [&[u8]; 4] = [
        b"",
        b"PK\x03\x04",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        b"PK\x05\x06",
    ];
    for magic in magics {
        let mut bytes = magic.to_vec();
        bytes.extend(noise(8192));
        let (read, took, peak) = read(&bytes);
        assert!(read.is_err(), "{magic:?}");
        assert!(
            peak < 16 * MIB && took < Duration::from_secs(1),
            "{magic:?}: {peak} {took:?}"
        );
    }
}

// ---- the folder --------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_link_back_up_the_tree_is_reported_once_and_the_run_ends() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    put(
        root,
        "Бяла/дц.xlsx",
        &book(vec![card_sheet("ДЦ Надежда")]),
        BookFormat::Xlsx,
    );
    std::os::unix::fs::symlink(root, root.join("Бяла/обратно")).unwrap();
    std::os::unix::fs::symlink(root.join("Бяла"), root.join("Бяла/тук")).unwrap();
    let (run, took, _) = measure(|| check(root));
    assert!(took < Duration::from_secs(10));
    assert_eq!(run.records.len(), 1, "the card is read once");
    let links: Vec<(&str, &str)> = run
        .issues
        .iter()
        .filter(|i| i.code() == "link_not_followed")
        .map(|i| (i.location.file.as_str(), i.severity.as_str()))
        .collect();
    assert_eq!(links, [("Бяла/обратно", "warning"), ("Бяла/тук", "warning")]);
}

/// Files that must each give exactly one finding, with the code expected.
fn hostile_files(quick: bool) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = card_bytes("ДЦ", BookFormat::Xlsx);
    let mut far_xls = card_sheet("ДЦ");
    far_xls.cells.push(BookCell {
        row: 65_535,
        col: 255,
        value: t("край"),
    });
    let mut files = vec![
        ("празен.xlsx", Vec::new(), "unreadable_file"),
        (
            "шум.xlsx",
            vec![0x13, 0x37, 0xFF, 0x00, 0x42, 0x99, 0x01, 0x02],
            "unreadable_file",
        ),
        ("отрязан.xlsx", good[..good.len() / 2].to_vec(), "unreadable_file"),
        (
            "iv65536.xls",
            book(vec![far_xls]).to_bytes(BookFormat::Xls).unwrap(),
            "unreadable_file",
        ),
        (
            "интервали.ods",
            ods_with(
                r#"<table:table table:name="Лист1"><table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row></table:table>"#,
            ),
            "unreadable_file",
        ),
        (
            "бомба.xlsx",
            xlsx_with(vec![bomb_entry("xl/worksheets/sheet1.xml", GIB)]),
            "unreadable_file",
        ),
        (
            "лъжлива-бомба.xlsx",
            xlsx_with(vec![bomb_entry("xl/worksheets/sheet1.xml", 4096)]),
            "unreadable_file",
        ),
    ];
    for entry in std::fs::read_dir(fixtures().join("encrypted")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".xlsx") || name.ends_with(".xls") || name.ends_with(".ods") {
            files.push((
                Box::leak(format!("парола-{name}").into_boxed_str()),
                std::fs::read(&path).unwrap(),
                "unreadable_file",
            ));
        }
    }
    files.extend([
        ("далечна.ods", ods_far(), "unreadable_file"),
        ("диаграма.xls", xls_after_chart(), "unreadable_file"),
        ("хиляда-листа.xls", xls_thousand_sheets(), "unreadable_file"),
        ("смях.xlsx", billion_laughs(), "unreadable_file"),
    ]);
    if !quick {
        files.push(("милион-реда.xlsx", million_rows(), "unknown_template"));
        files.push(("споделен-низ.xlsx", shared_string_bomb(), "unreadable_file"));
    }
    files
}

/// Writes the hostile files into `dir`.
fn write_hostile(dir: &Path, quick: bool) -> Vec<(&'static str, &'static str)> {
    std::fs::create_dir_all(dir.join("враждебни")).unwrap();
    hostile_files(quick)
        .into_iter()
        .map(|(name, bytes, code)| {
            std::fs::write(dir.join("враждебни").join(name), bytes).unwrap();
            (name, code)
        })
        .collect()
}

#[test]
fn every_hostile_file_is_reported_once_beside_good_returns() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    put(
        root,
        "Бяла/дц.xlsx",
        &book(vec![card_sheet("ДЦ Надежда")]),
        BookFormat::Xlsx,
    );
    put(root, "Бяла/цсри.xls", &book(vec![card_sheet("ЦСРИ")]), BookFormat::Xls);
    put(
        root,
        "Бяла/патронаж.ods",
        &book(vec![card_sheet("Патронаж")]),
        BookFormat::Ods,
    );
    let expected = write_hostile(root, true);
    let (run, took, _) = measure(|| check(root));
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(run.records.len(), 3, "the good returns are read");
    for (name, code) in &expected {
        let file = format!("враждебни/{name}");
        let found: Vec<&Issue> = run.issues.iter().filter(|i| i.location.file == file).collect();
        assert_eq!(found.len(), 1, "{file}: {found:#?}");
        assert_eq!(found[0].code(), *code, "{file}");
        let text = shared_messages(found[0]);
        assert!(!text.is_empty() && !text.contains("panic"), "{file}: {text}");
    }
    assert_eq!(run.files.failed, expected.len());
}

fn shared_messages(issue: &Issue) -> String {
    Messages {
        lang: Lang::Bg,
        schemas: shared_schemas(),
    }
    .message(issue)
}

/// Builds the folder the measurement runs on: the demo oblast (`input/`)
/// and every hostile file. Run it with
/// `SOCMON_HOSTILE_DIR=/tmp/hostile cargo test --release --test it build_hostile_folder -- --ignored`,
/// then `/usr/bin/time -v target/release/socmon run --input /tmp/hostile --output /tmp/hostile-out --oblast RSE`.
#[test]
#[ignore = "writes a folder for the memory and time measurement; run it by hand (see the doc comment)"]
fn build_hostile_folder() {
    let target = PathBuf::from(std::env::var("SOCMON_HOSTILE_DIR").unwrap_or_else(|_| "/tmp/socmon-hostile".into()));
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(&target).unwrap();
    let demo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/input"));
    copy_tree(&demo, &target);
    let written = write_hostile(&target, false);
    // Returns hidden in a loop of folders.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, target.join("враждебни/обратно")).unwrap();
    // A cell at XFD1048576 beside a real card.
    put(
        &target,
        "враждебни/далечна-клетка.xlsx",
        &book(vec![BookSheet {
            cells: {
                let mut c = card_sheet("ДЦ далечен").cells;
                c.push(BookCell {
                    row: 1_048_575,
                    col: 16_383,
                    value: t("край"),
                });
                c
            },
            ..card_sheet("ДЦ далечен")
        }]),
        BookFormat::Xlsx,
    );
    // A card whose DIMENSIONS record claims 4 billion rows: read as usual.
    std::fs::write(target.join("враждебни/размери.xls"), xls_forged_dimensions()).unwrap();
    eprintln!("{} hostile files in {}", written.len() + 2, target.display());
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

// ---- outputs -----------------------------------------------------------------------

fn socmon_run(dir: &Path, output: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args([
            "run", "--input", "input", "--oblast", "RSE", "--quiet", "--output", output,
        ])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The texts a return may carry that a spreadsheet would take for formulas.
const INJECTED: &[&str] = &[
    "=HYPERLINK(\"http://example.invalid\",\"клик\")",
    "+359 82 123 456",
    "-ул. „Борисова“ 5",
    "@SUM(A1:A9)",
    "=1+1",
    "=лош.xlsx",
    "@Карта",
    "+дсп.xlsx",
    "-ДСП",
];

#[test]
fn text_that_looks_like_a_formula_stays_text_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let card = with(
        adults_card("Бяла", INJECTED[0]),
        "Доставчик на услугата",
        Some(t(INJECTED[1])),
    );
    let card = with(card, "Адрес", Some(t(INJECTED[2])));
    let card = with(card, "Населено място", Some(t(INJECTED[3])));
    put(
        &input,
        INJECTED[5],
        &book(vec![form_sheet(INJECTED[6], ADULTS_TITLE, &card, Style::default())]),
        BookFormat::Xlsx,
    );
    // A wrong value that is a formula: it is quoted in the issue.
    let wrong = with(
        adults_card("Бяла", "ДЦ 2"),
        "Капацитет (брой места)",
        Some(t(INJECTED[4])),
    );
    put(
        &input,
        "Бяла/грешка.ods",
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &wrong, Style::default())]),
        BookFormat::Ods,
    );
    let mut dsp = dsp_sheet();
    dsp.name = INJECTED[8].to_string();
    put(&input, INJECTED[7], &book(vec![dsp]), BookFormat::Xls);
    let output = socmon_run(dir.path(), "output");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let out = dir.path().join("output");

    // Every CSV: a cell that starts like a formula is a number; every
    // injected text that made it into a file is there with a leading "'".
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(out.join("data")).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers = reader.headers().unwrap().clone();
        for record in reader.records() {
            for (column, field) in headers.iter().zip(record.unwrap().iter()) {
                if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(
                        field.parse::<f64>().is_ok(),
                        "{}: column {column} holds {field:?}",
                        path.display()
                    );
                }
                for text in INJECTED {
                    if field.contains(text) && field.starts_with('\'') {
                        seen.insert((
                            path.file_name().unwrap().to_string_lossy().into_owned(),
                            column.to_string(),
                            *text,
                        ));
                    }
                }
            }
        }
    }
    let expected = [
        ("services.csv", "service_name", INJECTED[0]),
        ("services.csv", "provider_name", INJECTED[1]),
        ("services.csv", "address", INJECTED[2]),
        ("services.csv", "settlement", INJECTED[3]),
        ("services.csv", "file", INJECTED[5]),
        ("services.csv", "sheet", INJECTED[6]),
        ("issues.csv", "value", INJECTED[4]),
        ("dsp.csv", "file", INJECTED[7]),
        ("dsp.csv", "sheet", INJECTED[8]),
    ];
    for (file, column, text) in expected {
        assert!(
            seen.contains(&(file.to_string(), column.to_string(), text)),
            "{file} {column} {text}: seen {seen:#?}"
        );
    }

    // Every workbook: the texts are string cells, no formula carries them.
    let mut workbooks = vec![out.join("report.xlsx")];
    for entry in std::fs::read_dir(out.join("feedback")).unwrap() {
        workbooks.push(entry.unwrap().path());
    }
    let mut strings_found = std::collections::BTreeSet::new();
    for path in &workbooks {
        use calamine::{Data, Reader};
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        for name in workbook.sheet_names() {
            let formulas = workbook.worksheet_formula(&name).unwrap();
            for (_, _, formula) in formulas.used_cells() {
                assert!(
                    INJECTED
                        .iter()
                        .all(|text| !formula.contains(text.trim_start_matches(['=', '+', '-', '@']))),
                    "{} {name}: formula {formula:?}",
                    path.display()
                );
            }
            let range = workbook.worksheet_range(&name).unwrap();
            for (_, _, value) in range.used_cells() {
                if let Data::String(s) = value {
                    for text in INJECTED {
                        if s == text {
                            strings_found.insert(*text);
                        }
                    }
                }
            }
        }
    }
    // The name, provider and settlement are in Annex 1, the wrong value on
    // the Issues sheet (the address and file names are not in the workbook).
    for text in [INJECTED[0], INJECTED[1], INJECTED[3], INJECTED[4]] {
        assert!(
            strings_found.contains(text),
            "{text} is not a string cell: {strings_found:?}"
        );
    }
}

/// Runs socmon under a file-size limit of 4 KiB: the report cannot be
/// written. `crash`: the process is killed by SIGXFSZ mid-write; otherwise
/// the signal is ignored and the write fails as on a full disk.
#[cfg(unix)]
fn socmon_run_with_full_disk(dir: &Path, crash: bool) -> std::process::Output {
    let trap = if crash { "" } else { "trap '' XFSZ; " };
    let script = format!(
        "ulimit -f 4; {trap}exec \"{}\" run --input input --oblast RSE --quiet --output output",
        env!("CARGO_BIN_EXE_socmon")
    );
    std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The outputs of a report folder, by relative path.
fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for sub in ["", "data", "feedback"] {
        let Ok(entries) = std::fs::read_dir(out.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_file() && !name.starts_with('.') {
                found.push((format!("{sub}/{name}"), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[cfg(unix)]
#[test]
fn a_full_disk_or_a_crash_while_writing_leaves_the_previous_report() {
    let dir = tempfile::tempdir().unwrap();
    put(
        &dir.path().join("input"),
        "Бяла/дц.xlsx",
        &book(vec![card_sheet("ДЦ Надежда")]),
        BookFormat::Xlsx,
    );
    assert!(socmon_run(dir.path(), "output").status.success());
    let before = outputs(&dir.path().join("output"));
    assert!(before.iter().any(|(name, _)| name == "/report.xlsx"));
    // A new return, so that the next report would differ.
    put(
        &dir.path().join("input"),
        "Бяла/цсри.xlsx",
        &book(vec![card_sheet("ЦСРИ")]),
        BookFormat::Xlsx,
    );

    let full = socmon_run_with_full_disk(dir.path(), false);
    assert_eq!(full.status.code(), Some(2), "{}", String::from_utf8_lossy(&full.stderr));
    assert!(
        String::from_utf8_lossy(&full.stderr).starts_with("socmon: "),
        "a fatal error is reported"
    );
    assert_eq!(
        outputs(&dir.path().join("output")),
        before,
        "a failed write changed the report"
    );

    let crashed = socmon_run_with_full_disk(dir.path(), true);
    assert_eq!(crashed.status.code(), None, "killed by a signal");
    assert_eq!(
        outputs(&dir.path().join("output")),
        before,
        "a crash changed the report"
    );

    // The next run that can write replaces the report whole.
    assert!(socmon_run(dir.path(), "output").status.success());
    assert_ne!(outputs(&dir.path().join("output")), before);
}

/// A DSP-like table of `rows` rows and ten columns of numbers and text.
fn big_table(rows: u32) -> BookSheet {
    let mut sheet = dsp_sheet();
    sheet.cells.retain(|c| c.row < 8);
    for r in 0..rows {
        let row = 8 + r;
        sheet.cells.push(BookCell {
            row,
            col: 1,
            value: t(&format!("Община номер {r}")),
        });
        for col in 2..10u16 {
            sheet.cells.push(BookCell {
                row,
                col,
                value: n(f64::from(r * 10 + u32::from(col))),
            });
        }
    }
    sheet
}

#[test]
fn the_worst_case_a_file_reserves_covers_what_reading_it_allocates() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for format in [BookFormat::Xlsx, BookFormat::Xls, BookFormat::Ods] {
        let bytes = book(vec![big_table(6000), card_sheet("ДЦ")]).to_bytes(format).unwrap();
        files.push((format!("{format:?} table"), bytes));
        files.push((format!("{format:?} card"), card_bytes("ДЦ", format)));
    }
    for (name, bytes) in files {
        let (read, _, peak) = read(&bytes);
        let read = read.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(!read.workbook.sheets.is_empty(), "{name}");
        let reserved = read.reserved_peak_bytes();
        assert!(peak <= reserved, "{name}: allocated {peak} bytes, reserved {reserved}");
        // And not absurdly more: the budget must not starve real returns.
        assert!(reserved < 64 * peak.max(MIB), "{name}: reserved {reserved} for {peak}");
    }
}

#[test]
fn a_merged_region_four_billion_columns_wide_is_read_quickly() {
    // An .ods table whose header cell spans four billion columns, then a
    // table's rows: recognising it once looked at every column of the region.
    let wide = r#"<table:table-cell table:number-columns-spanned="4000000000" office:value-type="string"><text:p>Община</text:p></table:table-cell>"#;
    let rows: String = (0..50)
        .map(|i| {
            format!(
                "<table:table-row>{}{}</table:table-row>",
                ods_cell(&format!("Община {i}")),
                ods_cell("5")
            )
        })
        .collect();
    let bytes = ods_with(&format!(
        r#"<table:table table:name="ДСП"><table:table-row>{wide}</table:table-row><table:table-row>{}{}</table:table-row>{rows}</table:table>"#,
        ods_cell("Деца"),
        ods_cell("Лица с увреждания над 18 г.")
    ));
    let schemas = shared_schemas();
    let ((), took, _) = measure(|| {
        if let Ok(read) = read_with(&bytes, &Limits::default()) {
            for sheet in &read.workbook.sheets {
                if let Some(template) = socmon::extract::recognise(sheet, schemas) {
                    let _ = socmon::extract::read_sheet(sheet, schemas, template, "wide.ods");
                }
            }
        }
    });
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn a_sheet_with_a_million_merged_regions_is_refused() {
    let row = r#"<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>а</text:p></table:table-cell><table:covered-table-cell/></table:table-row>"#;
    let bytes = ods_with(&format!(
        r#"<table:table table:name="Лист1">{}</table:table>"#,
        row.repeat(20_000)
    ));
    let (read, took, _) = read(&bytes);
    assert!(
        matches!(&read, Err(FileProblem::Damaged { detail }) if detail.contains("обединени области")),
        "{read:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn an_ods_table_cut_off_before_its_end_tag_does_not_hang_calamine() {
    // Found by the fuzz harness (tests/fuzz/hang-ods-unclosed-table.bin): calamine reads
    // a table until its end tag and loops for ever at the end of the file.
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Лист1"><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#;
    let bytes = raw_zip(&[
        RawEntry::stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        RawEntry::stored("content.xml", content.as_bytes().to_vec()),
    ]);
    let (read, took, _) = read(&bytes);
    assert!(matches!(read, Err(FileProblem::Damaged { .. })), "{read:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_date_cell_a_billion_years_away_is_read_as_its_number() {
    // Found by the fuzz harness: calamine's date conversion panics (through
    // chrono) on a serial far beyond Excel's last day; the file was lost.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Дата на откриване").unwrap();
    sheet.write_number_with_format(0, 1, 1e300, &date).unwrap();
    sheet.write_number_with_format(1, 1, 42_430.0, &date).unwrap();
    let (read, _, _) = read(&workbook.save_to_buffer().unwrap());
    let read = read.unwrap();
    let cells: Vec<String> = read.workbook.sheets[0]
        .rows()
        .flat_map(|(_, cells)| cells)
        .map(|c| format!("{:?}", c.value))
        .collect();
    assert!(cells.iter().any(|c| c.starts_with("Number(1e300")), "{cells:?}");
    assert!(cells.iter().any(|c| c.starts_with("DateTime(2016-03-01")), "{cells:?}");
}

/// Part names are matched without regard to case by calamine (and Excel):
/// a package whose relationships point at `worksheets/sheet1.xml` while the
/// part is named `xl/worksheets/Sheet1.xml` is read as it is, merged regions
/// included.
#[test]
fn a_package_whose_parts_are_named_in_another_case_is_read_with_its_merged_regions() {
    let original = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("input/Бяла/ДЦ_Посока.xlsx")).unwrap();
    let renamed = raw_zip(
        &parts_of(&original)
            .into_iter()
            .map(|(name, data)| {
                let name = name.replace("worksheets/sheet", "worksheets/Sheet");
                RawEntry::stored(&name, data)
            })
            .collect::<Vec<_>>(),
    );
    let merges = |read: &FileRead| -> Vec<usize> { read.workbook.sheets.iter().map(|s| s.merges().len()).collect() };
    let expected = read_with(&original, &Limits::default()).expect("the original is read");
    assert!(
        merges(&expected).iter().sum::<usize>() > 0,
        "the fixture has merged regions"
    );
    let read = read_with(&renamed, &Limits::default()).expect("the renamed package is read");
    assert_eq!(merges(&read), merges(&expected));
}
