//! A CSV file read as one sheet of text cells, so that a table kept as CSV
//! (the registry of incoming documents, exported from an office system) is
//! recognised by its header like any table. The separator is the one of
//! `,`, `;` and tab the header row holds most of; text that is not UTF-8
//! is read as Windows-1251, which Bulgarian office systems still export.

use super::Limits;
use crate::issue::FileProblem;
use crate::sheet::{Cell, CellRef, CellValue, Sheet};

/// Whether a file is named as CSV.
pub fn is_csv(relative: &str) -> bool {
    relative
        .rsplit_once('.')
        .is_some_and(|(_, e)| e.eq_ignore_ascii_case("csv"))
}

/// Windows-1251 to text: Latin as it is, Cyrillic by its code page.
fn from_cp1251(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x00..=0x7F => b as char,
            0xC0..=0xFF => char::from_u32(0x0410 + u32::from(b - 0xC0)).unwrap_or('?'),
            0xA8 => 'Ё',
            0xB8 => 'ё',
            0xB9 => '№',
            0xA0 => '\u{00A0}',
            0xAB => '«',
            0xBB => '»',
            0x96 => '–',
            0x97 => '—',
            0x84 => '„',
            0x93 => '“',
            0x94 => '”',
            _ => '?',
        })
        .collect()
}

/// Reads a CSV file's bytes as one sheet named after the file.
///
/// Errors: [`FileProblem::TooManyCells`] over the cell limit, a damaged
/// file when a row cannot be read.
pub fn read(bytes: &[u8], name: &str, limits: &Limits) -> Result<Sheet, FileProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => from_cp1251(bytes),
    };
    let header = text.lines().next().unwrap_or("");
    let separator = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|&s| header.bytes().filter(|&b| b == s).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FileProblem::Damaged { detail: e.to_string() })?;
        for (col, value) in record.iter().enumerate() {
            if value.trim().is_empty() {
                continue;
            }
            if cells.len() as u64 >= limits.max_cells_per_sheet {
                return Err(FileProblem::TooManyCells {
                    sheet: name.to_string(),
                    limit: limits.max_cells_per_sheet,
                });
            }
            cells.push(Cell {
                at: CellRef::new(row as u32, col as u32),
                value: CellValue::Text(value.to_string()),
            });
        }
    }
    Ok(Sheet::new(name, cells, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::CellRef;

    #[test]
    fn a_semicolon_csv_in_windows_1251_is_read_as_text_cells() {
        let mut bytes = b"\xc2\xf5. \xb9;\xc4\xe0\xf2\xe0;\xcf\xee\xe4\xe0\xf2\xe5\xeb\n".to_vec();
        bytes.extend_from_slice(b"12;14.07.2017;\xc1\xff\xeb\xe0\n");
        let sheet = read(&bytes, "регистър.csv", &Limits::default()).unwrap();
        assert_eq!(sheet.get(CellRef::new(0, 0)), Some(&CellValue::Text("Вх. №".into())));
        assert_eq!(sheet.get(CellRef::new(0, 2)), Some(&CellValue::Text("Подател".into())));
        assert_eq!(sheet.get(CellRef::new(1, 2)), Some(&CellValue::Text("Бяла".into())));
    }

    #[test]
    fn a_comma_csv_in_utf8_with_a_bom_keeps_quoted_commas() {
        let bytes = "\u{feff}Входящ №,Дата,Подател,Файл\n\"12-00-1\",14.07.2017,\"Община Бяла, обл. Русе\",a.xlsx\n";
        let sheet = read(bytes.as_bytes(), "r.csv", &Limits::default()).unwrap();
        assert_eq!(sheet.get(CellRef::new(0, 0)), Some(&CellValue::Text("Входящ №".into())));
        assert_eq!(
            sheet.get(CellRef::new(1, 2)),
            Some(&CellValue::Text("Община Бяла, обл. Русе".into()))
        );
    }
}
