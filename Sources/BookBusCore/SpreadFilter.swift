public import BusProtocol
public import OrderBook

/// Keeps events whose spread is at least a number of basis points of the mid, compared exactly:
/// `spread × 10,000 ≥ threshold × mid`. Events without a spread (an empty side) never pass.
public struct SpreadFilter: Sendable {
    public let minimumBasisPoints: ExactDecimal

    public init(minimumBasisPoints: ExactDecimal) {
        self.minimumBasisPoints = minimumBasisPoints
    }

    public func passes(_ event: BookEvent) -> Bool {
        guard let spread = event.top.spread, let mid = event.top.mid else { return false }
        let tenThousand = ExactDecimal(integer: 10_000)
        if let left = spread.multiplied(by: tenThousand), let right = minimumBasisPoints.multiplied(by: mid) {
            return left >= right
        }
        // Beyond 64-bit exact products: the rounded basis points decide.
        guard let basisPoints = event.top.spreadBasisPoints else { return false }
        return basisPoints >= minimumBasisPoints
    }
}
