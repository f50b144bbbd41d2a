//! Reads an .xlsx from the zip the sniffer opened: takes the archive and
//! gives its sheets' names and states, then each sheet's cells and merged
//! regions in one pass over the sheet's part.
//!
//! calamine's `Xlsx` reads the same parts, but it opens the zip again from
//! the bytes, parses every style with its fonts, fills, borders and the
//! theme's colours (socmon needs only which styles are dates), and its cell
//! reader stops at `</sheetData>`, so the merged regions after it cost a
//! second inflate of the part. Here the workbook's parts are read once, the
//! styles only for their number formats, and the cells and the
//! `<mergeCells>` block come from the same reader.
//!
//! The cells are read as calamine 0.38 reads them (the XML reader's
//! settings, shared and inline strings with their rich-text runs and
//! phonetic hints, `_xHHHH_` escapes, the cell types, the date formats, the
//! 1904 date system), and a test (`tests/it/xlsx.rs`) holds the two readers
//! to the same cells on every .xlsx the tests and the sample have. The
//! number-format rules are calamine's (MIT licence, © Johann Tuffe).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufReader, Read};

use calamine::{CellErrorType, DataRef, ExcelDateTime, ExcelDateTimeType, SheetType, SheetVisible};
use flate2::{Decompress, FlushDecompress, Status};
use memchr::memmem;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::guard::Zip;
use crate::issue::FileProblem;
use crate::sheet::{CellRef, Merge};

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

/// One sheet as the workbook lists it.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    pub name: String,
    pub typ: SheetType,
    pub visible: SheetVisible,
    /// The name of its part in the zip (`xl/worksheets/sheet1.xml`).
    part: String,
}

/// What a cell's style says its number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Number,
    DateTime,
    Duration,
}

/// An opened .xlsx: its sheets, shared strings and the number kind of each
/// cell style.
pub struct XlsxBook<'a> {
    archive: Zip<'a>,
    /// The file's bytes, which `archive` reads: parts are inflated from them.
    bytes: &'a [u8],
    /// Part names in lower case (with `/`) → as the zip spells them: parts
    /// are found without regard to case, as Excel and calamine find them.
    names: HashMap<String, String>,
    sheets: Vec<SheetEntry>,
    strings: Vec<String>,
    kinds: Vec<NumberKind>,
    is_1904: bool,
}

type Xml<'a> = quick_xml::Reader<BufReader<Part<'a>>>;

thread_local! {
    /// This thread's inflate state, reused from part to part: a new one
    /// zeroes its window and tables, which for parts of a few KiB cost as
    /// much as inflating them.
    static INFLATE: std::cell::Cell<Option<Box<Decompress>>> = const { std::cell::Cell::new(None) };
}

/// One part of the zip, inflated as it is read, with the checks the zip
/// crate makes: never more than the declared size, and the CRC-32 at the
/// end.
struct Part<'a> {
    raw: &'a [u8],
    inflate: Option<Box<Decompress>>,
    declared: u64,
    produced: u64,
    crc: crc32fast::Hasher,
    expected_crc: u32,
    finished: bool,
}

impl<'a> Part<'a> {
    /// The part at `index` of `archive`, whose bytes are `bytes`.
    fn open(archive: &mut Zip<'a>, bytes: &'a [u8], index: usize) -> Result<Part<'a>, String> {
        let entry = archive.by_index_raw(index).map_err(|e| e.to_string())?;
        if entry.encrypted() {
            return Err("the part is encrypted".into());
        }
        let deflated = match entry.compression() {
            zip::CompressionMethod::Deflated => true,
            zip::CompressionMethod::Stored => false,
            other => return Err(format!("compression method {other} not supported")),
        };
        let start = entry.data_start().ok_or("the part's data cannot be found")?;
        let raw = usize::try_from(start)
            .ok()
            .zip(usize::try_from(entry.compressed_size()).ok())
            .and_then(|(start, len)| bytes.get(start..start.checked_add(len)?))
            .ok_or("the part runs past the end of the file")?;
        let inflate = deflated.then(|| {
            let mut state = INFLATE.take().unwrap_or_else(|| Box::new(Decompress::new(false)));
            state.reset(false);
            state
        });
        Ok(Part {
            raw,
            inflate,
            declared: entry.size(),
            produced: 0,
            crc: crc32fast::Hasher::new(),
            expected_crc: entry.crc32(),
            finished: false,
        })
    }

    fn produce(&mut self, buf: &mut [u8]) -> std::io::Result<(usize, bool)> {
        let Some(state) = self.inflate.as_deref_mut() else {
            let n = buf.len().min(self.raw.len());
            buf[..n].copy_from_slice(&self.raw[..n]);
            self.raw = &self.raw[n..];
            return Ok((n, self.raw.is_empty()));
        };
        let (before_in, before_out) = (state.total_in(), state.total_out());
        let status = state
            .decompress(self.raw, buf, FlushDecompress::None)
            .map_err(|e| invalid(format!("deflate: {e}")))?;
        let used = usize::try_from(state.total_in() - before_in).unwrap_or(usize::MAX);
        let n = usize::try_from(state.total_out() - before_out).unwrap_or(usize::MAX);
        self.raw = &self.raw[used.min(self.raw.len())..];
        let end = matches!(status, Status::StreamEnd);
        if !end && n == 0 && !buf.is_empty() {
            return Err(invalid("the part's deflate stream is cut short"));
        }
        Ok((n, end))
    }
}

fn invalid(message: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.into())
}

impl Read for Part<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        let (n, end) = self.produce(buf)?;
        self.produced = self.produced.saturating_add(n as u64);
        // The zip crate's words, which the hostile-file tests look for.
        if self.produced > self.declared {
            return Err(invalid("File is larger than its declared uncompressed size"));
        }
        self.crc.update(&buf[..n]);
        if end {
            self.finished = true;
            if self.crc.clone().finalize() != self.expected_crc {
                return Err(invalid("Invalid checksum"));
            }
        }
        Ok(n)
    }
}

impl Drop for Part<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.inflate.take() {
            INFLATE.set(Some(state));
        }
    }
}

/// The XML reader of a part, as calamine sets it up: empty elements come as
/// a start and an end, text is not trimmed, end tags are not matched.
/// `None` when the zip has no such part.
fn xml_reader<'a>(
    archive: &mut Zip<'a>,
    bytes: &'a [u8],
    names: &HashMap<String, String>,
    path: &str,
) -> Option<Result<Xml<'a>, FileProblem>> {
    let name = names.get(&path.to_ascii_lowercase()).map_or(path, String::as_str);
    let index = archive.index_for_name(name)?;
    let part = match Part::open(archive, bytes, index) {
        Ok(part) => part,
        Err(e) => return Some(Err(damaged(format!("{path}: {e}")))),
    };
    // Most parts are a few KiB: a buffer the size of the part (the declared
    // size, which the guard has checked) is not zeroed for 8 KiB it never
    // uses.
    let capacity = usize::try_from(part.declared)
        .unwrap_or(usize::MAX)
        .clamp(256, 64 * 1024);
    let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(capacity, part));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    Some(Ok(reader))
}

fn xml_error(path: &str, e: impl std::fmt::Display) -> FileProblem {
    damaged(format!("{path}: {e}"))
}

/// The attributes of a start tag as raw `(key, value)` pairs, keys with
/// their prefix; `None` at a malformed attribute.
fn raw_attributes<'e>(element: &'e BytesStart<'_>) -> impl Iterator<Item = Option<(&'e str, &'e str)>> {
    let raw = element.attributes_raw();
    let mut rest = raw;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let Some(eq) = memchr::memchr(b'=', rest.as_bytes()) else {
            rest = "";
            return Some(None);
        };
        let key = rest[..eq].trim_end_matches(|c: char| c.is_ascii_whitespace());
        let after = rest[eq + 1..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let quote = match after.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                rest = "";
                return Some(None);
            }
        };
        let value_and_rest = &after[1..];
        let end = memchr::memchr(quote, value_and_rest.as_bytes()).unwrap_or(value_and_rest.len());
        let value = &value_and_rest[..end];
        rest = value_and_rest.get(end + 1..).unwrap_or("");
        Some(Some((key, value)))
    })
}

/// The raw value of the attribute named exactly `key`.
fn attribute<'e>(element: &'e BytesStart<'_>, key: &str) -> Result<Option<&'e str>, FileProblem> {
    for pair in raw_attributes(element) {
        let (k, v) = pair.ok_or_else(|| damaged(format!("<{}>: malformed attribute", element.name().as_ref())))?;
        if k == key {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The value of an attribute with its entities resolved.
fn decoded(value: &str) -> Result<String, FileProblem> {
    quick_xml::escape::unescape(value).map(Cow::into_owned).map_err(damaged)
}

/// Whether a qualified name (`c`, `x:c`) has the local name `local`;
/// quick-xml's `local_name` searches for the colon char by char, and this
/// runs for every element of every part.
fn has_local_name(name: &str, local: &str) -> bool {
    name.strip_suffix(local)
        .is_some_and(|prefix| prefix.is_empty() || prefix.ends_with(':'))
}

fn is(element: &BytesStart<'_>, local: &str) -> bool {
    has_local_name(element.name().as_ref(), local)
}

fn ends(end: &quick_xml::events::BytesEnd<'_>, local: &str) -> bool {
    has_local_name(end.name().as_ref(), local)
}

impl<'a> XlsxBook<'a> {
    /// Reads the workbook's parts (relationships, the list of sheets, shared
    /// strings, the styles' number formats) from the zip the sniffer opened;
    /// `bytes` are the file that `archive` reads, from which parts are
    /// inflated.
    ///
    /// Errors: [`FileProblem::Damaged`] for a part that is missing where
    /// calamine requires it, cannot be inflated or is not the XML it should be.
    pub fn open(bytes: &'a [u8], mut archive: Zip<'a>) -> Result<XlsxBook<'a>, FileProblem> {
        let names = archive
            .file_names()
            .map(|name| {
                let name = name.map_err(|e| damaged(format!("zip: {e}")))?;
                Ok((name.replace('\\', "/").to_ascii_lowercase(), name.into_owned()))
            })
            .collect::<Result<HashMap<String, String>, FileProblem>>()?;
        let mut open = |path: &str| xml_reader(&mut archive, bytes, &names, path);
        let (xl_path, workbook_name) = package_relationships(&mut open)?;
        let strings = shared_strings(&mut open, &format!("{xl_path}sharedStrings.xml"))?;
        let kinds = number_kinds(&mut open, &format!("{xl_path}styles.xml"))?;
        let relationships = relationships(&mut open, &format!("{xl_path}_rels/{workbook_name}.rels"))?;
        let (sheets, is_1904) = workbook(&mut open, &xl_path, &workbook_name, &relationships)?;
        Ok(XlsxBook {
            archive,
            bytes,
            names,
            sheets,
            strings,
            kinds,
            is_1904,
        })
    }

    pub fn sheets(&self) -> &[SheetEntry] {
        &self.sheets
    }

    /// Calls `each` with every cell of the sheet (empty ones too, as
    /// calamine gives them) until it returns false. When every cell was
    /// given, the sheet's merged regions, read on from the same place;
    /// an empty list when `each` stopped early.
    ///
    /// Errors: [`FileProblem::Damaged`] for a sheet that cannot be found,
    /// inflated or parsed, or what `each` returns.
    pub fn read_sheet(
        &mut self,
        sheet: &str,
        each: &mut dyn FnMut(u32, u32, DataRef<'_>) -> Result<bool, FileProblem>,
    ) -> Result<Vec<Merge>, FileProblem> {
        let entry = self
            .sheets
            .iter()
            .find(|s| s.name == sheet)
            .ok_or_else(|| damaged(format!("worksheet '{sheet}' not found")))?;
        let path = entry.part.clone();
        let context = Context {
            strings: &self.strings,
            kinds: &self.kinds,
            is_1904: self.is_1904,
        };
        let mut xml = xml_reader(&mut self.archive, self.bytes, &self.names, &path)
            .ok_or_else(|| damaged(format!("worksheet '{sheet}' not found")))??;
        let fail = |e: quick_xml::Error| xml_error(&path, e);
        let mut buf = Vec::with_capacity(1024);
        // Up to the cells: a part without `<sheetData>` is no worksheet.
        let mut first_element = None;
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(fail)? {
                Event::Start(e) if is(&e, "dimension") => {
                    let range = attribute(&e, "ref")?.ok_or_else(|| xml_error(&path, "<dimension> without ref"))?;
                    if !is_dimension(range) {
                        return Err(xml_error(&path, format!("dimension {range:?}")));
                    }
                }
                Event::Start(e) if is(&e, "sheetData") => break,
                Event::Start(e) if first_element.is_none() => {
                    first_element = Some(e.local_name().as_ref().to_string());
                }
                Event::Eof => {
                    return Err(match first_element {
                        Some(element) => xml_error(&path, format!("<{element}> is not a worksheet")),
                        None => xml_error(&path, "the sheet ends before its cells"),
                    });
                }
                _ => {}
            }
        }
        let mut row_index = 0u32;
        let mut col_index = 0u32;
        let mut cell_buf = Vec::with_capacity(1024);
        let mut bufs = ValueBufs::default();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(fail)? {
                Event::Start(e) if is(&e, "row") => {
                    if let Some(r) = attribute(&e, "r")? {
                        row_index = row_number(r).ok_or_else(|| xml_error(&path, format!("row {r:?}")))?;
                    }
                }
                Event::End(e) if ends(&e, "row") => {
                    row_index = row_index.saturating_add(1);
                    col_index = 0;
                }
                Event::Start(e) if is(&e, "c") => {
                    let (mut position, mut style, mut typ) = (None, None, None);
                    for pair in raw_attributes(&e) {
                        match pair.ok_or_else(|| xml_error(&path, "<c>: malformed attribute"))? {
                            ("r", v) => position = Some(v),
                            ("s", v) => style = Some(v),
                            ("t", v) => typ = Some(v),
                            _ => {}
                        }
                    }
                    let (row, col) = match position {
                        Some(r) => {
                            let at = cell_position(r).ok_or_else(|| xml_error(&path, format!("cell {r:?}")))?;
                            col_index = at.1;
                            at
                        }
                        None => (row_index, col_index),
                    };
                    let mut value = DataRef::Empty;
                    loop {
                        cell_buf.clear();
                        match xml.read_event_into(&mut cell_buf).map_err(fail)? {
                            Event::Start(inner) => {
                                value = read_value(&context, &mut xml, &inner, style, typ, &mut bufs)
                                    .map_err(|e| xml_error(&path, e))?;
                            }
                            Event::End(end) if ends(&end, "c") => break,
                            Event::Eof => return Err(xml_error(&path, "the sheet ends inside a cell")),
                            _ => {}
                        }
                    }
                    col_index = col_index.saturating_add(1);
                    if !each(row, col, value)? {
                        return Ok(Vec::new());
                    }
                }
                Event::End(e) if ends(&e, "sheetData") => break,
                Event::Eof => return Err(xml_error(&path, "the sheet ends inside its cells")),
                _ => {}
            }
        }
        // What follows the cells is a few hundred bytes; the merged regions
        // are parsed from the first `mergeCell` on.
        let mut rest = Vec::new();
        xml.into_inner()
            .read_to_end(&mut rest)
            .map_err(|e| xml_error(&path, e))?;
        let Some(at) = memmem::find(&rest, b"mergeCell") else {
            return Ok(Vec::new());
        };
        let start = rest[..at].iter().rposition(|&b| b == b'<').unwrap_or(0);
        merge_cells(&rest[start..])
    }
}

/// Opens a part of the workbook by name.
type Opener<'o, 'a> = dyn FnMut(&str) -> Option<Result<Xml<'a>, FileProblem>> + 'o;

/// `_rels/.rels`: the folder and name of the workbook part.
fn package_relationships(open: &mut Opener<'_, '_>) -> Result<(String, String), FileProblem> {
    const PATH: &str = "_rels/.rels";
    let mut xml = open(PATH).ok_or_else(|| damaged(format!("{PATH}: not found")))??;
    let mut buf = Vec::new();
    let mut target = None;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| xml_error(PATH, e))? {
            Event::Start(e) if is(&e, "Relationship") => {
                let office_document =
                    attribute(&e, "Type")?.is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                if office_document && let Some(t) = attribute(&e, "Target")? {
                    target = Some(decoded(t)?);
                }
            }
            Event::End(e) if ends(&e, "Relationships") => break,
            Event::Eof => return Err(xml_error(PATH, "unexpected end")),
            _ => {}
        }
    }
    let Some(target) = target else {
        return Err(damaged(format!("{PATH}: no workbook")));
    };
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() { "workbook.xml" } else { name };
    Ok((dir, name.to_string()))
}

/// The shared strings, in order; none when the part is absent.
fn shared_strings(open: &mut Opener<'_, '_>, path: &str) -> Result<Vec<String>, FileProblem> {
    let Some(xml) = open(path) else {
        return Ok(Vec::new());
    };
    let mut xml = xml?;
    let fail = |e: quick_xml::Error| xml_error(path, e);
    let mut strings = Vec::new();
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(fail)? {
            Event::Start(e) if is(&e, "sst") => {
                if let Some(count) = attribute(&e, "uniqueCount")?.and_then(|c| c.parse::<usize>().ok()) {
                    // A count is a claim, not a size: the guard has bounded the part.
                    strings.reserve(count.min(1 << 16));
                }
                break;
            }
            Event::Eof => return Err(xml_error(path, "no <sst>")),
            _ => {}
        }
    }
    let mut bufs = ValueBufs::default();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(fail)? {
            Event::Start(e) if is(&e, "si") => {
                if let Some(s) = read_string(&mut xml, e.name(), &mut bufs).map_err(|e| xml_error(path, e))? {
                    strings.push(s);
                }
            }
            Event::End(e) if ends(&e, "sst") => break,
            Event::Eof => return Err(xml_error(path, "unexpected end of <sst>")),
            _ => {}
        }
    }
    Ok(strings)
}

/// The number kind of each cell style (`<cellXfs>`), from its number
/// format: a custom one read by its code, a built-in one by its id.
fn number_kinds(open: &mut Opener<'_, '_>, path: &str) -> Result<Vec<NumberKind>, FileProblem> {
    let Some(xml) = open(path) else {
        return Ok(Vec::new());
    };
    let mut xml = xml?;
    let fail = |e: quick_xml::Error| xml_error(path, e);
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut kinds = Vec::new();
    let mut buf = Vec::with_capacity(1024);
    let mut inner = Vec::with_capacity(256);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(fail)? {
            Event::Start(e) if is(&e, "numFmts") => loop {
                inner.clear();
                match xml.read_event_into(&mut inner).map_err(fail)? {
                    Event::Start(e) if is(&e, "numFmt") => {
                        if let (Some(id), Some(code)) = (attribute(&e, "numFmtId")?, attribute(&e, "formatCode")?) {
                            custom.insert(id.to_string(), decoded(code)?);
                        }
                    }
                    Event::End(e) if ends(&e, "numFmts") => break,
                    Event::Eof => return Err(xml_error(path, "unexpected end of <numFmts>")),
                    _ => {}
                }
            },
            Event::Start(e) if is(&e, "cellXfs") => loop {
                inner.clear();
                match xml.read_event_into(&mut inner).map_err(fail)? {
                    Event::Start(e) if is(&e, "xf") => {
                        kinds.push(match attribute(&e, "numFmtId")? {
                            None => NumberKind::Number,
                            Some(id) => match custom.get(id) {
                                Some(code) => custom_format_kind(code),
                                None => builtin_format_kind(id),
                            },
                        });
                    }
                    Event::End(e) if ends(&e, "cellXfs") => break,
                    Event::Eof => return Err(xml_error(path, "unexpected end of <cellXfs>")),
                    _ => {}
                }
            },
            Event::End(e) if ends(&e, "styleSheet") => break,
            Event::Eof => return Err(xml_error(path, "unexpected end of <styleSheet>")),
            _ => {}
        }
    }
    Ok(kinds)
}

/// Relationship id → (target, type) of the workbook's relationships.
fn relationships(open: &mut Opener<'_, '_>, path: &str) -> Result<HashMap<String, (String, String)>, FileProblem> {
    let mut xml = open(path).ok_or_else(|| damaged(format!("{path}: not found")))??;
    let mut found = HashMap::new();
    let mut buf = Vec::with_capacity(64);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| xml_error(path, e))? {
            Event::Start(e) if is(&e, "Relationship") => {
                if let Some(id) = attribute(&e, "Id")? {
                    let target = attribute(&e, "Target")?.unwrap_or_default().to_string();
                    let typ = attribute(&e, "Type")?.unwrap_or_default().to_string();
                    found.insert(id.to_string(), (target, typ));
                }
            }
            Event::End(e) if ends(&e, "Relationships") => break,
            Event::Eof => return Err(xml_error(path, "unexpected end of <Relationships>")),
            _ => {}
        }
    }
    Ok(found)
}

/// The sheets the workbook lists, and whether it counts dates from 1904.
fn workbook(
    open: &mut Opener<'_, '_>,
    xl_path: &str,
    workbook_name: &str,
    relationships: &HashMap<String, (String, String)>,
) -> Result<(Vec<SheetEntry>, bool), FileProblem> {
    let path = format!("{xl_path}{workbook_name}");
    let Some(xml) = open(&path) else {
        return Ok((Vec::new(), false));
    };
    let mut xml = xml?;
    let fail = |e: quick_xml::Error| xml_error(&path, e);
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(fail)? {
            Event::Start(e) if is(&e, "sheet") => {
                let (mut name, mut id, mut visible) = (String::new(), "", SheetVisible::Visible);
                for pair in raw_attributes(&e) {
                    match pair.ok_or_else(|| xml_error(&path, "<sheet>: malformed attribute"))? {
                        ("name", v) => name = decoded(v)?,
                        ("state", v) => {
                            visible = match v {
                                "visible" => SheetVisible::Visible,
                                "hidden" => SheetVisible::Hidden,
                                "veryHidden" => SheetVisible::VeryHidden,
                                other => return Err(xml_error(&path, format!("sheet state {other:?}"))),
                            }
                        }
                        (key, v) if key == "id" || key.ends_with(":id") => id = v,
                        _ => {}
                    }
                }
                let (target, typ) = relationships
                    .get(id)
                    .ok_or_else(|| xml_error(&path, format!("sheet {name:?}: relationship {id:?} not found")))?;
                let part = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("{xl_path}{target}"),
                };
                let typ = match typ.rsplit('/').next() {
                    Some("worksheet") => SheetType::WorkSheet,
                    Some("chartsheet") => SheetType::ChartSheet,
                    Some("dialogsheet") => SheetType::DialogSheet,
                    _ => return Err(xml_error(&path, format!("sheet {name:?}: {typ:?} is no kind of sheet"))),
                };
                sheets.push(SheetEntry {
                    name,
                    typ,
                    visible,
                    part,
                });
            }
            Event::Start(e) if is(&e, "workbookPr") => {
                if let Some(v) = attribute(&e, "date1904")? {
                    is_1904 = v == "1" || v == "true";
                }
            }
            Event::End(e) if ends(&e, "workbook") => break,
            Event::Eof => return Err(xml_error(&path, "unexpected end of <workbook>")),
            _ => {}
        }
    }
    Ok((sheets, is_1904))
}

/// What a cell's value needs from the workbook.
struct Context<'s> {
    strings: &'s [String],
    kinds: &'s [NumberKind],
    is_1904: bool,
}

#[derive(Default)]
struct ValueBufs {
    xml: Vec<u8>,
    text: Vec<u8>,
    value: String,
}

/// Why a cell's value could not be read.
#[derive(Debug)]
enum ValueError {
    Xml(quick_xml::Error),
    Unexpected(String),
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueError::Xml(e) => e.fmt(f),
            ValueError::Unexpected(what) => f.write_str(what),
        }
    }
}

impl From<quick_xml::Error> for ValueError {
    fn from(e: quick_xml::Error) -> Self {
        ValueError::Xml(e)
    }
}

fn unexpected(what: impl Into<String>) -> ValueError {
    ValueError::Unexpected(what.into())
}

/// The value of a cell from the element inside `<c>` that holds it.
fn read_value<'s>(
    context: &Context<'s>,
    xml: &mut Xml<'_>,
    element: &BytesStart<'_>,
    style: Option<&str>,
    typ: Option<&str>,
    bufs: &mut ValueBufs,
) -> Result<DataRef<'s>, ValueError> {
    Ok(match element.local_name().as_ref() {
        "is" => read_string(xml, element.name(), bufs)?.map_or(DataRef::Empty, DataRef::String),
        "v" if matches!(typ, Some("inlineStr") | Some("is")) => {
            bufs.xml.clear();
            xml.read_to_end_into(element.name(), &mut bufs.xml)?;
            DataRef::Empty
        }
        "v" => match typ {
            Some("n") | Some("s") | Some("b") | Some("e") | None => {
                bufs.xml.clear();
                let value = match xml.read_event_into(&mut bufs.xml)? {
                    Event::Text(t) => read_v(context, t.as_ref(), style, typ)?,
                    Event::End(end) if end.name() == element.name() => return Ok(DataRef::Empty),
                    Event::Eof => return Err(unexpected("the sheet ends inside <v>")),
                    _ => DataRef::Empty,
                };
                bufs.xml.clear();
                xml.read_to_end_into(element.name(), &mut bufs.xml)?;
                value
            }
            _ => {
                bufs.value.clear();
                loop {
                    bufs.xml.clear();
                    match xml.read_event_into(&mut bufs.xml)? {
                        Event::Text(t) => bufs.value.push_str(&t.xml10_content()),
                        Event::GeneralRef(r) => push_entity(&r, &mut bufs.value)?,
                        Event::End(end) if end.name() == element.name() => break,
                        Event::Eof => return Err(unexpected("the sheet ends inside <v>")),
                        _ => {}
                    }
                }
                let text = std::mem::take(&mut bufs.value);
                let value = read_v(context, &text, style, typ)?;
                bufs.value = text;
                value
            }
        },
        "f" => {
            bufs.xml.clear();
            xml.read_to_end_into(element.name(), &mut bufs.xml)?;
            DataRef::Empty
        }
        other => return Err(unexpected(format!("<{other}> in a cell"))),
    })
}

/// A cell's `<v>` text read by the cell's type and style.
fn read_v<'s>(
    context: &Context<'s>,
    v: &str,
    style: Option<&str>,
    typ: Option<&str>,
) -> Result<DataRef<'s>, ValueError> {
    let kind = match style {
        Some(style) => context.kinds.get(style.parse::<usize>().unwrap_or(0)).copied(),
        None => Some(NumberKind::Number),
    };
    match typ {
        Some("s") => {
            if v.is_empty() {
                return Ok(DataRef::Empty);
            }
            let index = v.parse::<usize>().unwrap_or(0);
            context
                .strings
                .get(index)
                .map(|s| DataRef::SharedString(s))
                .ok_or_else(|| unexpected(format!("shared string {index} not found")))
        }
        Some("b") => {
            let value = v.trim();
            if value.is_empty() {
                Ok(DataRef::Empty)
            } else if value == "0" || value.eq_ignore_ascii_case("false") {
                Ok(DataRef::Bool(false))
            } else if value == "1" || value.eq_ignore_ascii_case("true") {
                Ok(DataRef::Bool(true))
            } else {
                Err(unexpected(format!("boolean cell value {v:?}")))
            }
        }
        Some("d") => Ok(DataRef::DateTimeIso(v.to_string())),
        Some("e") => Ok(DataRef::Error(cell_error(v)?)),
        Some("str") => Ok(DataRef::String(unescape_excel(v).into_owned())),
        Some("n") | None => {
            if v.is_empty() {
                return Ok(DataRef::Empty);
            }
            match v.parse::<f64>() {
                Ok(n) => Ok(number(n, kind, context.is_1904)),
                Err(_) if typ.is_none() => Ok(DataRef::String(v.to_string())),
                Err(e) => Err(unexpected(format!("number {v:?}: {e}"))),
            }
        }
        Some(other) => Err(unexpected(format!("cell type {other:?}"))),
    }
}

fn number(n: f64, kind: Option<NumberKind>, is_1904: bool) -> DataRef<'static> {
    match kind {
        Some(NumberKind::DateTime) => DataRef::DateTime(ExcelDateTime::new(n, ExcelDateTimeType::DateTime, is_1904)),
        Some(NumberKind::Duration) => DataRef::DateTime(ExcelDateTime::new(n, ExcelDateTimeType::TimeDelta, is_1904)),
        _ => DataRef::Float(n),
    }
}

fn cell_error(v: &str) -> Result<CellErrorType, ValueError> {
    Ok(match v {
        "#DIV/0!" => CellErrorType::Div0,
        "#N/A" => CellErrorType::NA,
        "#NAME?" => CellErrorType::Name,
        "#NULL!" => CellErrorType::Null,
        "#NUM!" => CellErrorType::Num,
        "#REF!" => CellErrorType::Ref,
        "#VALUE!" => CellErrorType::Value,
        other => return Err(unexpected(format!("cell error {other:?}"))),
    })
}

/// A string item (`<si>`, `<is>`): its text, or the text of its rich-text
/// runs joined, without phonetic hints (`<rPh>`); `None` only when the
/// element never ends.
fn read_string(xml: &mut Xml<'_>, closing: QName<'_>, bufs: &mut ValueBufs) -> Result<Option<String>, ValueError> {
    let mut rich: Option<String> = None;
    let mut phonetic = false;
    loop {
        bufs.xml.clear();
        match xml.read_event_into(&mut bufs.xml)? {
            Event::Start(e) if is(&e, "r") && rich.is_none() => rich = Some(String::new()),
            Event::Start(e) if is(&e, "rPh") => phonetic = true,
            Event::End(e) if e.name() == closing => return Ok(Some(rich.unwrap_or_default())),
            Event::End(e) if ends(&e, "rPh") => phonetic = false,
            Event::Start(e) if is(&e, "t") && !phonetic => {
                let preserve =
                    attribute(&e, "xml:space").map_err(|_| unexpected("<t>: malformed attribute"))? == Some("preserve");
                let mut value = String::new();
                loop {
                    bufs.text.clear();
                    match xml.read_event_into(&mut bufs.text)? {
                        Event::Text(t) => value.push_str(&t.xml10_content()),
                        Event::CData(t) => value.push_str(&t.xml10_content()),
                        Event::GeneralRef(r) => push_entity(&r, &mut value)?,
                        Event::End(end) if end.name() == e.name() => break,
                        Event::Eof => return Err(unexpected("the part ends inside <t>")),
                        _ => {}
                    }
                }
                if !preserve {
                    let trimmed = value.trim_matches([' ', '\t', '\r', '\n']);
                    if trimmed.len() != value.len() {
                        value = trimmed.to_string();
                    }
                }
                // Most strings have no escape: the text read is kept as it is.
                if find_escape(&value, 0).is_some() {
                    value = unescape_excel(&value).into_owned();
                }
                match &mut rich {
                    Some(s) => s.push_str(&value),
                    None => rich = Some(value),
                }
            }
            Event::Eof => return Err(unexpected("the part ends inside a string")),
            _ => {}
        }
    }
}

/// An entity or character reference in text, resolved.
fn push_entity(reference: &quick_xml::events::BytesRef<'_>, out: &mut String) -> Result<(), ValueError> {
    let name: &str = reference.as_ref();
    if let Some(text) = quick_xml::escape::resolve_xml_entity(name) {
        out.push_str(text);
        return Ok(());
    }
    if let Some(c) = reference.resolve_char_ref()? {
        out.push(c);
        return Ok(());
    }
    Err(unexpected(format!("unknown entity &{name};")))
}

const ESCAPE_LENGTH: usize = "_x0000_".len();

/// Excel's `_xHHHH_` escapes (a UTF-16 unit each: `_x000D_` is a carriage
/// return, a pair of them a character beyond the BMP) resolved.
fn unescape_excel(text: &str) -> Cow<'_, str> {
    let Some((mut index, mut unit)) = find_escape(text, 0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        out.push_str(&text[copied..index]);
        index += ESCAPE_LENGTH;
        match unit {
            0xD800..=0xDBFF => match parse_escape(text, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += ESCAPE_LENGTH;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find_escape(text, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn find_escape(text: &str, mut start: usize) -> Option<(usize, u16)> {
    while let Some(offset) = memchr::memchr(b'_', &text.as_bytes()[start..]) {
        let index = start + offset;
        if let Some(unit) = parse_escape(text, index) {
            return Some((index, unit));
        }
        start = index + 1;
    }
    None
}

fn parse_escape(text: &str, index: usize) -> Option<u16> {
    let bytes = text.as_bytes().get(index..index + ESCAPE_LENGTH)?;
    if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' || !bytes[2..6].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(&bytes[2..6]).ok()?, 16).ok()
}

/// A cell or row reference (`B3`, `3`) as a zero-based row and, when it
/// has letters, column.
fn row_and_column(reference: &str) -> Option<(u32, Option<u32>)> {
    let bytes = reference.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &bytes[letters..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let col = bytes[..letters].iter().try_fold(0u32, |n, b| {
        n.checked_mul(26)?
            .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
    })?;
    let row = digits
        .iter()
        .try_fold(0u32, |n, b| n.checked_mul(10)?.checked_add(u32::from(b - b'0')))?;
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let (row, col) = row_and_column(reference)?;
    Some((row, col?))
}

fn row_number(reference: &str) -> Option<u32> {
    row_and_column(reference).map(|(row, _)| row)
}

/// A `<dimension ref>`: one cell or two.
fn is_dimension(range: &str) -> bool {
    let parts: Vec<&str> = range.split(':').collect();
    parts.len() <= 2 && parts.iter().all(|part| cell_position(part).is_some())
}

/// The `<mergeCell ref="A1:B2"/>` elements of a piece of sheet XML.
fn merge_cells(xml: &[u8]) -> Result<Vec<Merge>, FileProblem> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    // The piece starts inside the document: end tags of elements opened
    // before it are expected.
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut merges = Vec::new();
    loop {
        match reader.read_event().map_err(damaged)? {
            Event::Start(e) | Event::Empty(e) if is(&e, "mergeCell") => {
                let Some(range) = attribute(&e, "ref")? else { continue };
                let range = decoded(range)?;
                let (first, last) = range.split_once(':').unwrap_or((&range, &range));
                let (Some(first), Some(last)) = (CellRef::parse(first), CellRef::parse(last)) else {
                    return Err(damaged(format!("merged region {range:?} is no range of cells")));
                };
                merges.push(Merge { first, last });
            }
            Event::Eof => return Ok(merges),
            _ => {}
        }
    }
}

/// Whether a custom number format shows a date or a duration: its first
/// section has a date or time letter outside quotes, escapes and brackets
/// (`[h]` and the like make a duration). calamine's rule, after openpyxl's.
fn custom_format_kind(format: &str) -> NumberKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumberKind::Number,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return NumberKind::DateTime,
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumberKind::Number
}

/// The built-in number formats that show dates (14–22, 45, 47, the East
/// Asian 27–36 and 50–58) or a duration (46, `[h]:mm:ss`).
fn builtin_format_kind(id: &str) -> NumberKind {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => NumberKind::DateTime,
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52" | "53" | "54"
        | "55" | "56" | "57" | "58" => NumberKind::DateTime,
        "46" => NumberKind::Duration,
        _ => NumberKind::Number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_regions_come_from_the_block_after_the_cells() {
        let xml = br#"<mergeCells count="2"><mergeCell ref="A1:C1"/><x:mergeCell ref="B3:B4"/></mergeCells><pageMargins/></worksheet>"#;
        assert_eq!(
            merge_cells(xml).unwrap(),
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
    fn excel_escapes_become_the_characters_they_stand_for() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_xD83D__xDCF7_"), "📷");
        assert_eq!(unescape_excel("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_excel("_xD83D_"), "\u{FFFD}");
        assert_eq!(unescape_excel("no escape_x12"), "no escape_x12");
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        assert_eq!(custom_format_kind("dd.mm.yyyy"), NumberKind::DateTime);
        assert_eq!(custom_format_kind("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(custom_format_kind("#,##0.00"), NumberKind::Number);
        assert_eq!(custom_format_kind("\"d\"0"), NumberKind::Number);
        assert_eq!(custom_format_kind("[Red]0.00"), NumberKind::Number);
        assert_eq!(custom_format_kind("0;dd"), NumberKind::Number);
        assert_eq!(builtin_format_kind("14"), NumberKind::DateTime);
        assert_eq!(builtin_format_kind("46"), NumberKind::Duration);
        assert_eq!(builtin_format_kind("4"), NumberKind::Number);
    }

    /// A part over `raw` as the zip would describe it.
    fn part(raw: &[u8], deflated: bool, declared: u64, expected_crc: u32) -> Part<'_> {
        Part {
            raw,
            inflate: deflated.then(|| Box::new(Decompress::new(false))),
            declared,
            produced: 0,
            crc: crc32fast::Hasher::new(),
            expected_crc,
            finished: false,
        }
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::default())
            .write_all(data)
            .unwrap();
        out
    }

    use std::io::Write;

    #[test]
    fn a_part_is_inflated_and_checked_as_the_zip_crate_checks_it() {
        let text = "<sst><si><t>Община Бяла</t></si></sst>".repeat(50);
        let crc = crc32fast::hash(text.as_bytes());
        let raw = deflate(text.as_bytes());
        let mut read = String::new();
        part(&raw, true, text.len() as u64, crc)
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, text);
        // Stored parts are read as they are.
        let mut read = String::new();
        part(text.as_bytes(), false, text.len() as u64, crc)
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, text);
        // A wrong checksum, a part larger than it says, a stream cut short.
        let error = |mut p: Part<'_>| p.read_to_end(&mut Vec::new()).unwrap_err().to_string();
        assert_eq!(error(part(&raw, true, text.len() as u64, crc ^ 1)), "Invalid checksum");
        assert!(error(part(&raw, true, 10, crc)).contains("declared uncompressed size"));
        assert!(error(part(&raw[..raw.len() / 2], true, text.len() as u64, crc)).contains("cut short"));
        assert!(error(part(b"not deflate at all", true, 100, 0)).contains("deflate"));
    }

    #[test]
    fn the_reused_inflate_state_starts_afresh_for_each_part() {
        let texts = ["<a>first part</a>".repeat(200), "<b>second</b>".repeat(300)];
        let mut bytes = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
            for (i, text) in texts.iter().enumerate() {
                writer
                    .start_file(format!("p{i}.xml"), zip::write::SimpleFileOptions::default())
                    .unwrap();
                writer.write_all(text.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
        // A part left half read (a sheet dropped after its first rows), then
        // the next: the state goes back to the thread and is reset.
        let mut first = Part::open(&mut archive, &bytes, 0).unwrap();
        first.read_exact(&mut [0; 100]).unwrap();
        drop(first);
        for (i, text) in texts.iter().enumerate() {
            let mut read = String::new();
            Part::open(&mut archive, &bytes, i)
                .unwrap()
                .read_to_string(&mut read)
                .unwrap();
            assert_eq!(&read, text);
        }
        // Two parts open at once each have their own state.
        let (mut a, mut b) = (
            Part::open(&mut archive, &bytes, 0).unwrap(),
            Part::open(&mut archive, &bytes, 1).unwrap(),
        );
        let (mut read_a, mut read_b) = (vec![0; texts[0].len()], vec![0; texts[1].len()]);
        a.read_exact(&mut read_a[..50]).unwrap();
        b.read_exact(&mut read_b[..50]).unwrap();
        a.read_exact(&mut read_a[50..]).unwrap();
        b.read_exact(&mut read_b[50..]).unwrap();
        assert_eq!(
            (read_a, read_b),
            (texts[0].as_bytes().to_vec(), texts[1].as_bytes().to_vec())
        );
    }

    #[test]
    fn local_names_are_matched_with_and_without_a_prefix() {
        assert!(has_local_name("c", "c"));
        assert!(has_local_name("x:c", "c"));
        assert!(!has_local_name("xc", "c"));
        assert!(!has_local_name("col", "c"));
        assert!(has_local_name("x:mergeCell", "mergeCell"));
    }

    #[test]
    fn attributes_are_read_raw_with_either_quote() {
        let element = BytesStart::from_content(r#"c r="B3" s = '2' t="s""#, 1);
        assert_eq!(attribute(&element, "r").unwrap(), Some("B3"));
        assert_eq!(attribute(&element, "s").unwrap(), Some("2"));
        assert_eq!(attribute(&element, "t").unwrap(), Some("s"));
        assert_eq!(attribute(&element, "x").unwrap(), None);
        assert!(attribute(&BytesStart::from_content("c r=B3", 1), "r").is_err());
    }

    #[test]
    fn cell_references_are_read_with_their_row_and_column() {
        assert_eq!(cell_position("B3"), Some((2, 1)));
        assert_eq!(cell_position("xfd1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("3"), None);
        assert_eq!(row_number("3"), Some(2));
        assert_eq!(cell_position("B0"), None);
        assert_eq!(cell_position("B3x"), None);
        assert_eq!(cell_position("ZZZZZZZZZZ1"), None);
        assert!(is_dimension("A1") && is_dimension("A1:H9"));
        assert!(!is_dimension("A1:B") && !is_dimension("A1:B2:C3") && !is_dimension(""));
    }
}
