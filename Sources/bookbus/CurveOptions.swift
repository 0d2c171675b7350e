import ArgumentParser
import BookBusDaemons
import BookBusSettings
import Foundation

/// CURVE security flags, shared by every role; the `curve.*` settings (files and environment)
/// give the same, and a key can also come by value (`BOOKBUS_CURVE_KEY`, for container secrets).
struct CurveOptions: ParsableArguments {
    @Option(help: "CURVE: this process's key pair file (from bookbus keygen). Turns encryption on for every socket.")
    var curveKey: String?

    @Option(help: "CURVE: the public key file of the servers this process connects to.")
    var curveServerKey: String?

    @Option(help: "CURVE: allowed client public keys, a file (one per line) or a directory of *.pub files.")
    var curveAllow: String?

    @Flag(help: "CURVE: let any client that knows the server's public key connect (encrypted, not authenticated).")
    var curveAllowAny = false

    /// Records the flags that were given.
    func record(into flags: inout FlagValues) {
        typealias Curve = SettingsCatalog.Curve
        flags.set(Curve.keyFile, curveKey, flag: "--curve-key")
        flags.set(Curve.serverKeyFile, curveServerKey, flag: "--curve-server-key")
        flags.set(Curve.allow, curveAllow, flag: "--curve-allow")
        flags.set(Curve.allowAny, curveAllowAny ? true : nil, flag: "--curve-allow-any")
    }
}

extension EffectiveSettings {
    /// The CURVE settings, or `nil` when no key pair is configured.
    func curveSecurity() throws -> CurveSecurity? {
        typealias Curve = SettingsCatalog.Curve
        let keyText: (text: String, source: String)? =
            try self[Curve.keyFile].map { (try CurveKeyFiles.read($0), $0) }
            ?? self[Curve.key].map { ($0, Curve.key.definition.environmentName) }
        guard let keyText else {
            let dependent = [Curve.serverKeyFile.definition, Curve.serverKey.definition, Curve.allow.definition]
                .first { origin(of: $0) != .unset }
            if let dependent {
                throw invalid(
                    dependent, "needs this process's key pair: set curve.key_file (bookbus keygen writes one)")
            }
            return nil
        }
        let keyPair = try CurveKeyFiles.keyPair(fromText: keyText.text, source: keyText.source)
        let serverKey =
            try self[Curve.serverKeyFile].map {
                try CurveKeyFiles.publicKeys(fromText: try CurveKeyFiles.read($0), source: $0).first
            }
            ?? self[Curve.serverKey].map {
                try CurveKeyFiles.publicKeys(fromText: $0, source: "\(origin(of: Curve.serverKey.definition))").first
            }
        var allowed = try self[Curve.allow].map { try CurveKeyFiles.allowList(at: $0) }
        if let keys = self[Curve.allowedKeys] {
            let source = "\(origin(of: Curve.allowedKeys.definition))"
            allowed = (allowed ?? []).union(
                try CurveKeyFiles.publicKeys(fromText: keys.joined(separator: ","), source: source))
        }
        return CurveSecurity(
            keyPair: keyPair, serverPublicKey: serverKey ?? nil, allowedClients: allowed,
            allowAnyClient: self[Curve.allowAny])
    }
}
