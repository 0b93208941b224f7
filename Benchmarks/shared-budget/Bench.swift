// The cost of one SharedBudget.reserve plus one settle with ~4,400 live stamps: the throughput
// benchmark's window (limit 100,000 per 1 s, span 1.1 s, ~4,000 requests a second), on simulated time.
// Arguments: iterations (200,000), span in milliseconds (1,100; the window holds 4 stamps a millisecond).
import Foundation

@main struct Bench {
    static func main() throws {
        let arguments = CommandLine.arguments
        let iterations = arguments.count > 1 ? Int(arguments[1])! : 200_000
        let spanMS = arguments.count > 2 ? Int64(arguments[2])! : 1100  // live stamps: 4 a millisecond
        let folder = NSTemporaryDirectory() + "shared-budget-bench-\(getpid())"
        let budget = try SharedBudget(folder: folder, fingerprint: "bench", budget: 100_000, span: .milliseconds(spanMS))
        var nowMS: Int64 = 1_800_000_000_000
        var step = 0
        func send() throws {
            let now = Date(timeIntervalSince1970: Double(nowMS) / 1000)
            guard case .granted(let stamp) = try budget.reserve(now: now) else { fatalError("waited") }
            budget.settle(granted: stamp, now: Date(timeIntervalSince1970: Double(nowMS + 2) / 1000))
            step += 1
            if step % 4 == 0 { nowMS += 1 }  // 4 sends a millisecond: 4,400 live in 1.1 s
        }
        for _ in 0..<(4 * Int(spanMS) * 2) { try send() }  // fill the window twice over
        let clock = ContinuousClock()
        let start = clock.now
        let cpu0 = cpuSeconds()
        for _ in 0..<iterations { try send() }
        let cpu = cpuSeconds() - cpu0
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "%d reserve+settle with ~%d live stamps: %.0f ns each (wall), %.0f ns CPU each",
                     iterations, 4 * spanMS, seconds / Double(iterations) * 1e9, cpu / Double(iterations) * 1e9))
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
