//! Writes a [`Book`] as an Office Open XML workbook (.xlsx) with rust_xlsxwriter.
//!
//! Takes a validated book, gives the bytes of the .xlsx package. Dates are
//! Excel serial numbers with the `dd.mm.yyyy` number format; the creation
//! date in the document properties is fixed so the bytes never depend on
//! the clock.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::{Book, BookError, BookValue, DATE_FORMAT, excel_serial};

pub(super) fn write(book: &Book) -> Result<Vec<u8>, BookError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(book)?);

    let date_format = Format::new().set_num_format(DATE_FORMAT);
    // Excel shows the lines of a multi-line text only when it wraps.
    let wrap_format = Format::new().set_text_wrap();
    let merge_format = Format::new();
    let active = book.active_sheet();
    for (index, sheet) in book.sheets.iter().enumerate() {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&sheet.name)?;

        // Merging first: merge_range writes an empty string into the region,
        // which the real top-left value written below then replaces.
        for m in &sheet.merges {
            worksheet.merge_range(m.first_row, m.first_col, m.last_row, m.last_col, "", &merge_format)?;
        }
        for cell in sheet.sorted_cells() {
            let (row, col) = (cell.row, cell.col);
            match &cell.value {
                BookValue::Text(text) if text.contains('\n') => {
                    worksheet.write_string_with_format(row, col, text, &wrap_format)?
                }
                BookValue::Text(text) => worksheet.write_string(row, col, text)?,
                BookValue::Number(number) => worksheet.write_number(row, col, *number)?,
                BookValue::Date(date) => {
                    worksheet.write_number_with_format(row, col, excel_serial(*date), &date_format)?
                }
                BookValue::Bool(value) => worksheet.write_boolean(row, col, *value)?,
            };
        }
        for (col, width) in sheet.widths() {
            worksheet.set_column_width(col, width)?;
        }

        // rust_xlsxwriter makes the first sheet active unless told otherwise,
        // and Excel refuses a workbook whose active sheet is hidden.
        if sheet.hidden {
            worksheet.set_hidden(true);
        } else if index == active {
            worksheet.set_active(true);
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// Title and custom properties, with a fixed creation date: rust_xlsxwriter
/// would otherwise stamp the current time into docProps/core.xml.
fn properties(book: &Book) -> Result<DocProperties, BookError> {
    let created = ExcelDateTime::from_ymd(2016, 1, 1)?;
    let mut properties = DocProperties::new().set_creation_datetime(&created);
    if let Some(title) = &book.title {
        properties = properties.set_title(title);
    }
    for (name, value) in &book.custom_properties {
        properties = properties.set_custom_property(name, value.as_str());
    }
    Ok(properties)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same_content, book_merges, merge_tuples, open, sample_book};
    use super::super::{Book, BookFormat};
    use calamine::Sheets;
    use std::io::{Cursor, Read};

    fn xlsx_bytes(book: &Book) -> Vec<u8> {
        book.to_bytes(BookFormat::Xlsx).expect("xlsx is written")
    }

    #[test]
    fn round_trips_values_types_visibility_and_merges() {
        let book = sample_book();
        let mut sheets = open(xlsx_bytes(&book));
        assert!(matches!(sheets, Sheets::Xlsx(_)));
        assert_same_content(&mut sheets, &book, false);
        let Sheets::Xlsx(xlsx) = &mut sheets else {
            unreachable!("checked above")
        };
        for sheet in &book.sheets {
            let merges = xlsx
                .merge_cells_by_sheet_name(&sheet.name)
                .expect("merges are readable");
            assert_eq!(merge_tuples(&merges), book_merges(sheet), "{}", sheet.name);
        }
    }

    #[test]
    fn writes_properties_and_fixed_timestamps() {
        let bytes = xlsx_bytes(&sample_book());
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
        let mut core = String::new();
        zip.by_name("docProps/core.xml")
            .expect("core.xml")
            .read_to_string(&mut core)
            .expect("utf-8");
        assert!(
            core.contains("<dc:title>Мониторинг „Социални услуги“ 2016</dc:title>"),
            "{core}"
        );
        assert!(core.contains("2016-01-01T00:00:00Z"), "{core}");
        let mut custom = String::new();
        zip.by_name("docProps/custom.xml")
            .expect("custom.xml")
            .read_to_string(&mut custom)
            .expect("utf-8");
        assert!(custom.contains("name=\"Област\""), "{custom}");
        assert!(custom.contains("<vt:lpwstr>София – област</vt:lpwstr>"), "{custom}");
    }
}
