import BookBusCore
import BusProtocol
import Testing

/// The worker group's coordinator: members, generations, and who is told what when.
@Suite struct GroupCoordinatorTests {
    static let start = ContinuousClock.now
    static let products = ["A-USD", "B-USD", "C-USD", "D-USD", "E-USD", "F-USD", "G-USD", "H-USD"]

    static func coordinator() -> GroupCoordinator {
        var group = GroupCoordinator(expiry: .seconds(3), firstGeneration: 1_000)
        for product in products { group.noteProduct(product) }
        return group
    }

    @Test func aJoinTellsTheMembersThatLoseProductsAtOnce() {
        var group = Self.coordinator()
        let first = group.heartbeat(from: "a", identity: [1], now: Self.start)
        #expect(first.products == Self.products && first.generation == 1_001)
        #expect(group.takeNotices().isEmpty, "the member that asked has its answer")
        let second = group.heartbeat(from: "b", identity: [2], now: Self.start)
        #expect(second.generation == 1_002 && !second.products.isEmpty)
        // a lost b's share: it is told now, not at its next heartbeat.
        let notices = group.takeNotices()
        #expect(notices.map(\.identity) == [[1]])
        #expect(notices.first?.assignment.generation == 1_002)
        #expect(Set(notices.first!.assignment.products + second.products) == Set(Self.products))
        #expect(group.takeNotices().isEmpty, "told once")
    }

    @Test func anExpiredMembersProductsGoToTheOthersWhoAreTold() {
        var group = Self.coordinator()
        _ = group.heartbeat(from: "a", identity: [1], now: Self.start)
        _ = group.heartbeat(from: "b", identity: [2], now: Self.start)
        _ = group.takeNotices()
        _ = group.heartbeat(from: "a", identity: [1], now: Self.start + .seconds(2))
        group.expire(now: Self.start + .seconds(4))
        let notices = group.takeNotices()
        #expect(notices.map(\.identity) == [[1]])
        #expect(notices.first?.assignment.products == Self.products)
        #expect(group.logs.last?.metadata["reason"] == "b expired")
    }

    @Test func aNewProductIsAssignedAndItsOwnerTold() {
        var group = Self.coordinator()
        _ = group.heartbeat(from: "a", identity: [1], now: Self.start)
        group.noteProduct("Z-USD")
        #expect(group.takeNotices().first?.assignment.products.contains("Z-USD") == true)
        group.noteProduct("Z-USD")
        #expect(group.takeNotices().isEmpty, "a product already known changes nothing")
    }
}
