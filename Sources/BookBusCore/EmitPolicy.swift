/// When a worker publishes events.
public enum EmitPolicy: String, Sendable, CaseIterable {
    /// Top-of-book when best bid/ask price or size changed; spread when the spread changed.
    case onChange = "change"
    /// Both events after every book message (what the original tutorial printed).
    case everyMessage = "every-message"
}
