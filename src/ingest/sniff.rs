//! Tells what a file is by its content, not its name: takes the bytes and
//! gives the spreadsheet format to read them with, or why they are not one.
//! An .xls saved under an .xlsx name is read as .xls; a Word document or a
//! password-protected workbook is named as such.

use std::io::{Cursor, Read};

use super::guard::Zip;
use crate::issue::FileProblem;

/// A spreadsheet format the readers handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// A CSV file named so, read as one sheet of text (`super::csv`).
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn not_a_spreadsheet(looks_like: &str) -> FileProblem {
    FileProblem::NotASpreadsheet {
        looks_like: Some(looks_like.to_string()),
    }
}

/// The format of a file's content.
///
/// Errors: the [`FileProblem`] that explains why the bytes are not a readable
/// spreadsheet (empty, encrypted, another kind of document, damaged).
pub fn sniff(bytes: &[u8]) -> Result<Format, FileProblem> {
    sniff_opened(bytes).map(|sniffed| sniffed.format)
}

/// What a file is, and for a zip-based one the zip as opened to tell it:
/// its directory is read once, and the guard and the readers take it on.
#[derive(Debug)]
pub struct Sniffed<'a> {
    pub format: Format,
    pub zip: Option<Zip<'a>>,
}

/// Like [`sniff`], keeping the opened zip.
///
/// Errors: as [`sniff`].
pub fn sniff_opened(bytes: &[u8]) -> Result<Sniffed<'_>, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| FileProblem::Damaged {
            detail: format!("zip: {e}"),
        })?;
        let format = sniff_zip(&mut archive)?;
        return Ok(Sniffed {
            format,
            zip: Some(archive),
        });
    }
    let format = sniff_other(bytes)?;
    Ok(Sniffed { format, zip: None })
}

/// What a file that is no zip is.
fn sniff_other(bytes: &[u8]) -> Result<Format, FileProblem> {
    if bytes.starts_with(CFB_MAGIC) {
        return sniff_cfb(bytes);
    }
    if bytes.starts_with(b"%PDF") {
        return Err(not_a_spreadsheet("PDF"));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(not_a_spreadsheet("RTF"));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG") {
        return Err(not_a_spreadsheet("image"));
    }
    let head = &bytes[..bytes.len().min(512)];
    if head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html"))
        || head.windows(6).any(|w| w.eq_ignore_ascii_case(b"<table"))
    {
        return Err(not_a_spreadsheet("HTML"));
    }
    if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        return Err(not_a_spreadsheet("text"));
    }
    Err(FileProblem::NotASpreadsheet { looks_like: None })
}

fn sniff_zip(archive: &mut Zip<'_>) -> Result<Format, FileProblem> {
    let has = |archive: &Zip<'_>, name: &str| archive.index_for_name(name).is_some();
    if has(archive, "xl/workbook.xml") {
        return Ok(Format::Xlsx);
    }
    if has(archive, "xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has(archive, "mimetype") {
        let mut mimetype = String::new();
        if let Ok(file) = archive.by_name("mimetype") {
            let _ = file.take(200).read_to_string(&mut mimetype);
        }
        return match mimetype.trim() {
            "application/vnd.oasis.opendocument.spreadsheet"
            | "application/vnd.oasis.opendocument.spreadsheet-template" => Ok(Format::Ods),
            "application/vnd.oasis.opendocument.text" => Err(not_a_spreadsheet("OpenDocument text (.odt)")),
            other if other.contains("opendocument") => Err(not_a_spreadsheet(other)),
            _ if has(archive, "content.xml") => Ok(Format::Ods),
            _ => Err(not_a_spreadsheet("zip archive")),
        };
    }
    if has(archive, "content.xml") {
        return Ok(Format::Ods);
    }
    if has(archive, "word/document.xml") {
        return Err(not_a_spreadsheet("Word document (.docx)"));
    }
    if has(archive, "ppt/presentation.xml") {
        return Err(not_a_spreadsheet("PowerPoint presentation"));
    }
    Err(not_a_spreadsheet("zip archive"))
}

fn sniff_cfb(bytes: &[u8]) -> Result<Format, FileProblem> {
    let container = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| FileProblem::Damaged {
        detail: format!("OLE: {e}"),
    })?;
    let has = |name: &str| container.exists(name);
    if has("/EncryptedPackage") {
        return Err(FileProblem::Encrypted);
    }
    if has("/Workbook") || has("/Book") {
        return Ok(Format::Xls);
    }
    if has("/WordDocument") {
        return Err(not_a_spreadsheet("Word 97–2003 document (.doc)"));
    }
    Err(not_a_spreadsheet("OLE compound file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(sniff(b""), Err(FileProblem::Empty));
        assert!(matches!(
            sniff(b"%PDF-1.4 ..."),
            Err(FileProblem::NotASpreadsheet { .. })
        ));
        assert!(matches!(
            sniff(b"just some text"),
            Err(FileProblem::NotASpreadsheet { .. })
        ));
        assert!(matches!(
            sniff(&[0u8, 159, 146, 150, 7, 1]),
            Err(FileProblem::NotASpreadsheet { looks_like: None })
        ));
        // A zip cut short.
        assert!(matches!(
            sniff(b"PK\x03\x04\x14\x00\x00\x00"),
            Err(FileProblem::Damaged { .. })
        ));
    }

    #[test]
    fn an_xlsx_is_recognised_by_its_parts() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet();
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(sniff(&bytes), Ok(Format::Xlsx));
    }
}
