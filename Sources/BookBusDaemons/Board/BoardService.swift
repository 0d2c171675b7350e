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
    /// Stop once this many publishers have announced their end of stream (0: run until stopped).
    public var exitAfterEnds: Int

    public init(
        endpoints: [Endpoint], sockets: SocketSettings, products: [String]?, interval: Duration, exitAfterEnds: Int = 0
    ) {
        self.endpoints = endpoints
        self.sockets = sockets
        self.products = products
        self.interval = interval
        self.exitAfterEnds = exitAfterEnds
    }
}

/// `bookbus top`: the live board, a full-screen table of every product's top of book redrawn in
/// place (``BoardCore`` keeps it, ``BoardRenderer`` draws it); `q` quits, and the last table stays
/// on the normal screen. When standard output is not a terminal it prints a plain line for each
/// product whose top changed since the last redraw.
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
    private var endedPublishers: Set<String> = []

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
        defer { leave(screen) }
        loop.onReadable(subscriber.socket, name: "events") { [unowned self] in try takeEvents() }
        loop.every(configuration.interval, name: "redraw") { [unowned self] _ in
            if screen?.quitPressed() == true { loop.finish() }
            redraw(on: screen)
        }
        try loop.run()
        redraw(on: screen)
    }

    /// Gives the terminal back, leaving the last table on the normal screen.
    private func leave(_ screen: TerminalScreen?) {
        guard let screen else { return }
        screen.restore()
        let lines = BoardRenderer(width: screen.size.columns, colour: false).lines(
            core.rows(nowNanos: WallClock.nanosecondsSinceEpoch()))
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func takeEvents() throws -> Bool {
        for _ in 0..<256 {
            guard let message = try subscriber.nextMessage() else { return false }
            if message.topic == .control, case .endOfStream(let publisher)? = try? ControlMessage(json: message.payload)
            {
                endedPublishers.insert(publisher)
                if configuration.exitAfterEnds > 0, endedPublishers.count >= configuration.exitAfterEnds {
                    loop.finish()
                    return false
                }
            }
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
