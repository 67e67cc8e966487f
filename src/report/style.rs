//! Cell formats shared by the workbooks, so the monthly and the fiscal-year
//! reports look alike: bordered cells, a pale blue heading, grey totals.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

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
        let border = Format::new().set_border(FormatBorder::Thin);
        let total = border
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2));
        Styles {
            title: Format::new().set_bold().set_font_size(14),
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
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
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
