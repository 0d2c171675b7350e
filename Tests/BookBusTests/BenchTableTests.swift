import Testing

@testable import BookBusBench

/// The benchmark's printed tables: figures line up under their headings.
@Suite struct BenchTableTests {
    @Test func eachColumnStartsWhereItsHeadingDoes() {
        let table = BenchTable(widths: 20, 10)
        let heading = table.line(["stage", "rate", "ns"])
        let row = table.line(["exchange: parse", "1,940,727", "515"])
        #expect(heading == "  stage" + String(repeating: " ", count: 15) + "rate      ns")
        #expect(row.firstRange(of: "1,940,727")?.lowerBound == row.index(row.startIndex, offsetBy: 22))
        #expect(row.hasSuffix("515"))
        #expect(row.count == heading.count + 1)
    }

    @Test func aCellLongerThanItsColumnIsFollowedByOneSpace() {
        let table = BenchTable(widths: 4)
        #expect(table.line(["advanced-trade", "1"]) == "  advanced-trade 1")
    }

    @Test func anEmptyLastCellLeavesNoTrailingBlanks() {
        let table = BenchTable(widths: 10, 6)
        #expect(table.line(["apply", "704", ""]) == "  apply     704")
    }
}
