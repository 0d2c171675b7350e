import Foundation
import Yams

/// Checks a YAML configuration file's keys before its values are read: every key must be a
/// BookBus setting (nested by section), lists must be lists, nothing may be empty, and no
/// credential may sit in a file. swift-configuration reads the values afterwards; it ignores keys
/// nobody asks for, so this is what turns a misspelt key into an error instead of a silent default.
public struct ConfigFileChecker {
    /// The file, as named in error messages.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Where each setting is in the file and how it is written there, by key.
    public struct Location: Sendable, Equatable {
        public var line: Int?
        /// The value's text as written (lists joined with commas), for error messages.
        public var text: String
    }

    /// Every setting in the file, by key; throws the first problem found.
    public func check(text: String) throws -> [String: Location] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw SettingsError.unreadableFile(path: path, reason: "not valid YAML: \(error)")
        }
        guard let root else { return [:] }
        guard case .mapping(let mapping) = root else {
            throw SettingsError.unreadableFile(
                path: path, reason: "the top level must be a mapping of sections (ingest:, worker:, ...)")
        }
        var locations: [String: Location] = [:]
        try walk(mapping, prefix: "", locations: &locations)
        return locations
    }

    private func walk(_ mapping: Node.Mapping, prefix: String, locations: inout [String: Location]) throws {
        for (keyNode, valueNode) in mapping {
            let origin = SettingOrigin.file(path: path, line: keyNode.mark?.line)
            guard let name = keyNode.scalar?.string else {
                throw SettingsError.invalidValue(key: prefix + "?", origin: origin, reason: "keys must be plain names")
            }
            let key = prefix + name
            if case .mapping(let nested) = valueNode {
                guard SettingsCatalog.all.contains(where: { $0.key.hasPrefix(key + ".") }) else {
                    throw unknown(key, origin: origin)
                }
                try walk(nested, prefix: key + ".", locations: &locations)
                continue
            }
            guard let definition = SettingsCatalog.definition(forKey: key) else { throw unknown(key, origin: origin) }
            guard !definition.isSecret else {
                throw SettingsError.secretInFile(
                    key: key, origin: origin, environmentName: definition.environmentName)
            }
            try checkShape(of: valueNode, for: definition, origin: origin)
            let written =
                valueNode.scalar?.string ?? valueNode.sequence?.compactMap(\.scalar?.string).joined(separator: ",")
            locations[key] = Location(line: keyNode.mark?.line, text: written ?? "")
        }
    }

    private func checkShape(of node: Node, for definition: SettingDefinition, origin: SettingOrigin) throws {
        if node.null != nil {
            throw SettingsError.invalidValue(
                key: definition.key, origin: origin, reason: "empty; remove the key to use the default")
        }
        switch (definition.type, node) {
        case (.stringList, .sequence(let items)):
            guard items.allSatisfy({ $0.scalar != nil }) else {
                throw SettingsError.invalidValue(
                    key: definition.key, origin: origin, reason: "expected a list of plain values")
            }
        case (.stringList, _):
            throw SettingsError.invalidValue(
                key: definition.key, origin: origin, reason: "expected a list, e.g. [BTC-USD, ETH-USD]")
        case (_, .scalar):
            break
        default:
            throw SettingsError.invalidValue(
                key: definition.key, origin: origin, reason: "expected a single \(definition.type.rawValue)")
        }
    }

    private func unknown(_ key: String, origin: SettingOrigin) -> SettingsError {
        .unknownKey(key: key, origin: origin, suggestion: SettingsCatalog.nearestKey(to: key))
    }
}

extension SettingsCatalog {
    /// The known key (or section) closest to `key` when it looks like a typo of it.
    static func nearestKey(to key: String) -> String? {
        let candidates = all.map(\.key) + Set(all.map(\.section))
        let scored = candidates.map { ($0, editDistance($0, key)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, key.count / 5) else { return nil }
        return best
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
