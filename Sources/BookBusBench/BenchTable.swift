/// One table of the benchmark's printout: each column but the last padded to its width, so the
/// figures line up under their headings however long a stage's name is.
struct BenchTable {
    /// The widths of the columns before the last (a longer cell is followed by one space).
    let widths: [Int]

    init(widths: Int...) {
        self.widths = widths
    }

    /// Prints one row, indented like the section's other lines.
    func row(_ cells: String...) {
        print(line(cells))
    }

    /// The text of a row of `cells`, without trailing blanks (an empty last cell leaves none).
    func line(_ cells: [String]) -> String {
        var text = "  "
        for (index, cell) in cells.enumerated() {
            text += cell
            guard index < cells.count - 1 else { break }
            let width = index < widths.count ? widths[index] : 0
            text += String(repeating: " ", count: max(1, width - cell.count))
        }
        while text.last == " " { text.removeLast() }
        return text
    }
}
