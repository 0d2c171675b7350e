import Foundation
public import ZeroMQ

/// Reading and writing CURVE keys as files (or environment values, for container secrets).
///
/// - A key pair file (`NAME.key`, mode 0600): lines `public=<Z85>` and `secret=<Z85>`.
/// - A public key file (`NAME.pub`): the Z85 public key on one line.
/// - An allow-list: a file of public keys, one per line (`#` comments allowed), or a directory whose
///   `*.pub` files are read.
public enum CurveKeyFiles {
    /// Writes `NAME.key` and `NAME.pub` into `directory`; returns their paths.
    public static func write(_ keyPair: CurveKeyPair, name: String, directory: String) throws -> (
        secret: String, public: String
    ) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let secretPath = (directory as NSString).appendingPathComponent("\(name).key")
        let publicPath = (directory as NSString).appendingPathComponent("\(name).pub")
        let secret =
            "# BookBus CURVE key pair of \(name): keep it secret\npublic=\(keyPair.publicKey)\nsecret=\(keyPair.secretKey)\n"
        guard
            FileManager.default.createFile(
                atPath: secretPath, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CurveKeyError(description: "cannot write \(secretPath)") }
        try Data("\(keyPair.publicKey)\n".utf8).write(to: URL(fileURLWithPath: publicPath))
        return (secretPath, publicPath)
    }

    /// Parses the text of a key pair file.
    public static func keyPair(fromText text: String, source: String) throws -> CurveKeyPair {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 {
                fields[String(parts[0]).trimmingCharacters(in: .whitespaces)] = String(parts[1]).trimmingCharacters(
                    in: .whitespaces)
            }
        }
        guard let publicKey = fields["public"], let secretKey = fields["secret"],
            CurveKeyPair.isZ85Key(publicKey), CurveKeyPair.isZ85Key(secretKey)
        else {
            throw CurveKeyError(
                description:
                    "\(source) is not a key pair file: expected lines public=<40 Z85 characters> and secret=<…> (bookbus keygen writes them)"
            )
        }
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// Public keys in `text`: one per line or separated by commas/spaces; a key pair file gives its public key.
    public static func publicKeys(fromText text: String, source: String) throws -> [String] {
        if text.contains("secret=") { return [try keyPair(fromText: text, source: source).publicKey] }
        let keys = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }
            .flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init)
        for key in keys where !CurveKeyPair.isZ85Key(key) {
            throw CurveKeyError(description: "\(source): \"\(key.prefix(50))\" is not a public key (40 Z85 characters)")
        }
        return keys
    }

    /// The public keys of an allow-list file or directory.
    public static func allowList(at path: String) throws -> Set<String> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CurveKeyError(description: "allow-list \(path) does not exist")
        }
        let files: [String] =
            isDirectory.boolValue
            ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".pub") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            : [path]
        var keys = Set<String>()
        for file in files { keys.formUnion(try publicKeys(fromText: try read(file), source: file)) }
        return keys
    }

    /// The text of a file, with an error that names it.
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CurveKeyError(description: "cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A key file or value that could not be used.
public struct CurveKeyError: Error, CustomStringConvertible {
    public var description: String
}
