import ArgumentParser
import BookBusDaemons
import ZeroMQ

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write CURVE key pairs: NAME.key (secret, mode 0600) and NAME.pub (public) for each NAME.")

    @Argument(help: "Names of the key pairs, e.g. bus worker sink.")
    var names: [String]

    @Option(help: "Directory to write into.")
    var out: String = "keys"

    func validate() throws {
        guard !names.isEmpty else {
            throw ValidationError("name at least one key pair, e.g. bookbus keygen bus worker")
        }
        for name in names where name.isEmpty || name.contains("/") {
            throw ValidationError("key name \"\(name)\" must be a plain file name")
        }
    }

    func run() throws {
        for name in names {
            let paths = try CurveKeyFiles.write(try CurveKeyPair.generate(), name: name, directory: out)
            print("\(paths.secret)  (secret: give it only to \(name))")
            print("\(paths.public)  (public: give it to whoever talks to \(name))")
        }
    }
}
