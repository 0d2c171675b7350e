/// Whether a role does its job yet, as its `/ready` endpoint answers: a worker when every product it
/// owns is live, the ingest when it publishes, the sink once events arrive.
public enum Readiness: Sendable, Equatable {
    case ready
    /// Not yet, and why (shown to whoever asks).
    case notReady(String)
}
