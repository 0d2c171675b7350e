import ArgumentParser
import BookBusDaemons
import Foundation

/// CURVE security flags, shared by every role. Each has an environment fallback for container
/// secrets: BOOKBUS_CURVE_KEY (the key pair file's text), BOOKBUS_CURVE_SERVER_KEY (a Z85 public
/// key), BOOKBUS_CURVE_ALLOW (public keys separated by commas or newlines).
struct CurveOptions: ParsableArguments {
    @Option(help: "CURVE: this process's key pair file (from bookbus keygen). Turns encryption on for every socket.")
    var curveKey: String?

    @Option(help: "CURVE: the public key file of the servers this process connects to.")
    var curveServerKey: String?

    @Option(help: "CURVE: allowed client public keys, a file (one per line) or a directory of *.pub files.")
    var curveAllow: String?

    @Flag(help: "CURVE: let any client that knows the server's public key connect (encrypted, not authenticated).")
    var curveAllowAny = false

    /// The security settings, or `nil` when CURVE is off.
    func security(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CurveSecurity? {
        let keyText: (text: String, source: String)? =
            try curveKey.map { (try CurveKeyFiles.read($0), $0) }
            ?? environment["BOOKBUS_CURVE_KEY"].map { ($0, "BOOKBUS_CURVE_KEY") }
        guard let keyText else {
            if curveServerKey != nil || curveAllow != nil || curveAllowAny {
                throw ValidationError(
                    "CURVE flags need this process's key pair: give --curve-key FILE (bookbus keygen writes one)")
            }
            return nil
        }
        let keyPair = try CurveKeyFiles.keyPair(fromText: keyText.text, source: keyText.source)
        let serverKey =
            try curveServerKey.map {
                try CurveKeyFiles.publicKeys(fromText: try CurveKeyFiles.read($0), source: $0).first
            }
            ?? environment["BOOKBUS_CURVE_SERVER_KEY"].map {
                try CurveKeyFiles.publicKeys(fromText: $0, source: "BOOKBUS_CURVE_SERVER_KEY").first
            }
        let allowed =
            try curveAllow.map { try CurveKeyFiles.allowList(at: $0) }
            ?? environment["BOOKBUS_CURVE_ALLOW"].map {
                Set(try CurveKeyFiles.publicKeys(fromText: $0, source: "BOOKBUS_CURVE_ALLOW"))
            }
        return CurveSecurity(
            keyPair: keyPair, serverPublicKey: serverKey ?? nil, allowedClients: allowed, allowAnyClient: curveAllowAny)
    }
}
