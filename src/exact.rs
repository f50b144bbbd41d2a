//! Exact sums of money and decimals: takes amounts as read (f64) and gives
//! their sums as the f64 nearest the exact decimal sum — 1817753.83, never
//! the 1817753.8299999996 that adding binary fractions gives.
//!
//! An amount is counted in whole units — stotinki for money (REPORT.md:
//! money in BGN with two decimals), millionths for decimals such as the
//! average number of users — and the units are added as integers. They are
//! held in f64 so that polars can sum them in its float columns: every
//! integer up to 2^53 is exact in an f64 and so is every sum of them below
//! that (90 billion leva, 9 billion users), and a bigger amount (no real
//! one) cannot overflow, it only loses the last units.

/// The units of an amount: how many make one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale(f64);

/// Money in stotinki: an amount with more decimals is rounded to the stotinka.
pub const MONEY: Scale = Scale(100.0);

/// Decimals in millionths.
pub const DECIMAL: Scale = Scale(1_000_000.0);

impl Scale {
    /// The whole number of units nearest `value` (an integer held in an f64).
    pub fn units(self, value: f64) -> f64 {
        (value * self.0).round()
    }

    /// The amount of a whole number of units: the f64 nearest the decimal
    /// (a division: multiplying by 0.01 would not be exact).
    pub fn amount(self, units: f64) -> f64 {
        units / self.0
    }

    /// The exact sum of amounts.
    pub fn sum(self, values: impl IntoIterator<Item = f64>) -> f64 {
        self.amount(values.into_iter().map(|v| self.units(v)).sum())
    }

    /// The exact sum of two amounts.
    pub fn add(self, a: f64, b: f64) -> f64 {
        self.amount(self.units(a) + self.units(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_the_decimal_sums() {
        assert_ne!(0.1 + 0.2, 0.3);
        assert_eq!(MONEY.add(0.1, 0.2), 0.3);
        assert_eq!(DECIMAL.sum([168.1, 0.1]), 168.2);
        assert_eq!(MONEY.sum([1_000_000.0, 817_753.5, 0.33]), 1_817_753.83);
        assert_eq!(DECIMAL.sum(std::iter::repeat_n(0.1, 28_122)), 2812.2);
        assert_eq!(MONEY.sum(std::iter::repeat_n(0.01, 1_000_000)), 10_000.0);
        assert_eq!(MONEY.sum([]), 0.0);
    }

    #[test]
    fn money_is_counted_to_the_stotinka() {
        assert_eq!(MONEY.units(1817753.83), 181_775_383.0);
        assert_eq!(MONEY.amount(49_634_516.0), 496_345.16);
        assert_eq!(MONEY.sum([10.004, 10.004]), 20.0);
        assert_eq!(DECIMAL.sum([10.004, 10.004]), 20.008);
    }

    #[test]
    fn a_huge_amount_neither_panics_nor_wraps() {
        assert_eq!(MONEY.sum([1e300, 1e300]), 2e300);
        assert_eq!(MONEY.sum([9e15, 9e15]), 1.8e16);
    }
}
