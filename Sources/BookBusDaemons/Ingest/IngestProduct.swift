import BusProtocol
import CoinbaseFeed
import OrderBook
import ZeroMQ

/// What the ingest keeps per product: the channel of its `raw/<PRODUCT>/` topic, the messages
/// waiting to go out on it as one batch, and its own book for the snapshot service. Once the batch
/// is out, the book includes every message published on the channel, so a snapshot reply can say
/// "this is the book as of sequence S".
///
/// A class, reached with one lookup per message: the book changes in place, never copied.
final class IngestProduct {
    let channel: TopicChannel
    private(set) var book: OrderBook
    /// False until a snapshot arrived, and again after the upstream connection was renewed.
    var valid = false
    /// Receive time of the last message applied.
    private(set) var receivedAtNanos: UInt64 = 0
    /// Messages received but not yet published, oldest first, and the first one's receive time.
    var pending = PackedFrames()
    var pendingSinceNanos: UInt64 = 0

    init(product: String, channel: TopicChannel) {
        self.channel = channel
        book = OrderBook(product: product)
    }

    /// Applies the book messages of a message just published on the channel. What the book refuses
    /// is left out here exactly as the workers leave it out.
    func apply(_ messages: [BookMessage], receivedAtNanos: UInt64) {
        for message in messages where message.product == book.product {
            switch message.content {
            case .snapshot(let bids, let asks):
                guard (try? book.replace(bids: bids, asks: asks)) != nil else { continue }
                valid = true
            case .update(let changes):
                guard valid else { continue }
                _ = try? book.apply(changes)
            }
            self.receivedAtNanos = receivedAtNanos
        }
    }
}
