/// Coinbase product ids as BookBus accepts them.
public enum ProductID {
    /// The longest product id accepted.
    public static let maxLength = 64

    /// True for 1-64 characters of `A-Z a-z 0-9 . _ -`. Every Coinbase product id has this form,
    /// and none of these characters is the `/` that ends a product in a bus topic.
    public static func isValid(_ product: some StringProtocol) -> Bool {
        isValid(utf8: product.utf8)
    }

    /// ``isValid(_:)`` on the bytes of a product id, before any string is made of them.
    public static func isValid(utf8: some Collection<UInt8>) -> Bool {
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
