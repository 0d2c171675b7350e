import ArgumentParser
import BookBusSettings
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or show the effective settings and where each came from.",
        subcommands: [Check.self, Show.self, Keys.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file: unknown keys, wrong shapes and bad values are errors.")

        @Argument(help: "The YAML file, e.g. Config/bookbus.yaml.")
        var file: String

        func run() throws {
            // Only the file: the environment of whoever runs the check is not part of the file.
            _ = try EffectiveSettings.load(file: file, environment: [:])
            print("\(file): ok")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every effective setting (file, BOOKBUS_* environment, defaults) with its origin.")

        @Option(help: "Configuration file (default: $BOOKBUS_CONFIG, else none).")
        var config: String?

        @Option(help: "Only the settings this role reads: ingest, worker, relay or sink.")
        var role: String?

        func validate() throws {
            if let role, !["ingest", "worker", "relay", "sink"].contains(role) {
                throw ValidationError("--role \(role) is not one of ingest, worker, relay, sink")
            }
        }

        func run() throws {
            let settings = try EffectiveSettings.load(file: config)
            for warning in settings.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            let sections =
                role.map(SettingsCatalog.sections(forRole:)) ?? Set(SettingsCatalog.all.map(\.section))
            print("# file: \(settings.file ?? "none")")
            print(settings.rendered(sections: sections))
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every setting as a Markdown table: key, variable, flag, default, meaning (README's table)."
        )

        func run() {
            print(SettingsCatalog.markdownTable())
        }
    }
}
