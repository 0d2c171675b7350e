import Foundation

/// The progress line a long replay shows on a terminal: messages so far, their rate, how much of
/// the recording is read, and the time left at the rate so far (e.g.
/// `replay: 1,204,311 messages, 412,880/s, 37%, about 5 s left`).
public struct ReplayProgress: Sendable {
    public init() {}

    /// The line for `messages` handed over after `elapsedSeconds`, `fraction` (0–1) of the file read.
    public func line(messages: Int, fraction: Double, elapsedSeconds: Double) -> String {
        let rate = elapsedSeconds > 0 ? Double(messages) / elapsedSeconds : 0
        var text = "replay: \(Self.grouped(messages)) messages, \(Self.grouped(Int(rate.rounded())))/s, "
        text += "\(Int((fraction * 100).rounded(.down)))%"
        if fraction > 0, fraction < 1, elapsedSeconds > 0 {
            let left = elapsedSeconds * (1 - fraction) / fraction
            text += ", about \(Int(left.rounded(.up))) s left"
        }
        return text
    }

    /// `1204311` as `1,204,311`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
