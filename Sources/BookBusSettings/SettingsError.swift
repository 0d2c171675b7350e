/// Why a configuration could not be read; every case names the key and where it came from.
public enum SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key BookBus does not know, with the nearest known key when one is close.
    case unknownKey(key: String, origin: SettingOrigin, suggestion: String?)
    /// A value of the wrong shape or outside its limits.
    case invalidValue(key: String, origin: SettingOrigin, reason: String)
    /// A credential in a file: credentials come from the environment only.
    case secretInFile(key: String, origin: SettingOrigin, environmentName: String)
    /// The file could not be read or is not YAML.
    case unreadableFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKey(let key, let origin, let suggestion):
            "\(origin): unknown key \(key)"
                + (suggestion.map { " (did you mean \($0)?)" } ?? "; `bookbus config show` lists every key")
        case .invalidValue(let key, let origin, let reason):
            "\(origin): \(key): \(reason)"
        case .secretInFile(let key, let origin, let environmentName):
            "\(origin): \(key) is a credential; keep it out of files and set \(environmentName) in the environment"
        case .unreadableFile(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        }
    }
}
