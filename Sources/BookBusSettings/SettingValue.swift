/// The value of one setting, in the few shapes BookBus settings take.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case stringList([String])

    /// The value as a user would write it in YAML (lists in flow style).
    public var description: String {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        case .stringList(let items): "[" + items.joined(separator: ", ") + "]"
        }
    }
}

/// The shape of a setting's value.
public enum SettingType: String, Sendable {
    case string, int, double, bool
    case stringList = "list of strings"
}

/// A Swift type a setting can be read as.
public protocol SettingValueConvertible: Sendable {
    /// The shape this type is stored in.
    static var settingType: SettingType { get }
    /// Wraps a value.
    var settingValue: SettingValue { get }
    /// Unwraps a value of the matching shape.
    init?(settingValue: SettingValue)
}

extension String: SettingValueConvertible {
    public static var settingType: SettingType { .string }
    public var settingValue: SettingValue { .string(self) }
    public init?(settingValue: SettingValue) {
        guard case .string(let text) = settingValue else { return nil }
        self = text
    }
}

extension Int: SettingValueConvertible {
    public static var settingType: SettingType { .int }
    public var settingValue: SettingValue { .int(self) }
    public init?(settingValue: SettingValue) {
        guard case .int(let number) = settingValue else { return nil }
        self = number
    }
}

extension Double: SettingValueConvertible {
    public static var settingType: SettingType { .double }
    public var settingValue: SettingValue { .double(self) }
    public init?(settingValue: SettingValue) {
        guard case .double(let number) = settingValue else { return nil }
        self = number
    }
}

extension Bool: SettingValueConvertible {
    public static var settingType: SettingType { .bool }
    public var settingValue: SettingValue { .bool(self) }
    public init?(settingValue: SettingValue) {
        guard case .bool(let flag) = settingValue else { return nil }
        self = flag
    }
}

extension Array: SettingValueConvertible where Element == String {
    public static var settingType: SettingType { .stringList }
    public var settingValue: SettingValue { .stringList(self) }
    public init?(settingValue: SettingValue) {
        guard case .stringList(let items) = settingValue else { return nil }
        self = items
    }
}
