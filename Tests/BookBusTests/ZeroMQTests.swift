import Testing
import ZeroMQ

/// The wrapper against real libzmq over real TCP loopback sockets.
@Suite struct ZeroMQTests {
    @Test func pubSubMultipartOverTCPWithPrefixFiltering() throws {
        let context = try ZMQContext()
        let publisher = try context.socket(.pub)
        try publisher.set(.lingerMilliseconds(0))
        try publisher.bind("tcp://127.0.0.1:0")
        let endpoint = try publisher.lastEndpoint()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let subscriber = try context.socket(.sub)
        try subscriber.set(.lingerMilliseconds(0))
        try subscriber.set(.subscribe(Array("raw/BTC-USD/".utf8)))
        try subscriber.connect(endpoint)

        // Slow joiner: keep publishing until the subscription has arrived.
        var poller = Poller()
        poller.add(subscriber, .readable)
        var received: [[UInt8]]?
        for attempt in 0..<200 where received == nil {
            try publisher.send([Array("raw/BTC-USDC/".utf8), [1], Array("other \(attempt)".utf8)])
            try publisher.send([Array("raw/BTC-USD/".utf8), [2], Array("mine".utf8)])
            if try poller.poll(timeoutMilliseconds: 10) > 0 { received = try subscriber.receive() }
        }
        let frames = try #require(received)
        #expect(frames == [Array("raw/BTC-USD/".utf8), [2], Array("mine".utf8)])
        // Nothing from the longer topic ever matched.
        while let more = try subscriber.receive(wait: false) { #expect(more[0] == Array("raw/BTC-USD/".utf8)) }
    }

    @Test func xpubSeesSubscriptionsAndRouterDealerTalk() throws {
        let context = try ZMQContext()
        let xpub = try context.socket(.xpub)
        try xpub.set(.lingerMilliseconds(0))
        try xpub.set(.xpubVerbose(true))
        try xpub.bind("tcp://127.0.0.1:0")
        let sub = try context.socket(.sub)
        try sub.set(.lingerMilliseconds(0))
        try sub.connect(try xpub.lastEndpoint())
        try sub.set(.subscribe(Array("bus/".utf8)))
        var poller = Poller()
        poller.add(xpub, .readable)
        #expect(try poller.poll(timeoutMilliseconds: 5_000) == 1)
        #expect(try xpub.receive() == [[1] + Array("bus/".utf8)])

        let router = try context.socket(.router)
        try router.set(.lingerMilliseconds(0))
        try router.bind("tcp://127.0.0.1:0")
        let dealer = try context.socket(.dealer)
        try dealer.set(.lingerMilliseconds(0))
        try dealer.set(.routingID(Array("w1".utf8)))
        try dealer.connect(try router.lastEndpoint())
        try dealer.send([Array("hello".utf8)])
        let request = try #require(try router.receive())
        #expect(request == [Array("w1".utf8), Array("hello".utf8)])
        try router.send([request[0], Array("world".utf8)])
        #expect(try dealer.receive() == [Array("world".utf8)])
    }

    @Test func errorsCarryZmqStrerror() throws {
        let context = try ZMQContext()
        let first = try context.socket(.pub)
        try first.set(.lingerMilliseconds(0))
        try first.bind("tcp://127.0.0.1:0")
        let second = try context.socket(.pub)
        try second.set(.lingerMilliseconds(0))
        do {
            try second.bind(try first.lastEndpoint())
            Issue.record("second bind to the same port succeeded")
        } catch {
            #expect(error.description.contains("Address already in use"))
            #expect(error.operation == "zmq_bind")
        }
        #expect(throws: ZeroMQError.self) { try second.connect("not-an-endpoint") }
    }

    @Test func nonBlockingReceiveReturnsNilWhenEmpty() throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        try pull.set(.lingerMilliseconds(0))
        try pull.bind("tcp://127.0.0.1:0")
        #expect(try pull.receive(wait: false) == nil)
    }
}
