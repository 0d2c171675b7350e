import Testing

/// The shape of a differential test's random walk over a book: how deep its sides stay, how wide a
/// range of prices its changes land in, and how many steps it takes.
struct BookRegime: Sendable, CustomTestStringConvertible {
    var name: String
    /// Levels a side the random walk keeps around.
    var depth: Int
    /// Price range in ticks a change lands in, from the far end to the touch.
    var spread: Int64
    /// Steps of the walk: a change each in ``BookDifferentialTests``, an update each in
    /// ``SnapshotBookTests``.
    var steps: Int
    var testDescription: String { name }
}
