//! Cell formats shared by the workbooks, so the monthly and the fiscal-year
//! reports look alike: bordered cells, a pale blue heading, grey totals.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// The Japanese default font of municipal workbooks. Excel shows it as
/// written; LibreOffice substitutes a metric-compatible font if it is absent.
const FONT: &str = "ＭＳ Ｐゴシック";
/// Windows' Shift_JIS character set, which Excel records with a Japanese font.
const SHIFT_JIS_CHARSET: u8 = 128;

/// The font every format of a report starts from.
fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_font_charset(SHIFT_JIS_CHARSET)
}

/// Gives a worksheet made apart from its workbook (to be filled on another
/// thread) the same default format as [`new_workbook`].
pub(super) fn japanese_default(ws: &mut rust_xlsxwriter::Worksheet) -> Result<(), XlsxError> {
    ws.set_default_format(&base(), 18, 72).map(|_| ())
}

/// A new workbook whose default cell format (and so blank cells, row heights
/// and the default column width) uses the Japanese font. rust_xlsxwriter
/// documents 18 px rows and 72 px columns for ＭＳ Ｐゴシック 11.
pub(super) fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), 18, 72)?;
    Ok(wb)
}

/// The formats of a report workbook.
pub(super) struct Styles {
    pub title: Format,
    pub head: Format,
    pub text: Format,
    pub num: Format,
    pub percent: Format,
    pub total_label: Format,
    pub total_num: Format,
    pub note: Format,
    pub error: Format,
}

impl Styles {
    pub fn new() -> Self {
        let border = base().set_border(FormatBorder::Thin);
        let total = border
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2));
        Styles {
            title: base().set_bold().set_font_size(14),
            head: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7)),
            text: border.clone().set_text_wrap(),
            num: border.clone().set_num_format("#,##0"),
            percent: border.clone().set_num_format("0.0%"),
            total_num: total.clone().set_num_format("#,##0"),
            total_label: total,
            note: base().set_italic().set_font_color(Color::RGB(0x595959)),
            error: border.set_font_color(Color::RGB(0xC00000)),
        }
    }
}

/// Print setup for a sheet staff print and sign: A4 landscape, one page wide,
/// the sheet name and page number in the footer.
pub(super) fn printable(ws: &mut rust_xlsxwriter::Worksheet) {
    ws.set_paper_size(9) // A4
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&L&A&R&P / &N");
}

/// Column widths from the text actually written, counted in East Asian width
/// (a CJK character takes two columns, as in Excel's ＭＳ Ｐゴシック), because
/// rust_xlsxwriter's autofit counts every CJK character as one Latin digit.
pub(super) struct TextWidths {
    widest: Vec<usize>,
}

impl TextWidths {
    /// Starts from the headings' widths (their longest line).
    pub fn new(heads: &[&str]) -> Self {
        let mut w = TextWidths { widest: Vec::new() };
        for (c, h) in heads.iter().enumerate() {
            w.see(c, h);
        }
        w
    }

    /// Notes one cell's text in column `col`.
    pub fn see(&mut self, col: usize, text: &str) {
        use unicode_width::UnicodeWidthStr;
        let width = text.lines().map(|l| l.width()).max().unwrap_or(0);
        if self.widest.len() <= col {
            self.widest.resize(col + 1, 0);
        }
        self.widest[col] = self.widest[col].max(width);
    }

    /// The width in Excel's character units for each column seen, with a
    /// little padding, between 6 and 60 (long texts wrap beyond that).
    pub fn apply(
        &self,
        ws: &mut rust_xlsxwriter::Worksheet,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, w) in self.widest.iter().enumerate() {
            ws.set_column_width(c as u16, Self::units(*w))?;
        }
        Ok(())
    }

    fn units(width: usize) -> f64 {
        (width as f64 * 1.1 + 2.0).clamp(6.0, 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_counts_two_columns_and_widths_stay_in_bounds() {
        let mut w = TextWidths::new(&["機関コード", "区域"]);
        w.see(0, "AGY-0001");
        w.see(1, "北部地域包括支援センター第一");
        w.see(2, "A\n長い二行目のテキスト");
        // 機関コード: 5 CJK characters = 10 columns, wider than AGY-0001 (8).
        assert_eq!(w.widest, vec![10, 28, 20]);
        assert_eq!(TextWidths::units(10), 13.0);
        assert_eq!(TextWidths::units(1), 6.0);
        assert_eq!(TextWidths::units(200), 60.0);
    }

    #[test]
    fn report_workbooks_default_to_the_japanese_font() {
        let mut wb = new_workbook().expect("default format accepted");
        wb.add_worksheet()
            .write_string(0, 0, "月次集計")
            .expect("write");
        let bytes = wb.save_to_buffer().expect("saves");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut styles = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/styles.xml").expect("styles part"),
            &mut styles,
        )
        .expect("utf-8");
        assert!(styles.contains("ＭＳ Ｐゴシック"), "{styles}");
        assert!(!styles.contains("Calibri"), "{styles}");
    }
}
