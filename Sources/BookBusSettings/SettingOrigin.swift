/// Where an effective setting came from, highest precedence first.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A command-line flag.
    case flag(String)
    /// An environment variable.
    case environment(String)
    /// A configuration file, with the line when known.
    case file(path: String, line: Int?)
    /// BookBus's built-in default.
    case builtInDefault
    /// Not set anywhere, and no default.
    case unset

    public var description: String {
        switch self {
        case .flag(let flag): "flag \(flag)"
        case .environment(let name): "env \(name)"
        case .file(let path, let line?): "\(path):\(line)"
        case .file(let path, nil): path
        case .builtInDefault: "default"
        case .unset: "unset"
        }
    }
}
