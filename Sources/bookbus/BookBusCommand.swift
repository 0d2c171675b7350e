import ArgumentParser

/// `bookbus`: the one executable of every BookBus role.
@main
struct BookBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookbus",
        abstract: "Live Coinbase order books, top of book and spreads over ZeroMQ.",
        subcommands: [
            IngestCommand.self, WorkerCommand.self, RelayCommand.self, SinkCommand.self, DemoCommand.self,
            TopCommand.self, ConfigCommand.self, HealthCommand.self, KeygenCommand.self, GenerateCommand.self,
            BenchCommand.self,
        ]
    )
}
