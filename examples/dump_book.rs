//! Prints a return as kasane reads it (debug aid): every sheet's origin and cells.
fn main() {
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        let bytes = kasane::read::read_file(path, &arg).expect("read");
        let book = kasane::read::read_bytes(&bytes, &arg).expect("parse");
        for s in &book.sheets {
            println!("== {} origin {:?} merged {:?}", s.name, s.origin, s.merged);
            for (r, row) in s.rows.iter().enumerate() {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_blank())
                    .map(|(c, v)| format!("{}={:?}", s.location("", r, c).cell_text(), v))
                    .collect();
                if !cells.is_empty() {
                    println!("  {}", cells.join(" | "));
                }
            }
        }
    }
}
