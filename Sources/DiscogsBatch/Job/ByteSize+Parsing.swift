/// Sizes written in a job file: `500MB`, `2GB`, `64KiB`, `1000000` (bytes).
enum ByteSize {
    /// KB, MB, GB are 1000-based (as disks and `du --si` count); KiB, MiB, GiB are 1024-based;
    /// B or no unit is bytes. A whole number only; nil for anything else or past 2^62.
    static func parse(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 18, let amount = Int64(digits) else { return nil }
        let factor: Int64
        switch text.dropFirst(digits.count) {
        case "", "B": factor = 1
        case "KB": factor = 1000
        case "MB": factor = 1_000_000
        case "GB": factor = 1_000_000_000
        case "KiB": factor = 1 << 10
        case "MiB": factor = 1 << 20
        case "GiB": factor = 1 << 30
        default: return nil
        }
        let (result, overflow) = amount.multipliedReportingOverflow(by: factor)
        return overflow || result > 1 << 62 ? nil : result
    }
}
