/// An exact running sum of decimals and of products of decimals, in 128 bits: volumes, notionals
/// (price × size) and the walks of a book, which outgrow ``ExactDecimal``'s 64 bits long before
/// they lose a digit here.
///
/// The sum keeps the largest scale it has seen, so `0.5 + 0.25` is `0.75` and `2.70 × 1.5` adds
/// `4.050`. A term that would overflow sets ``overflowed`` and is left out: a caller reports the
/// sum as unknown rather than wrong.
///
/// Equality is numeric, as ``ExactDecimal``'s: `1.50 == 1.5`.
public struct ExactSum: Sendable, Equatable, CustomStringConvertible {
    public private(set) var mantissa: Int128 = 0
    public private(set) var scale: UInt8 = 0
    /// A term did not fit; the sum is incomplete.
    public private(set) var overflowed = false

    public init() {}

    /// A sum holding `value`.
    public init(_ value: ExactDecimal) {
        add(value)
    }

    public var isZero: Bool { mantissa == 0 }

    /// Adds `value`.
    public mutating func add(_ value: ExactDecimal) {
        add(mantissa: Int128(value.mantissa), scale: value.scale)
    }

    /// Subtracts `value`.
    public mutating func subtract(_ value: ExactDecimal) {
        add(mantissa: -Int128(value.mantissa), scale: value.scale)
    }

    /// Adds `left × right`, exact.
    public mutating func addProduct(_ left: ExactDecimal, _ right: ExactDecimal) {
        add(mantissa: Int128(left.mantissa) * Int128(right.mantissa), scale: left.scale + right.scale)
    }

    /// `self + other`.
    public func adding(_ other: ExactSum) -> ExactSum {
        var result = self
        result.overflowed = overflowed || other.overflowed
        result.add(mantissa: other.mantissa, scale: other.scale)
        return result
    }

    /// `self - other`.
    public func subtracting(_ other: ExactSum) -> ExactSum {
        var negated = other
        if other.mantissa == .min {
            negated.overflowed = true
        } else {
            negated.mantissa = -other.mantissa
        }
        return adding(negated)
    }

    /// `self × other`, exact (the scales add); overflowed when the product does not fit.
    public func multiplied(by other: ExactSum) -> ExactSum {
        var result = ExactSum()
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        result.overflowed =
            overflowed || other.overflowed || overflow || Int(scale) + Int(other.scale) > Int(UInt8.max)
        guard !result.overflowed else { return result }
        result.mantissa = product
        result.scale = scale + other.scale
        return result
    }

    /// `self × factor`, exact.
    public func multiplied(by factor: ExactDecimal) -> ExactSum {
        multiplied(by: ExactSum(factor))
    }

    /// -1, 0 or 1 as the sum is negative, zero or positive.
    public var signum: Int { mantissa < 0 ? -1 : mantissa == 0 ? 0 : 1 }

    public static func == (left: ExactSum, right: ExactSum) -> Bool {
        left.overflowed == right.overflowed && compare(left, right) == 0
    }

    /// Numeric order, whatever the scales: `compare(a, b) < 0` when `a < b`.
    public static func compare(_ left: ExactSum, _ right: ExactSum) -> Int {
        left.subtracting(right).signum
    }

    /// `self / divisor` rounded half away from zero to `fractionDigits` digits; `nil` when the
    /// divisor is zero, either sum overflowed, or the result does not fit an ``ExactDecimal``.
    public func divided(by divisor: ExactSum, fractionDigits: UInt8) -> ExactDecimal? {
        guard !overflowed, !divisor.overflowed, divisor.mantissa != 0, fractionDigits <= ExactDecimal.maxScale else {
            return nil
        }
        // self/divisor × 10^f = m1 × 10^(f + s2 - s1) / m2
        let exponent = Int(fractionDigits) + Int(divisor.scale) - Int(scale)
        guard let numerator = Self.scaled(mantissa, by: max(0, exponent)),
            let denominator = Self.scaled(divisor.mantissa, by: max(0, -exponent))
        else { return nil }
        let negative = (numerator < 0) != (denominator < 0)
        var (quotient, remainder) = numerator.magnitude.quotientAndRemainder(dividingBy: denominator.magnitude)
        if remainder >= denominator.magnitude - remainder { quotient += 1 }
        guard quotient <= UInt128(Int64.max) else { return nil }
        let value = Int64(quotient)
        return ExactDecimal(uncheckedMantissa: negative ? -value : value, scale: fractionDigits)
    }

    /// The sum as an ``ExactDecimal``, when it fits one (64-bit mantissa, at most 18 digits).
    public var decimal: ExactDecimal? {
        guard !overflowed, scale <= ExactDecimal.maxScale, let small = Int64(exactly: mantissa) else { return nil }
        return ExactDecimal(uncheckedMantissa: small, scale: scale)
    }

    /// The sum written with exactly ``scale`` fractional digits.
    public var description: String {
        var digits = String(mantissa.magnitude)
        if scale > 0 {
            if digits.count <= Int(scale) {
                digits = String(repeating: "0", count: Int(scale) - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -Int(scale)))
        }
        return mantissa < 0 ? "-" + digits : digits
    }

    private mutating func add(mantissa term: Int128, scale termScale: UInt8) {
        guard !overflowed else { return }
        let target = max(scale, termScale)
        guard let current = Self.scaled(mantissa, by: Int(target - scale)),
            let addend = Self.scaled(term, by: Int(target - termScale))
        else {
            overflowed = true
            return
        }
        let (sum, overflow) = current.addingReportingOverflow(addend)
        guard !overflow else {
            overflowed = true
            return
        }
        mantissa = sum
        scale = target
    }

    /// `value × 10^digits`, if it fits.
    private static func scaled(_ value: Int128, by digits: Int) -> Int128? {
        var result = value
        for _ in 0..<digits {
            let (next, overflow) = result.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }
}
