import CoinbaseFeed
import OrderBook
import Testing

@Suite struct FeedParserTests {
    let parser = FeedParser()

    func parse(_ json: String) throws -> FeedMessage {
        try parser.parse(Array(json.utf8))
    }

    @Test func parsesTheTutorialRecording() throws {
        let frames = try Fixtures.frames(Fixtures.tutorial)
        #expect(frames.count == 16)
        var snapshots: [String: (bids: Int, asks: Int)] = [:]
        var updates = 0
        for frame in frames {
            guard case .book(let messages) = try parser.parse(frame).kind else {
                Issue.record("not a book message")
                continue
            }
            for message in messages {
                switch message.content {
                case .snapshot(let bids, let asks): snapshots[message.product] = (bids.count, asks.count)
                case .update(let changes):
                    updates += 1
                    #expect(changes.count == 1)
                    #expect(message.exchangeTime != nil)
                }
            }
        }
        #expect(snapshots["BTC-USD"]! == (14_384, 25_711))
        #expect(snapshots["ETH-USD"]! == (8_103, 20_073))
        #expect(updates == 14)
    }

    /// A parser that keeps no exchange times (the ingest's) reads every message the same otherwise,
    /// on the fast path and the general one, and still refuses a timestamp that is not a string.
    @Test func leavingOutExchangeTimesChangesNothingElse() throws {
        let withoutTimes = FeedParser(keepsExchangeTimes: false)
        var frames = try Fixtures.frames(Fixtures.tutorial)
        frames.append(
            Array(
                #"{"channel":"l2_data","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":7,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"t","price_level":"1.5","new_quantity":"2"}]}]}"#
                    .utf8))
        var timesSeen = 0
        for frame in frames {
            for (full, bare) in [
                (try parser.parse(frame), try withoutTimes.parse(frame)),
                (try parser.parseWithDecoder(frame), try withoutTimes.parseWithDecoder(frame)),
            ] {
                guard case .book(let messages) = full.kind, case .book(let stripped) = bare.kind else {
                    Issue.record("not a book message")
                    continue
                }
                timesSeen += messages.filter { $0.exchangeTime != nil }.count
                #expect(stripped.allSatisfy { $0.exchangeTime == nil })
                #expect(
                    stripped
                        == messages.map { BookMessage(product: $0.product, content: $0.content, exchangeTime: nil) })
                #expect(bare.connectionSequence == full.connectionSequence)
            }
        }
        #expect(timesSeen == 2 * 15)
        let badTime = Array(#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1","1"]],"time":5}"#.utf8)
        #expect(throws: FeedParseError.self) { try withoutTimes.parse(badTime) }
    }

    @Test func classifiesEveryMessageOfTheTenProductRecording() throws {
        var kinds: [String: Int] = [:]
        for frame in try Fixtures.frames(Fixtures.tenProducts) {
            switch try parser.parse(frame).kind {
            case .book(let messages):
                for message in messages {
                    switch message.content {
                    case .snapshot: kinds["snapshot", default: 0] += 1
                    case .update: kinds["l2update", default: 0] += 1
                    }
                }
            case .trades(let trades):
                for trade in trades { kinds[trade.origin == .live ? "match" : "last_match", default: 0] += 1 }
            case .other(let name): kinds[name, default: 0] += 1
            case .error: kinds["error", default: 0] += 1
            }
        }
        #expect(
            kinds == [
                "subscriptions": 3, "snapshot": 10, "l2update": 9_719, "ticker": 107, "match": 97, "last_match": 10,
            ])
    }

    @Test func multiChangeUpdateKeepsEveryChangeInOrder() throws {
        let message = try parse(
            #"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","100.5","1"],["sell","101","0.00000000"],["buy","99","2.5"]],"time":"t"}"#
        )
        guard case .book(let books) = message.kind, case .update(let changes) = books[0].content else {
            Issue.record("expected an update")
            return
        }
        #expect(changes.map(\.side) == [.bid, .ask, .bid])
        #expect(changes.map(\.price.description) == ["100.5", "101", "99"])
        #expect(changes[1].size.isZero)
    }

    @Test func parsesAdvancedTradeSnapshotAndUpdate() throws {
        let snapshot = try parse(
            #"{"channel":"l2_data","client_id":"","timestamp":"2026-08-01T00:00:00.1Z","sequence_num":3,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"x","price_level":"65062.5","new_quantity":"0.1"},{"side":"offer","event_time":"x","price_level":"65083","new_quantity":"2"}]}]}"#
        )
        #expect(snapshot.connectionSequence == 3)
        guard case .book(let books) = snapshot.kind, case .snapshot(let bids, let asks) = books[0].content else {
            Issue.record("expected a snapshot")
            return
        }
        #expect(bids.map(\.description) == ["65062.5 × 0.1"])
        #expect(asks.map(\.description) == ["65083 × 2"])
        #expect(books[0].exchangeTime == "2026-08-01T00:00:00.1Z")

        let update = try parse(
            #"{"channel":"l2_data","timestamp":"t","sequence_num":4,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"offer","event_time":"x","price_level":"65083","new_quantity":"0"}]},{"type":"update","product_id":"ETH-USD","updates":[]}]}"#
        )
        guard case .book(let updates) = update.kind else {
            Issue.record("expected updates")
            return
        }
        #expect(updates.map(\.product) == ["BTC-USD", "ETH-USD"])
    }

    @Test func readsExchangeMatchesWithTheTakersSide() throws {
        // The recording's first SKL-USD match: side "sell" is the maker's, so the taker bought.
        let match = try parse(
            #"{"type":"match","trade_id":1568268,"maker_order_id":"2a","taker_order_id":"3d","side":"sell","size":"450","price":"0.791","product_id":"SKL-USD","sequence":201390075,"time":"2021-04-17T16:43:37.121358Z"}"#
        )
        #expect(
            match.kind
                == .trades([
                    Trade(
                        product: "SKL-USD", tradeID: "1568268", price: try ExactDecimal("0.791"),
                        size: try ExactDecimal("450"), takerSide: .buy, exchangeTime: "2021-04-17T16:43:37.121358Z",
                        consecutiveIDs: true)
                ]))
        let last = try parse(
            #"{"type":"last_match","trade_id":7,"side":"buy","size":"1.0","price":"2.50","product_id":"A-B","time":"t"}"#
        )
        guard case .trades(let trades) = last.kind else {
            Issue.record("expected a trade")
            return
        }
        #expect(trades.map(\.origin) == [.history])
        #expect(trades.map(\.takerSide) == [.sell])
        #expect(trades.map(\.numericID) == [7])
    }

    @Test func readsAdvancedTradeMarketTrades() throws {
        let message = try parse(
            #"{"channel":"market_trades","client_id":"","timestamp":"2024-10-08T09:10:52.425Z","sequence_num":328,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"699871154","price":"62322.43","size":"0.00005535","time":"2024-10-08T09:10:52.378779Z","side":"BUY"},{"product_id":"ETH-USD","trade_id":"12","price":"2400","size":"1","time":"x","side":"SELL"}]},{"type":"snapshot","trades":[]}]}"#
        )
        #expect(message.connectionSequence == 328)
        guard case .trades(let trades) = message.kind else {
            Issue.record("expected trades")
            return
        }
        #expect(trades.map(\.product) == ["BTC-USD", "ETH-USD"])
        #expect(trades.map(\.takerSide) == [.buy, .sell])
        #expect(trades.map(\.price.description) == ["62322.43", "2400"])
        #expect(trades.map(\.size.description) == ["0.00005535", "1"])
        #expect(trades.map(\.tradeID) == ["699871154", "12"])
        #expect(trades.map(\.origin) == [.live, .live])
    }

    @Test func refusesBrokenTrades() {
        #expect(throws: FeedParseError.missingField(field: "trade_id", messageKind: "match")) {
            try parse(#"{"type":"match","side":"sell","size":"1","price":"1","product_id":"A-B"}"#)
        }
        #expect(throws: FeedParseError.negativeNumber(field: "size", text: "-1")) {
            try parse(#"{"type":"match","trade_id":1,"side":"sell","size":"-1","price":"1","product_id":"A-B"}"#)
        }
        #expect(throws: FeedParseError.unknownEventType("replay", channel: "market_trades")) {
            try parse(#"{"channel":"market_trades","events":[{"type":"replay","trades":[]}]}"#)
        }
    }

    @Test func recognisesNonBookMessages() throws {
        #expect(try parse(#"{"type":"subscriptions","channels":[]}"#).kind == .other("subscriptions"))
        #expect(try parse(#"{"type":"heartbeat","sequence":1,"product_id":"BTC-USD"}"#).kind == .other("heartbeat"))
        #expect(
            try parse(
                #"{"channel":"heartbeats","sequence_num":9,"events":[{"current_time":"x","heartbeat_counter":1}]}"#
            ).kind == .other("heartbeats"))
        #expect(
            try parse(#"{"channel":"ticker","events":[{"type":"snapshot","tickers":[{"product_id":"BTC-USD"}]}]}"#).kind
                == .other("ticker"))
        #expect(
            try parse(
                #"{"type":"error","message":"Failed to subscribe","reason":"level2, level3, and full channels now require authentication"}"#
            ).kind
                == .error(
                    message: "Failed to subscribe",
                    reason: "level2, level3, and full channels now require authentication"))
    }

    @Test(arguments: [
        ("{not json", "malformed"),
        (#"{"foo":1}"#, "unclassifiable"),
        (#"{"type":"l2update","changes":[]}"#, "missing product_id"),
        (#"{"type":"l2update","product_id":"BTC-USD"}"#, "missing changes"),
        (#"{"type":"l2update","product_id":"BTC-USD","changes":[["hold","1","1"]]}"#, "unknown side"),
        (#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","-1","1"]]}"#, "negative price"),
        (#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1","abc"]]}"#, "non-numeric size"),
        (
            #"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1.0000000000000000001","1"]]}"#,
            "absurd precision"
        ),
        (#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1"]]}"#, "short change"),
        (#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy",1,"1"]]}"#, "number instead of string"),
        (#"{"type":"snapshot","product_id":"BTC/USD","bids":[],"asks":[]}"#, "product with slash"),
        (#"{"type":"snapshot","product_id":"BTC-USD","bids":[["1","1"]]}"#, "snapshot without asks"),
        (
            #"{"channel":"l2_data","events":[{"type":"weird","product_id":"BTC-USD","updates":[]}]}"#,
            "unknown event type"
        ),
        (
            #"{"channel":"l2_data","events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","price_level":"1"}]}]}"#,
            "missing quantity"
        ),
    ])
    func rejectsBadInputWithAReason(_ json: String, _ what: String) {
        #expect(throws: FeedParseError.self, "\(what)") { try parse(json) }
    }

    @Test func errorDescriptionsSayWhatIsWrong() {
        do {
            _ = try parser.parse(
                Array(#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1.5x","1"]]}"#.utf8))
            Issue.record("accepted a bad price")
        } catch {
            #expect(error.description.contains("price \"1.5x\" rejected"))
        }
    }
}

@Suite struct FeedRouterTests {
    let router = FeedRouter()

    @Test func singleProductMessagesKeepTheirExactBytes() throws {
        let frame = Array(
            #"{"type":"l2update","product_id":"ETH-USD","changes":[["sell","1088.42","0.00000000"]],"time":"t"}"#.utf8)
        #expect(try router.route(frame) == [FeedRouter.Routed(product: "ETH-USD", payload: frame)])
    }

    @Test func messagesWithoutProductGoUnrouted() throws {
        let frame = Array(#"{"type":"subscriptions","channels":[{"name":"level2","product_ids":["A-B"]}]}"#.utf8)
        #expect(try router.route(frame) == [FeedRouter.Routed(product: nil, payload: frame)])
    }

    @Test func multiProductAdvancedTradeMessageIsSplitPerProduct() throws {
        let frame = Array(
            #"{"channel":"l2_data","timestamp":"t","sequence_num":7,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"e","price_level":"1.10","new_quantity":"2.000"}]},{"type":"update","product_id":"ETH-USD","updates":[]},{"type":"update","product_id":"BTC-USD","updates":[]}]}"#
                .utf8)
        let parts = try router.route(frame)
        #expect(parts.map(\.product) == ["BTC-USD", "ETH-USD"])
        let parser = FeedParser()
        let btc = try parser.parse(parts[0].payload)
        #expect(btc.connectionSequence == 7)
        guard case .book(let messages) = btc.kind else {
            Issue.record("BTC part is not a book message")
            return
        }
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0.product == "BTC-USD" })
        guard case .update(let changes) = messages[0].content else { return }
        // Decimal strings survive the rewrite exactly.
        #expect(changes.first?.price.description == "1.10")
        #expect(changes.first?.size.description == "2.000")
    }

    @Test func multiProductMarketTradesAreSplitPerProduct() throws {
        let frame = Array(
            #"{"channel":"market_trades","timestamp":"t","sequence_num":3,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"1","price":"1.50","size":"2","side":"BUY","time":"a"},{"product_id":"ETH-USD","trade_id":"9","price":"3","size":"4","side":"SELL","time":"b"},{"product_id":"BTC-USD","trade_id":"2","price":"1.60","size":"1","side":"SELL","time":"c"}]}]}"#
                .utf8)
        let parts = try router.route(frame)
        #expect(parts.map(\.product) == ["BTC-USD", "ETH-USD"])
        let parser = FeedParser()
        guard case .trades(let btc) = try parser.parse(parts[0].payload).kind,
            case .trades(let eth) = try parser.parse(parts[1].payload).kind
        else {
            Issue.record("parts are not trades")
            return
        }
        #expect(btc.map(\.tradeID) == ["1", "2"])
        #expect(btc.map(\.price.description) == ["1.50", "1.60"])
        #expect(eth.map(\.tradeID) == ["9"])
    }

    @Test func invalidProductIdsAreRejected() {
        #expect(throws: FeedParseError.invalidProduct("BTC/USD")) {
            try router.route(Array(#"{"type":"l2update","product_id":"BTC/USD","changes":[]}"#.utf8))
        }
        #expect(throws: FeedParseError.self) { try router.route(Array("[1,2".utf8)) }
    }
}
