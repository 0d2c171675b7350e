import BookBusCore
import BusProtocol
import Foundation
public import Logging
import OrderBook
public import ServiceLifecycle
import ZeroMQ

/// What the live board needs: where the events are, and how often to redraw.
public struct BoardConfiguration: Sendable {
    /// Workers or a relay publishing `tob/` events.
    public var endpoints: [Endpoint]
    public var sockets: SocketSettings
    /// Only these products (`nil`: every product seen).
    public var products: [String]?
    public var interval: Duration

    public init(endpoints: [Endpoint], sockets: SocketSettings, products: [String]?, interval: Duration) {
        self.endpoints = endpoints
        self.sockets = sockets
        self.products = products
        self.interval = interval
    }
}

/// `bookbus top`: the live board, a full-screen table of every product's top of book redrawn in
/// place (``BoardCore`` keeps it, ``BoardRenderer`` draws it); `q` quits. When standard output is
/// not a terminal it prints a plain line for each product whose top changed since the last redraw.
public struct BoardService: Service {
    public let configuration: BoardConfiguration
    private let logger: Logger

    public init(configuration: BoardConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await DedicatedThread.run(name: "board") { [configuration, logger] stop in
            try BoardDaemon(configuration: configuration, logger: logger, stop: stop).run()
        }
    }
}

/// The board's thread: a ``BoardCore`` between the subscriber and the terminal.
final class BoardDaemon {
    private let configuration: BoardConfiguration
    private var core = BoardCore()
    private let loop: BusLoop
    private let subscriber: BusSubscriber
    /// Plain output: the top each product's last printed line showed.
    private var printed: [String: TopOfBook] = [:]

    init(configuration: BoardConfiguration, logger: Logger, stop: StopFlag) throws {
        self.configuration = configuration
        loop = BusLoop(stop: stop)
        let bus = try BusContext(settings: configuration.sockets, logger: logger)
        subscriber = try BusSubscriber(bus: bus, endpoints: configuration.endpoints, logger: logger)
    }

    deinit {
        subscriber.close()
    }

    func run() throws {
        for product in configuration.products ?? [] {
            try subscriber.subscribe(Topic.topOfBook(product: product).description)
        }
        if configuration.products == nil { try subscriber.subscribe("tob/") }
        // The control topic too: publishers count a subscriber by it (--wait-for-subscribers).
        try subscriber.subscribe(Topic.controlName)
        let screen = TerminalScreen()
        defer { screen?.restore() }
        loop.onReadable(subscriber.socket, name: "events") { [unowned self] in try takeEvents() }
        loop.every(configuration.interval, name: "redraw") { [unowned self] _ in
            if screen?.quitPressed() == true { loop.finish() }
            redraw(on: screen)
        }
        try loop.run()
    }

    private func takeEvents() throws -> Bool {
        for _ in 0..<256 {
            guard let message = try subscriber.nextMessage() else { return false }
            guard case .topOfBook = message.topic else { continue }
            let now = WallClock.nanosecondsSinceEpoch()
            for index in 0..<message.payloadCount {
                if let event = try? BookEvent(json: message.payload(index)) { core.take(event, nowNanos: now) }
            }
        }
        return true
    }

    private func redraw(on screen: TerminalScreen?) {
        let rows = core.rows(nowNanos: WallClock.nanosecondsSinceEpoch())
        if let screen {
            screen.draw(BoardRenderer(width: screen.size.columns, colour: true).lines(rows))
            return
        }
        // Plain lines: the header once, then each product whenever its top changed.
        let renderer = BoardRenderer(width: 200, colour: false)
        var text = ""
        if printed.isEmpty, !rows.isEmpty { text += renderer.lines([])[0] + "\n" }
        for row in rows {
            guard printed[row.product] != row.top else { continue }
            printed[row.product] = row.top
            text += renderer.lines([row])[1] + "\n"
        }
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
    }
}
