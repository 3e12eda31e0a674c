//! Durations as short, fixed-precision text: `850 ns`, `12.3 µs`, `1.20 s`.

use std::time::Duration;

/// Units from small to large, with their size in nanoseconds.
const UNITS: [(&str, f64); 4] = [("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)];

/// Three significant digits in the largest unit that keeps the number under
/// 1000 (seconds grow past it), so every duration is at most seven
/// characters below 1000 s and columns of them stay narrow.
pub(crate) fn format(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos < 1_000 {
        return format!("{nanos} ns");
    }
    let nanos = nanos as f64;
    let mut chosen = UNITS[1];
    for unit in &UNITS[1..] {
        chosen = *unit;
        // Why 999.5: a value that would round up to "1000" reads better as
        // "1.00" in the next unit.
        if nanos / unit.1 < 999.5 {
            break;
        }
    }
    let (unit, scale) = chosen;
    let value = nanos / scale;
    let decimals = if value < 9.995 {
        2
    } else if value < 99.95 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits_in_the_fitting_unit() {
        let cases = [
            (Duration::ZERO, "0 ns"),
            (Duration::from_nanos(999), "999 ns"),
            (Duration::from_nanos(1_000), "1.00 µs"),
            (Duration::from_micros(850), "850 µs"),
            (Duration::from_nanos(999_600), "1.00 ms"),
            (Duration::from_micros(12_345), "12.3 ms"),
            (Duration::from_millis(1_200), "1.20 s"),
            (Duration::from_secs(4_000), "4000 s"),
        ];
        for (duration, text) in cases {
            assert_eq!(format(duration), text, "{duration:?}");
        }
    }
}
