/// Reads Advanced Trade's per-connection `sequence_num` straight from a frame's bytes, without
/// parsing the JSON: the ingest checks it on every message, including 5 MB snapshots.
public enum AdvancedTradeSequence {
    private static let key = Array(#""sequence_num":"#.utf8)

    /// The value of the first `"sequence_num":` key in the frame, or `nil` when there is none.
    /// Only the first kilobyte is searched: the key sits among the top-level fields, before `events`.
    public static func extract(from frame: [UInt8]) -> Int64? {
        let limit = min(frame.count, 1024)
        guard limit >= key.count else { return nil }
        var index = 0
        while index + key.count <= limit {
            if frame[index] == key[0] && frame[index..<(index + key.count)].elementsEqual(key) {
                var position = index + key.count
                while position < frame.count && frame[position] == UInt8(ascii: " ") { position += 1 }
                var value: Int64 = 0
                var digits = 0
                while position < frame.count, frame[position] &- UInt8(ascii: "0") < 10, digits < 18 {
                    value = value * 10 + Int64(frame[position] &- UInt8(ascii: "0"))
                    position += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            index += 1
        }
        return nil
    }
}
