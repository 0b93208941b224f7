import Foundation

/// The machine's budget file as the governor's shared budget. A failure of the file leaves the
/// process pacing alone at its full budget, as it would without the file, and says so once.
extension SharedBudget: SharedRateBudget {
    public func reserveSend(now: Date) async throws -> Reservation {
        do {
            return try reserve(now: now)
        } catch {
            warnOnce("\(error); pacing this process alone at its full budget until the end of the run (other processes on this machine no longer count its sends, nor it theirs)")
            throw error
        }
    }

    public func settleSend(granted stamp: Int64, now: Date) { settle(granted: stamp, now: now) }

    public func flushSends(now: Date) async throws {
        do {
            try flush(now: now)
        } catch {
            warnOnce("\(error); this run's last sends stay counted from when they were granted, a little early, until they leave the window")
            throw error
        }
    }

    public var fallbackBudget: Int? { nil }

    /// One machine's processes: those on other hosts behind the same address show in the headers.
    public var spansHosts: Bool { false }
}
